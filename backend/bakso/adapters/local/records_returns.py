"""Bulk return runs in SQLite: the run, its line results, its chunk counts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from ...domain import due
from ...domain.returns import ReturnLine, ReturnRun
from ...ports import RETURN_LINES_PER_WRITE
from .records_rows import SqliteTable, _dump


class ReturnRecords(SqliteTable):
    # Bulk returns ---------------------------------------------------------
    def create_return(self, run: ReturnRun) -> bool:
        with self._db.transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO return_runs (id, data, retain_from) VALUES (?, ?, ?)",
                (run.id, _dump(run.to_record()), due.return_position(run)),
            ).rowcount
        return bool(inserted)

    def save_return(self, run: ReturnRun) -> None:
        with self._db.transaction() as db:
            db.execute(
                "UPDATE return_runs SET data = ?, retain_from = ? WHERE id = ?",
                (_dump(run.to_record()), due.return_position(run), run.id),
            )

    def get_return(self, return_id: str) -> ReturnRun | None:
        row = self._read_one("SELECT data FROM return_runs WHERE id = ?", return_id)
        return ReturnRun.from_record(json.loads(row[0])) if row else None

    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        if len(lines) > RETURN_LINES_PER_WRITE:
            raise ValueError(f"at most {RETURN_LINES_PER_WRITE} lines per write")
        with self._db.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO return_lines (return_id, seq, data) VALUES (?, ?, ?)",
                [(return_id, line.seq, _dump(line.to_record())) for line in lines],
            )

    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        if limit < 1:
            return []
        rows = (
            self._db.connection()
            .execute(
                "SELECT data FROM return_lines WHERE return_id = ? AND seq > ?"
                " ORDER BY seq LIMIT ?",
                (return_id, after, limit),
            )
            .fetchall()
        )
        return [ReturnLine.from_record(json.loads(row[0])) for row in rows]

    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO return_chunks (return_id, chunk, counts) VALUES (?, ?, ?)",
                (return_id, chunk, _dump(dict(counts))),
            )

    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT chunk, counts FROM return_chunks WHERE return_id = ? ORDER BY chunk",
                (return_id,),
            )
            .fetchall()
        )
        return {row[0]: json.loads(row[1]) for row in rows}
