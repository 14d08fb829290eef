"""The service-time histograms behind /layanan (#19, docs/service-times.md).

Per kabupaten and completion day, one record per desa holding two histograms of whole
days (DIAJUKAN → SELESAI, DIAJUKAN → DISERAHKAN); and one marker per (request, status)
counted, so a replayed or redelivered change never counts twice. Nothing personal: a
desa code, a day, counts; the marker holds the request id and the status only.
"""

from __future__ import annotations

from typing import Protocol

from ..domain.service_times import DayCounts


class ServiceTimeStore(Protocol):
    """Each method one conditional write (a transaction of two items on DynamoDB) or one
    Query of a (kabupaten, day) partition: a page view reads at most WINDOW_DAYS of them."""

    def count_service_time(
        self, request_id: str, status: str, kabupaten: str, desa: str, day: str, days: int
    ) -> bool:
        """Add one at `days` to `desa`'s `status` histogram ("SELESAI" or "DISERAHKAN") of
        `day` (yyyy-mm-dd), unless (`request_id`, `status`) was counted before: then
        nothing changes. True if it counted now."""
        ...

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]:
        """Every desa of `kabupaten` with a count on `day`, in desa order."""
        ...
