"""What retention finds due in the SQLite sasaran store, and the follow-up notes it erases.

Rows and imports carry `retain_from` (bakso.domain.due), written with them by
SqliteSasaranStore; the reads here are range reads on its partial index.
"""

from __future__ import annotations

import json

from ...domain.sasaran import ImportRun, SasaranRow
from ...ports import DuePage
from .records_due import due_rows
from .sqlite import SqliteDatabase


class SasaranDue:
    _db: SqliteDatabase

    def closed_rows(self, *, before: str, cursor: str | None, limit: int) -> DuePage[SasaranRow]:
        rows, next_cursor = due_rows(self._db.connection(), "rows", "data", before, cursor, limit)
        return DuePage([SasaranRow.from_record(json.loads(r[0])) for r in rows], next_cursor)

    def unfinished_imports(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ImportRun]:
        rows, next_cursor = due_rows(
            self._db.connection(), "imports", "data", before, cursor, limit
        )
        return DuePage([ImportRun.from_record(json.loads(r[0])) for r in rows], next_cursor)

    def erase_followup_notes(self, sasaran_id: str) -> None:
        with self._db.transaction() as db:
            found = db.execute(
                "SELECT id, data FROM followups WHERE sasaran_id = ?", (sasaran_id,)
            ).fetchall()
            blanked = [
                (json.dumps({**record, "note": ""}, ensure_ascii=False, separators=(",", ":")), i)
                for i, record in ((i, json.loads(data)) for i, data in found)
                if record.get("note")
            ]
            db.executemany("UPDATE followups SET data = ? WHERE id = ?", blanked)
