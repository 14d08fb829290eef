"""Service times in the open (#19, docs/service-times.md): the request observer that keeps
the per-desa histograms, and the figures of /layanan read from them (never from requests).

A kabupaten's figures cost at most WINDOW_DAYS store Queries (one per completion day,
whatever the number of desa) plus three IKM reads, and are kept in memory for
CACHE_SECONDS: a page view normally reads nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from ..domain import service_times as rules
from ..domain.errors import NotFound
from ..domain.lifecycle import Status
from ..domain.localtime import zone_named
from ..domain.model import Event, Request
from ..domain.regions import Regions
from ..domain.service_times import DayCounts, Spread
from ..domain.tenants import Kabupaten, Tenants
from ..messages import ServiceTimeCount
from ..ports import Queue
from .sasaran import RequestObserver

log = logging.getLogger("bakso.services.service_times")

CACHE_SECONDS = 300.0


class ServiceTimeRecords(Protocol):
    def count_service_time(
        self, request_id: str, status: str, kabupaten: str, desa: str, day: str, days: int
    ) -> bool: ...

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]: ...

    def timeline(self, request_id: str) -> list[Event]: ...

    def get_request(self, request_id: str) -> Request | None: ...


# The IKM grade of each desa over some months: (kabupaten, months yyyy-mm) -> desa ->
# (respondents, grade letter or None). Wired in bootstrap_layanan from the IKM service.
IkmGrades = Callable[[str, list[str]], dict[str, tuple[int, str | None]]]


@dataclass(frozen=True)
class ServiceTimeSettings:
    min_requests: int
    ikm_min_respondents: int
    cache_seconds: float = CACHE_SECONDS


@dataclass(frozen=True)
class DesaTimes:
    """One line of the table; `enough` False: show "belum cukup data", no number."""

    code: str
    name: str
    kecamatan: str
    selesai: Spread
    diserahkan: Spread
    enough: bool
    enough_diserahkan: bool
    ikm_grade: str | None  # the letter, when the quarter had enough respondents
    ikm_respondents: int


@dataclass(frozen=True)
class KabupatenTimes:
    code: str
    name: str
    first_day: date
    last_day: date
    rows: list[DesaTimes]
    overall: DesaTimes
    min_requests: int
    ikm_min_respondents: int
    ikm_quarter: str  # e.g. "2026-Q3": the last full quarter
    ikm_available: bool  # False: this deployment has no IKM survey to read
    # What the desa shown with a number served together. When the others served some but
    # fewer than `min_requests` in all, the kabupaten's count is "more than" this: its exact
    # value minus the shown desa would tell how many the hidden ones served.
    shown_served: int = 0
    hidden_few: bool = False


class ServiceTimeService(RequestObserver):
    def __init__(
        self,
        records: ServiceTimeRecords,
        queue: Queue,
        tenants: Tenants,
        regions: Regions,
        settings: ServiceTimeSettings,
        clock: Callable[[], datetime],
        ikm_grades: IkmGrades | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.records = records
        self.queue = queue
        self.tenants = tenants
        self.regions = regions
        self.settings = settings
        self.clock = clock
        self.ikm_grades = ikm_grades
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, KabupatenTimes]] = {}
        self._lock = threading.Lock()

    # The observer -----------------------------------------------------------------------
    def on_request_change(self, before: Request | None, after: Request, at: str) -> None:
        if before is None or before.status is after.status or after.status not in rules.COUNTED:
            return
        try:
            self.count(after, at)
        except Exception:
            # The move is stored and stands; the worker counts it later. Ids only.
            log.warning("service time of %s (%s) deferred", after.id, after.status.value)
            try:
                self.queue.send(ServiceTimeCount(after.id, after.status.value, at).to_body())
            except Exception:
                log.exception("service time of %s not counted", after.id)

    def count_later(self, message: ServiceTimeCount) -> None:
        """The worker's retry of a count that failed; raises (for redelivery) if it fails
        again. The marker makes it harmless if the first attempt did land."""
        request = self.records.get_request(message.request_id)
        if request is None:
            return
        self.count(request, message.at, Status(message.status))

    def count(self, request: Request, at: str, status: Status | None = None) -> bool:
        """Count `request`'s arrival at `status` (its own by default: SELESAI or
        DISERAHKAN) at `at`, once."""
        status = status or request.status
        submitted = self._latest_submission(request.id, at)
        if submitted is None:
            log.warning("service time of %s: no DIAJUKAN in its timeline", request.id)
            return False
        kabupaten = self.tenants.of_desa(request.desa)
        zone = zone_named(kabupaten.timezone)
        end = at
        handover_day = (request.handover or {}).get("date")
        if status is Status.DISERAHKAN and handover_day:
            end = str(handover_day)  # the day it happened, as the desa recorded it
        day = rules.local_day(end, zone).isoformat()
        days = rules.whole_days(submitted, end, zone)
        return self.records.count_service_time(
            request.id, status.value, kabupaten.code, request.desa, day, days
        )

    def _latest_submission(self, request_id: str, before: str) -> str | None:
        times = [
            e.at
            for e in self.records.timeline(request_id)
            if e.to_status is Status.DIAJUKAN and e.at <= before
        ]
        return max(times) if times else None

    # The figures ------------------------------------------------------------------------
    def served(self) -> list[Kabupaten]:
        return list(self.tenants)

    def kabupaten(self, code: str) -> KabupatenTimes:
        """The table of one served kabupaten (NotFound otherwise), from the cache when fresh."""
        kabupaten = self.tenants.get(code)
        if kabupaten is None:
            raise NotFound("Kabupaten ini tidak dilayani BAKSO.")
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get(code)
        if cached is not None and now - cached[0] < self.settings.cache_seconds:
            return cached[1]
        figures = self._compute(kabupaten)
        with self._lock:
            self._cache[code] = (now, figures)
        return figures

    def _compute(self, kabupaten: Kabupaten) -> KabupatenTimes:
        zone = zone_named(kabupaten.timezone)
        last = self.clock().astimezone(zone).date()
        first = last - timedelta(days=rules.WINDOW_DAYS - 1)
        selesai: dict[str, list[dict[int, int]]] = {}
        diserahkan: dict[str, list[dict[int, int]]] = {}
        for offset in range(rules.WINDOW_DAYS):
            day = (first + timedelta(days=offset)).isoformat()
            for counts in self.records.service_time_day(kabupaten.code, day):
                selesai.setdefault(counts.desa, []).append(counts.selesai)
                diserahkan.setdefault(counts.desa, []).append(counts.diserahkan)
        quarter, months = last_full_quarter(last)
        grades = self.ikm_grades(kabupaten.code, months) if self.ikm_grades else {}
        rows = []
        for desa in self.regions.desa(kabupaten.code):
            kecamatan = self.regions.get(desa.parent)
            rows.append(
                self._line(
                    desa.code,
                    desa.name,
                    kecamatan.name if kecamatan else "",
                    rules.merged(selesai.get(desa.code, [])),
                    rules.merged(diserahkan.get(desa.code, [])),
                    grades.get(desa.code),
                )
            )
        overall = self._line(
            kabupaten.code,
            kabupaten.name,
            "",
            rules.merged(h for hs in selesai.values() for h in hs),
            rules.merged(h for hs in diserahkan.values() for h in hs),
            grades.get(kabupaten.code),
        )
        shown = sum(row.selesai.count for row in rows if row.enough)
        hidden = overall.selesai.count - shown
        return KabupatenTimes(
            kabupaten.code,
            kabupaten.name,
            first,
            last,
            rows,
            overall,
            self.settings.min_requests,
            self.settings.ikm_min_respondents,
            quarter,
            self.ikm_grades is not None,
            shown,
            overall.enough and 0 < hidden < self.settings.min_requests,
        )

    def _line(
        self,
        code: str,
        name: str,
        kecamatan: str,
        selesai: dict[int, int],
        diserahkan: dict[int, int],
        ikm: tuple[int, str | None] | None,
    ) -> DesaTimes:
        floor = self.settings.min_requests
        done, handed = Spread.of(selesai), Spread.of(diserahkan)
        respondents, letter = ikm or (0, None)
        enough_ikm = respondents >= self.settings.ikm_min_respondents
        return DesaTimes(
            code,
            name,
            kecamatan,
            done,
            handed,
            done.count >= floor,
            handed.count >= floor,
            letter if enough_ikm else None,
            respondents,
        )


def last_full_quarter(today: date) -> tuple[str, list[str]]:
    """The quarter before `today`'s, as "2026-Q3" and its three months (yyyy-mm)."""
    quarter = (today.month - 1) // 3  # 0-3, today's
    year = today.year if quarter else today.year - 1
    quarter = quarter or 4
    months = [f"{year:04d}-{m:02d}" for m in range(3 * quarter - 2, 3 * quarter + 1)]
    return f"{year:04d}-Q{quarter}", months
