"""The sasaran store in its own SQLite file (WAL), beside records.sqlite3.

Each write takes the write lock up front (BEGIN IMMEDIATE), so version checks
and the writes they guard see one snapshot, as DynamoDB's conditional
transactions do. Counter deltas of a batch of import lines are rolled up to
their scopes and summed (domain.sasaran.rolled_up) before they are written, in
the transaction of the rows they count: one upsert per counter, not per line.
Counters stay a row per (level, code, name), the kecamatan's and kabupaten's
kept beside the desa's: SQLite takes one lock per write for the whole file, so
no row is a hotter spot than the file itself (the DynamoDB store keeps a
partition per desa instead: adapters/aws/sasaran_counter_items).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...domain import due, paging
from ...domain.errors import Conflict
from ...domain.refusals import NIK_TAKEN, STALE_SASARAN
from ...domain.sasaran import (
    Followup,
    ImportResult,
    ImportRun,
    Revised,
    SasaranRow,
    ScopeDeltas,
    rolled_up,
)
from ...ports import ImportLineWrite, RowWrite, SasaranPage, SasaranStore
from .sasaran_changes import MIGRATION as CHANGES_MIGRATION
from .sasaran_changes import SasaranChanges, revised_writes
from .sasaran_due import SasaranDue
from .sqlite import SqliteDatabase

MIGRATIONS = [
    """
    CREATE TABLE rows (
        id TEXT PRIMARY KEY,
        desa TEXT NOT NULL,
        sort_key TEXT NOT NULL,
        nik TEXT,
        name_key TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX rows_desa ON rows (desa, sort_key);
    CREATE UNIQUE INDEX rows_nik ON rows (nik) WHERE nik IS NOT NULL;
    CREATE INDEX rows_name_key ON rows (name_key);
    CREATE TABLE followups (
        id TEXT PRIMARY KEY,
        sasaran_id TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX followups_row ON followups (sasaran_id, at, id);
    CREATE TABLE imports (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX imports_newest ON imports (created_at, id);
    CREATE TABLE import_results (
        import_id TEXT NOT NULL,
        line INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (import_id, line)
    );
    CREATE TABLE import_chunks (
        import_id TEXT NOT NULL,
        chunk INTEGER NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (import_id, chunk)
    );
    CREATE TABLE counters (
        level TEXT NOT NULL,
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        value INTEGER NOT NULL,
        PRIMARY KEY (level, code, name)
    );
    CREATE TABLE applied_changes (
        key TEXT PRIMARY KEY
    );
    """,
    # #13: closed rows and unfinished imports, by time, for retention (domain.due).
    # Rows stored before are indexed at their next write.
    """
    ALTER TABLE rows ADD COLUMN retain_from TEXT;
    CREATE INDEX rows_retain ON rows (retain_from) WHERE retain_from IS NOT NULL;
    ALTER TABLE imports ADD COLUMN retain_from TEXT;
    UPDATE imports SET retain_from = created_at || '#' || id
        WHERE json_extract(data, '$.status') NOT IN ('DONE', 'FAILED');
    CREATE INDEX imports_retain ON imports (retain_from) WHERE retain_from IS NOT NULL;
    """,
    # #15: worklist sync by change (sasaran_changes).
    CHANGES_MIGRATION,
]


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _parts(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    """Slices small enough for one IN (...) list (SQLite allows 999 variables of old)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _row(data: str) -> SasaranRow:
    return SasaranRow.from_record(json.loads(data))


class SqliteSasaranStore(SasaranChanges, SasaranDue, SasaranStore):
    def __init__(self, path: Path) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)

    def compact(self) -> None:
        self._db.checkpoint()

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()

    # Rows -----------------------------------------------------------------
    def get_row(self, sasaran_id: str) -> SasaranRow | None:
        found = self._one("SELECT data FROM rows WHERE id = ?", sasaran_id)
        return _row(found[0]) if found else None

    def find_by_niks(self, niks: Sequence[str]) -> dict[str, SasaranRow]:
        found: dict[str, SasaranRow] = {}
        for part in _parts(sorted(set(niks))):
            marks = ",".join("?" * len(part))
            for (data,) in self._all(
                f"SELECT data FROM rows WHERE nik IN ({marks})",  # noqa: S608 - only '?' marks
                *part,
            ):
                row = _row(data)
                assert row.nik is not None
                found[row.nik] = row
        return found

    def find_by_name_keys(self, keys: Sequence[str]) -> dict[str, list[SasaranRow]]:
        found: dict[str, list[SasaranRow]] = {}
        for part in _parts(sorted(set(keys))):
            marks = ",".join("?" * len(part))
            for (data,) in self._all(
                f"SELECT data FROM rows WHERE name_key IN ({marks}) ORDER BY id",  # noqa: S608
                *part,
            ):
                row = _row(data)
                found.setdefault(row.name_key, []).append(row)
        return found

    def list_rows(self, desa: str, *, cursor: str | None, limit: int) -> SasaranPage:
        limit = paging.page_size(limit)
        after = paging.decode_key(cursor) if cursor else ""
        rows = self._all(
            # A purged row has nothing left for the desa to act on.
            "SELECT data, sort_key FROM rows WHERE desa = ? AND sort_key > ?"
            " AND json_extract(data, '$.purged_at') IS NULL ORDER BY sort_key LIMIT ?",
            desa,
            after,
            limit + 1,
        )
        items = [_row(r[0]) for r in rows[:limit]]
        next_cursor = paging.encode_key(rows[limit - 1][1]) if len(rows) > limit else None
        return SasaranPage(items, next_cursor)

    def save_row(self, write: RowWrite) -> None:
        with self._db.transaction() as db:
            self._write_row(db, write)
            self._apply(db, rolled_up([write.deltas]))

    # Follow-ups -----------------------------------------------------------
    def record_followup(self, followup: Followup, write: RowWrite) -> bool:
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM followups WHERE id = ?", (followup.id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO followups (id, sasaran_id, at, data) VALUES (?, ?, ?, ?)",
                (followup.id, followup.sasaran_id, followup.at, _dump(followup.to_record())),
            )
            self._write_row(db, write)
            self._apply(db, rolled_up([write.deltas]))
            return True

    def get_followup(self, followup_id: str) -> Followup | None:
        found = self._one("SELECT data FROM followups WHERE id = ?", followup_id)
        return Followup.from_record(json.loads(found[0])) if found else None

    def list_followups(self, sasaran_id: str) -> list[Followup]:
        rows = self._all(
            "SELECT data FROM followups WHERE sasaran_id = ? ORDER BY at, id", sasaran_id
        )
        return [Followup.from_record(json.loads(r[0])) for r in rows]

    # Imports --------------------------------------------------------------
    def create_import(self, run: ImportRun) -> bool:
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM imports WHERE id = ?", (run.id,)).fetchone():
                return False
            db.execute(
                "INSERT INTO imports (id, created_at, data, retain_from) VALUES (?, ?, ?, ?)",
                (run.id, run.created_at, _dump(run.to_record()), due.import_position(run)),
            )
            return True

    def save_import(self, run: ImportRun) -> None:
        self._db.connection().execute(
            "UPDATE imports SET data = ?, retain_from = ? WHERE id = ?",
            (_dump(run.to_record()), due.import_position(run), run.id),
        )

    def get_import(self, import_id: str) -> ImportRun | None:
        found = self._one("SELECT data FROM imports WHERE id = ?", import_id)
        return ImportRun.from_record(json.loads(found[0])) if found else None

    def list_imports(self, *, limit: int) -> list[ImportRun]:
        rows = self._all(
            "SELECT data FROM imports ORDER BY created_at DESC, id DESC LIMIT ?", limit
        )
        return [ImportRun.from_record(json.loads(r[0])) for r in rows]

    def apply_import_lines(self, lines: Sequence[ImportLineWrite]) -> None:
        if not lines:
            return
        with self._db.transaction() as db:
            # One statement per kind of write, not per line: imports run to 100,000 lines.
            done = {
                (import_id, line)
                for import_id, line in db.execute(
                    "SELECT import_id, line FROM import_results"
                    " WHERE import_id = ? AND line BETWEEN ? AND ?",
                    (
                        lines[0].result.import_id,
                        min(i.result.line for i in lines),
                        max(i.result.line for i in lines),
                    ),
                )
            }
            todo = [i for i in lines if (i.result.import_id, i.result.line) not in done]
            db.executemany(
                "INSERT INTO import_results (import_id, line, data) VALUES (?, ?, ?)",
                [(i.result.import_id, i.result.line, _dump(i.result.to_record())) for i in todo],
            )
            writes = [i.write for i in todo if i.write is not None]
            self._write_rows(db, writes)
            self._apply(db, rolled_up(w.deltas for w in writes))

    def import_results(self, import_id: str, *, after_line: int, limit: int) -> list[ImportResult]:
        rows = self._all(
            "SELECT data FROM import_results WHERE import_id = ? AND line > ?"
            " ORDER BY line LIMIT ?",
            import_id,
            after_line,
            limit,
        )
        return [ImportResult.from_record(json.loads(r[0])) for r in rows]

    def record_chunk(self, import_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        self._db.connection().execute(
            "INSERT OR REPLACE INTO import_chunks (import_id, chunk, counts) VALUES (?, ?, ?)",
            (import_id, chunk, _dump(dict(counts))),
        )

    def chunk_counts(self, import_id: str) -> dict[int, dict[str, int]]:
        rows = self._all(
            "SELECT chunk, counts FROM import_chunks WHERE import_id = ? ORDER BY chunk", import_id
        )
        return {r[0]: json.loads(r[1]) for r in rows}

    # Counters -------------------------------------------------------------
    def counters(self, level: str, code: str) -> dict[str, int]:
        rows = self._all(
            "SELECT name, value FROM counters WHERE level = ? AND code = ?", level, code
        )
        return {name: value for name, value in rows if value}

    def counters_under(self, level: str, prefix: str) -> dict[str, dict[str, int]]:
        # Codes are digits and dots, all below '~': [prefix, prefix~) is "starts with".
        rows = self._all(
            "SELECT code, name, value FROM counters"
            " WHERE level = ? AND code >= ? AND code < ? ORDER BY code",
            level,
            prefix,
            prefix + "~",
        )
        found: dict[str, dict[str, int]] = {}
        for code, name, value in rows:
            bucket = found.setdefault(code, {})
            if value:
                bucket[name] = value
        return found

    def upgrade_counters(self, *, limit: int) -> tuple[int, bool]:
        # One file, one writer at a time: a row per scope has no hot partition to spread.
        return 0, True

    def apply_once(self, key: str, deltas: Mapping[str, Mapping[str, int]]) -> bool:
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM applied_changes WHERE key = ?", (key,)).fetchone():
                return False
            db.execute("INSERT INTO applied_changes (key) VALUES (?)", (key,))
            self._apply(db, rolled_up([deltas]))
            return True

    # Helpers --------------------------------------------------------------
    def _one(self, sql: str, *params: Any) -> Any:
        return self._db.connection().execute(sql, params).fetchone()

    def _all(self, sql: str, *params: Any) -> list[Any]:
        return self._db.connection().execute(sql, params).fetchall()

    @staticmethod
    def _apply(db: sqlite3.Connection, total: ScopeDeltas) -> None:
        """Add the per-scope deltas (domain.sasaran.rolled_up) in the caller's transaction."""
        db.executemany(
            "INSERT INTO counters (level, code, name, value) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (level, code, name) DO UPDATE SET value = value + excluded.value",
            [
                (level, code, name, value)
                for (level, code), changes in total.items()
                for name, value in changes.items()
            ],
        )

    def _write_row(self, db: sqlite3.Connection, write: RowWrite) -> None:
        self._write_rows(db, [write])

    @staticmethod
    def _write_rows(db: sqlite3.Connection, writes: Sequence[RowWrite]) -> None:
        def values(revised: Revised) -> tuple[Any, ...]:
            row = revised.row
            record = _dump(row.to_record())
            position = due.row_position(row)
            return (
                row.desa,
                row.sort_key,
                row.nik,
                row.name_key,
                row.version,
                record,
                position,
                row.revision if revised.live else None,
                row.id,
            )

        revised = revised_writes(db, writes)
        pairs = list(zip(writes, revised, strict=True))
        creates = [values(r) for w, r in pairs if w.expected_version == 0]
        updates = [(*values(r), w.expected_version) for w, r in pairs if w.expected_version]
        try:
            db.executemany(
                "INSERT INTO rows (desa, sort_key, nik, name_key, version, data, retain_from,"
                " revision, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                creates,
            )
            updated = db.executemany(
                "UPDATE rows SET desa = ?, sort_key = ?, nik = ?, name_key = ?, version = ?,"
                " data = ?, retain_from = ?, revision = ? WHERE id = ? AND version = ?",
                updates,
            ).rowcount
        except sqlite3.IntegrityError:
            ids = [c[-1] for c in creates]
            marks = ",".join("?" * len(ids))
            taken = (
                ids
                and db.execute(
                    f"SELECT 1 FROM rows WHERE id IN ({marks})",  # noqa: S608 - only '?' marks
                    ids,
                ).fetchone()
            )
            raise Conflict(STALE_SASARAN if taken else NIK_TAKEN) from None
        if updates and updated != len(updates):
            raise Conflict(STALE_SASARAN)
