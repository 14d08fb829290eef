"""Dukcapil batches in SQLite, saved over the version they were read at."""

from __future__ import annotations

import json

from ...domain import due, paging
from ...domain.errors import Conflict
from ...domain.model import Batch
from ...domain.refusals import BATCH_CHANGED
from .records_rows import SqliteTable, _dump


class BatchRecords(SqliteTable):
    # Batches --------------------------------------------------------------
    def create_batch(self, batch: Batch) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO batches (id, created_at, data, retain_from, kabupaten)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    batch.id,
                    batch.created_at,
                    _dump(batch.to_record()),
                    due.batch_position(batch),
                    batch.kabupaten,
                ),
            )

    def save_batch(self, batch: Batch, expected_version: int) -> None:
        with self._db.transaction() as db:
            updated = db.execute(
                "UPDATE batches SET data = ?, retain_from = ?, kabupaten = ? WHERE id = ?"
                " AND coalesce(json_extract(data, '$.version'), 0) = ?",
                (
                    _dump(batch.to_record()),
                    due.batch_position(batch),
                    batch.kabupaten,
                    batch.id,
                    expected_version,
                ),
            ).rowcount
            if updated == 0:
                raise Conflict(BATCH_CHANGED)

    def get_batch(self, batch_id: str) -> Batch | None:
        row = self._read_one("SELECT data FROM batches WHERE id = ?", batch_id)
        return Batch.from_record(json.loads(row[0])) if row else None

    def list_batches(
        self, *, kabupaten: str, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        limit = paging.page_size(limit)
        records, next_cursor = self._newest_page(
            "batches", ["kabupaten = ?"], [kabupaten], cursor, limit
        )
        batches = [Batch.from_record(record) for record in records]
        return batches, next_cursor
