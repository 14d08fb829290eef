"""Worklist changes in the SQLite sasaran store: revisions per row, tombstones, their floor.

A row's `revision` column holds its revision while it is on the worklist and
NULL once purged or withdrawn; the partial index rows_changes on (desa,
revision) answers "what changed after R" without reading the desa's other rows.
Tombstones have their own table, keyed by (desa, revision); the floor of a desa
is the highest revision of a tombstone expired there (domain.sasaran.changes).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from ...domain import paging
from ...domain.sasaran import (
    Revised,
    SasaranRow,
    Tombstone,
    after_cursor,
    revise,
    revision_cursor,
)
from ...ports import ChangesPage, RowWrite
from .sqlite import SqliteDatabase

MIGRATION = """
    ALTER TABLE rows ADD COLUMN revision INTEGER;
    UPDATE rows SET revision = 0 WHERE json_extract(data, '$.purged_at') IS NULL;
    CREATE INDEX rows_changes ON rows (desa, revision) WHERE revision IS NOT NULL;
    CREATE TABLE tombstones (
        desa TEXT NOT NULL,
        revision INTEGER NOT NULL,
        id TEXT NOT NULL,
        removed_at TEXT NOT NULL,
        PRIMARY KEY (desa, revision)
    );
    CREATE INDEX tombstones_age ON tombstones (removed_at);
    CREATE TABLE tombstone_floors (
        desa TEXT PRIMARY KEY,
        revision INTEGER NOT NULL
    );
"""


def _parts(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def revised_writes(db: sqlite3.Connection, writes: Sequence[RowWrite]) -> list[Revised]:
    """The writes with their revisions, read and decided inside the caller's transaction;
    their tombstones are written here."""
    ids = sorted({w.row.id for w in writes if w.expected_version})
    desas = sorted({d for w in writes for d in w.deltas})
    stored: dict[str, SasaranRow] = {}
    for part in _parts(ids):
        marks = ",".join("?" * len(part))
        for (data,) in db.execute(
            f"SELECT data FROM rows WHERE id IN ({marks})",  # noqa: S608 - only '?' marks
            part,
        ):
            found = SasaranRow.from_record(json.loads(data))
            stored[found.id] = found
    counters: dict[str, int] = {}
    for part in _parts(desas):
        marks = ",".join("?" * len(part))
        sql = f"SELECT code, value FROM counters WHERE level = 'desa' AND name = 'revision' AND code IN ({marks})"  # noqa: E501, S608 - only '?' marks
        for code, value in db.execute(sql, part):
            counters[code] = value
    revised = []
    for write in writes:
        one = revise(write.row, write.deltas, stored.get(write.row.id), counters)
        stored[write.row.id] = one.row  # a later write of the same row follows this one
        revised.append(one)
    db.executemany(
        "INSERT OR REPLACE INTO tombstones (desa, revision, id, removed_at) VALUES (?, ?, ?, ?)",
        [
            (t.desa, t.revision, t.id, t.removed_at)
            for t in (r.tombstone for r in revised)
            if t is not None
        ],
    )
    return revised


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN")
    try:
        yield db
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


class SasaranChanges:
    _db: SqliteDatabase

    def changes(
        self, desa: str, *, since: int, cursor: str | None, limit: int
    ) -> ChangesPage | None:
        limit = paging.page_size(limit)
        after = after_cursor(since, cursor)
        # One read transaction (WAL): the revision and the changes are of one snapshot.
        with _snapshot(self._db.connection()) as db:
            floor = db.execute(
                "SELECT revision FROM tombstone_floors WHERE desa = ?", (desa,)
            ).fetchone()
            if floor is not None and since < floor[0]:
                return None
            counter = db.execute(
                "SELECT value FROM counters WHERE level = 'desa' AND code = ?"
                " AND name = 'revision'",
                (desa,),
            ).fetchone()
            rows = db.execute(
                "SELECT revision, data FROM rows WHERE desa = ? AND revision > ?"
                " ORDER BY revision LIMIT ?",
                (desa, after, limit + 1),
            ).fetchall()
            gone = db.execute(
                "SELECT revision, id, removed_at FROM tombstones WHERE desa = ? AND revision > ?"
                " ORDER BY revision LIMIT ?",
                (desa, after, limit + 1),
            ).fetchall()
        merged: list[tuple[int, Any]] = sorted(
            [(r[0], SasaranRow.from_record(json.loads(r[1]))) for r in rows]
            + [(g[0], Tombstone(g[1], desa, g[0], g[2])) for g in gone],
            key=lambda item: item[0],
        )
        page = [item for _, item in merged[:limit]]
        return ChangesPage(
            revision=counter[0] if counter else 0,
            rows=[i for i in page if isinstance(i, SasaranRow)],
            removed=[i for i in page if isinstance(i, Tombstone)],
            cursor=revision_cursor(merged[limit - 1][0]) if len(merged) > limit else None,
        )

    def expire_tombstones(self, *, before: str, limit: int) -> int:
        if limit < 1:
            return 0
        with self._db.transaction() as db:
            due_now = db.execute(
                "SELECT desa, revision FROM tombstones WHERE removed_at < ?"
                " ORDER BY removed_at LIMIT ?",
                (before, limit),
            ).fetchall()
            db.executemany(
                "INSERT INTO tombstone_floors (desa, revision) VALUES (?, ?)"
                " ON CONFLICT (desa) DO UPDATE SET revision = max(revision, excluded.revision)",
                due_now,
            )
            db.executemany("DELETE FROM tombstones WHERE desa = ? AND revision = ?", due_now)
        return len(due_now)
