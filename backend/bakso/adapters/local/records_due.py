"""What retention finds due in SQLite: a range read on each table's `retain_from` index.

`retain_from` holds bakso.domain.due's position while a record is indexed and
NULL once it is not (a partial index holds only the others), written with the
record by the other mixins.
"""

from __future__ import annotations

import json
from typing import Any

from ...domain import due
from ...domain.model import Batch, Scan
from ...domain.returns import ReturnRun
from ...ports import DuePage
from .records_rows import _SCAN_COLUMNS, SqliteTable, _scan


def due_rows(
    db: Any, table: str, columns: str, before: str, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """Up to `limit` rows of `table` (a constant) indexed below `before`, after `cursor`."""
    after = due.position_after(cursor) if cursor else ""
    rows = db.execute(
        f"SELECT {columns}, retain_from FROM {table}"  # noqa: S608 - constant names
        " WHERE retain_from IS NOT NULL AND retain_from > ? AND retain_from < ?"
        " ORDER BY retain_from LIMIT ?",
        (after, before, limit + 1),
    ).fetchall()
    next_cursor = due.cursor_after(rows[limit - 1][-1]) if len(rows) > limit else None
    return [row[:-1] for row in rows[:limit]], next_cursor


class DueRecords(SqliteTable):
    def pending_scans(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Scan]:
        rows, next_cursor = due_rows(
            self._db.connection(), "scans", _SCAN_COLUMNS, before, cursor, limit
        )
        return DuePage([_scan(row) for row in rows], next_cursor)

    def unpurged_batches(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Batch]:
        rows, next_cursor = due_rows(
            self._db.connection(), "batches", "data", before, cursor, limit
        )
        return DuePage([Batch.from_record(json.loads(row[0])) for row in rows], next_cursor)

    def unfinished_returns(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ReturnRun]:
        rows, next_cursor = due_rows(
            self._db.connection(), "return_runs", "data", before, cursor, limit
        )
        return DuePage([ReturnRun.from_record(json.loads(row[0])) for row in rows], next_cursor)
