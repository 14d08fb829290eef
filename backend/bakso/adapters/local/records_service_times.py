"""The service-time histograms in SQLite (ports/service_times.py): a marker row per
(request, status) counted and one row per (kabupaten, day, desa, status, days)."""

from __future__ import annotations

from ...domain.service_times import DayCounts
from .records_rows import SqliteTable


class ServiceTimeRecords(SqliteTable):
    def count_service_time(
        self, request_id: str, status: str, kabupaten: str, desa: str, day: str, days: int
    ) -> bool:
        with self._db.transaction() as db:
            marked = db.execute(
                "INSERT INTO service_time_counted (request_id, status) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (request_id, status),
            ).rowcount
            if not marked:
                return False
            db.execute(
                "INSERT INTO service_time_days (kabupaten, day, desa, status, days, n)"
                " VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (kabupaten, day, desa, status, days)"
                " DO UPDATE SET n = n + 1",
                (kabupaten, day, desa, status, days),
            )
        return True

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT desa, status, days, n FROM service_time_days"
                " WHERE kabupaten = ? AND day = ? ORDER BY desa",
                (kabupaten, day),
            )
            .fetchall()
        )
        found: dict[str, DayCounts] = {}
        for desa, status, days, n in rows:
            counts = found.setdefault(desa, DayCounts(desa, day))
            target = counts.selesai if status == "SELESAI" else counts.diserahkan
            target[int(days)] = int(n)
        return list(found.values())
