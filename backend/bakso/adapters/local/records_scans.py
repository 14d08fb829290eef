"""Scans in SQLite: one row per scan of a request."""

from __future__ import annotations

from ...domain import due
from ...domain.errors import NotFound
from ...domain.model import Scan
from ...domain.refusals import SCAN_NOT_FOUND
from .records_rows import _SCAN_COLUMNS, SqliteTable, _scan


class ScanRecords(SqliteTable):
    # Scans ----------------------------------------------------------------
    def add_scan(self, scan: Scan) -> Scan:
        with self._db.transaction() as db:
            db.execute(
                f"INSERT OR IGNORE INTO scans ({_SCAN_COLUMNS}, retain_from)"  # noqa: S608
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scan.id,
                    scan.request_id,
                    scan.requirement,
                    scan.sha256,
                    scan.size,
                    scan.content_type,
                    scan.key,
                    scan.state,
                    scan.created_at,
                    scan.replaces,
                    scan.placed_at,
                    scan.submission,
                    ",".join(scan.quality),
                    due.scan_position(scan),
                ),
            )
            row = db.execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ? AND id = ?",  # noqa: S608
                (scan.request_id, scan.id),
            ).fetchone()
        return _scan(row)

    def get_scan(self, request_id: str, scan_id: str) -> Scan | None:
        row = self._read_one(
            f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ? AND id = ?",  # noqa: S608
            request_id,
            scan_id,
        )
        return _scan(row) if row else None

    def list_scans(self, request_id: str) -> list[Scan]:
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ?"  # noqa: S608
                " ORDER BY created_at, id",
                (request_id,),
            )
            .fetchall()
        )
        return [_scan(row) for row in rows]

    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None:
        updated = (
            self._db.connection()
            .execute(
                # A completed scan leaves the index of never-completed uploads.
                "UPDATE scans SET state = ?,"
                " retain_from = CASE WHEN ? = 'pending' THEN retain_from END"
                " WHERE request_id = ? AND id = ?",
                (state, state, request_id, scan_id),
            )
            .rowcount
        )
        if updated == 0:
            raise NotFound(SCAN_NOT_FOUND)

    def delete_scan(self, request_id: str, scan_id: str) -> None:
        self._db.connection().execute(
            "DELETE FROM scans WHERE request_id = ? AND id = ?", (request_id, scan_id)
        )
