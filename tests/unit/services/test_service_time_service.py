"""Service times (#19, docs/service-times.md) on the fakes: what the observer counts, the
figures computed from the histograms (checked against values worked out by hand), the
minimum, the bounded reads of a page view and its cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bakso.config import ConfigError, load
from bakso.domain.lifecycle import Status
from bakso.domain.localtime import zone_named
from bakso.domain.model import Event
from bakso.domain.service_times import DayCounts, nearest_rank, whole_days
from bakso.services.service_times import (
    ServiceTimeService,
    ServiceTimeSettings,
    last_full_quarter,
)
from fakes import FakeSet
from helpers import DESA_A, DESA_B
from unit.services.test_retention_service import handed_over, selesai

KAB = "52.03"
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # 12.00 WITA
TODAY = date(2026, 11, 30)
SETTINGS = ServiceTimeSettings(min_requests=10, ikm_min_respondents=30)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def service(fakes: FakeSet, ticks: Ticks | None = None) -> ServiceTimeService:
    services = fakes.services
    return ServiceTimeService(
        fakes.records,
        fakes.queue,
        services.tenants,
        services.regions,
        SETTINGS,
        lambda: NOW,
        monotonic=ticks or Ticks(),
    )


def seed(fakes: FakeSet, desa: str, status: str, spans: list[int], ago: int = 3) -> None:
    for n, days in enumerate(spans):
        day = (TODAY - timedelta(days=ago + n % 5)).isoformat()
        assert fakes.records.count_service_time(f"{desa}-{n}", status, KAB, desa, day, days)


def test_nearest_rank_and_whole_days_by_hand() -> None:
    # N=4: median rank ceil(2)=2 -> the lower middle; p90 rank ceil(3.6)=4.
    assert nearest_rank({1: 1, 2: 1, 5: 1, 9: 1}, 50) == 2
    assert nearest_rank({1: 1, 2: 1, 5: 1, 9: 1}, 90) == 9
    assert nearest_rank({}, 50) is None
    wita = zone_named("Asia/Makassar")
    # Monday 16:00 WITA to Tuesday 09:00 WITA: one calendar day, though under 24 hours.
    assert whole_days("2026-11-02T08:00:00+00:00", "2026-11-03T01:00:00+00:00", wita) == 1
    # 23:30 UTC is already the next morning in WITA.
    assert whole_days("2026-11-02T00:30:00+00:00", "2026-11-02T23:30:00+00:00", wita) == 1


def test_the_figures_are_the_medians_and_p90_worked_out_by_hand(fakes: FakeSet) -> None:
    # DESA_A: 12 served. Sorted 1,1,2,2,2,3,3,4,5,7,9,20: median rank ceil(6)=6 -> 3,
    # p90 rank ceil(10.8)=11 -> 9. Handed over 10: 2,3,3,4,4,5,6,8,10,30: rank 5 -> 4,
    # rank 9 -> 10.
    seed(fakes, DESA_A, "SELESAI", [20, 1, 2, 9, 3, 1, 2, 7, 4, 2, 5, 3])
    seed(fakes, DESA_A, "DISERAHKAN", [30, 2, 3, 3, 4, 4, 5, 6, 8, 10])
    # DESA_B: 9 served (below 10): no figure of its own, but in the kabupaten's.
    seed(fakes, DESA_B, "SELESAI", [0] * 9)
    # Outside the 90 days (today and the 89 before): not counted anywhere.
    fakes.records.count_service_time("old", "SELESAI", KAB, DESA_A, "2026-09-01", 99)
    fakes.records.count_service_time("new", "SELESAI", KAB, DESA_B, "2026-09-02", 50)

    times = service(fakes).kabupaten(KAB)

    assert (times.first_day, times.last_day) == (date(2026, 9, 2), TODAY)
    a = next(r for r in times.rows if r.code == DESA_A)
    assert (a.selesai.count, a.selesai.median, a.selesai.p90, a.enough) == (12, 3, 9, True)
    assert (a.diserahkan.count, a.diserahkan.median, a.diserahkan.p90) == (10, 4, 10)
    assert a.enough_diserahkan
    b = next(r for r in times.rows if r.code == DESA_B)
    assert b.selesai.count == 10 and b.enough  # the 2 September one is day 1 of 90
    # Kabupaten: 0 x9, 50, and DESA_A's 12 -> 22 values 0x9,1,1,2,2,2,3,3,4,5,7,9,20,50:
    # median rank 11 -> 1; p90 rank ceil(19.8)=20 -> 9.
    o = times.overall
    assert (o.selesai.count, o.selesai.median, o.selesai.p90) == (22, 1, 9)
    assert (o.diserahkan.median, o.diserahkan.p90) == (4, 10)


def test_a_desa_below_the_minimum_has_no_figure(fakes: FakeSet) -> None:
    seed(fakes, DESA_A, "SELESAI", [1] * 9)
    seed(fakes, DESA_A, "DISERAHKAN", [2] * 9)
    a = next(r for r in service(fakes).kabupaten(KAB).rows if r.code == DESA_A)
    assert not a.enough and not a.enough_diserahkan


def test_the_kabupatens_count_does_not_give_away_what_the_hidden_desa_served(
    fakes: FakeSet,
) -> None:
    seed(fakes, DESA_B, "SELESAI", [2] * 3)  # hidden: 12 + 3 = 15 would tell "3"
    # With the kabupaten itself below the minimum it says "kurang dari 10": nothing to hide.
    assert not service(fakes).kabupaten(KAB).hidden_few
    seed(fakes, DESA_A, "SELESAI", [1] * 12)  # shown
    few = service(fakes).kabupaten(KAB)
    assert few.overall.selesai.count == 15 and few.overall.enough
    assert (few.shown_served, few.hidden_few) == (12, True)

    # The hidden desa together reach the minimum: the total tells no single small desa.
    other = "52.03.02.2001"
    seed(fakes, other, "SELESAI", [3] * 7)
    enough = service(fakes).kabupaten(KAB)
    assert (enough.overall.selesai.count, enough.hidden_few) == (22, False)


def test_a_request_counts_once_at_selesai_and_once_at_diserahkan(fakes: FakeSet) -> None:
    request_id = handed_over(fakes)
    request = fakes.records.get_request(request_id)
    assert request is not None and request.status is Status.DISERAHKAN
    observer = fakes.services.service_times
    assert observer is not None
    # The worker redelivers, a return replays: the same moves told again count nothing.
    before = replace(request, status=Status.SELESAI)
    observer.on_request_change(before, request, request.updated_at)
    observer.on_request_change(
        replace(request, status=Status.DIPROSES),
        replace(request, status=Status.SELESAI),
        request.updated_at,
    )
    counted = [
        c
        for offset in range(3)
        for c in fakes.records.service_time_day(
            KAB,
            (datetime.now(UTC) + timedelta(hours=8) - timedelta(days=offset)).date().isoformat(),
        )
    ]
    assert sum(sum(c.selesai.values()) for c in counted) == 1
    assert sum(sum(c.diserahkan.values()) for c in counted) == 1


class Timeline:
    """A records stand-in whose timeline the test writes (two submissions)."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.counted: list[tuple[str, str, str, str, str, int]] = []

    def timeline(self, request_id: str) -> list[Event]:
        return self.events

    def get_request(self, request_id: str) -> None:
        return None

    def count_service_time(self, *args: object) -> bool:
        self.counted.append(args)  # type: ignore[arg-type]
        return True

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]:
        return []


def test_days_run_from_the_latest_submission_and_to_the_handover_day(fakes: FakeSet) -> None:
    request = fakes.records.get_request(selesai(fakes))
    assert request is not None
    events = [
        Event(request.id, "2026-11-01T02:00:00+00:00", "op.a", Status.DRAF, Status.DIAJUKAN),
        Event(
            request.id, "2026-11-03T02:00:00+00:00", "op.a", Status.PERLU_PERBAIKAN, Status.DIAJUKAN
        ),
    ]
    stand_in = Timeline(events)
    observer = ServiceTimeService(
        stand_in, fakes.queue, fakes.services.tenants, fakes.services.regions, SETTINGS, lambda: NOW
    )
    done = replace(request, status=Status.SELESAI)
    observer.count(done, "2026-11-10T02:00:00+00:00")
    handed = replace(done, status=Status.DISERAHKAN, handover={"date": "2026-11-12"})
    observer.count(handed, "2026-11-20T02:00:00+00:00")
    assert stand_in.counted == [
        (request.id, "SELESAI", KAB, request.desa, "2026-11-10", 7),
        (request.id, "DISERAHKAN", KAB, request.desa, "2026-11-12", 9),
    ]


def test_a_page_of_many_desa_reads_one_query_per_day_then_the_cache(fakes: FakeSet) -> None:
    desa = [r.code for r in fakes.services.regions.desa(KAB)]
    assert len(desa) > 200  # Lombok Timur's desa and kelurahan
    for n, code in enumerate(desa):
        day = (TODAY - timedelta(days=n % 90)).isoformat()
        fakes.records.count_service_time(f"r{n}", "SELESAI", KAB, code, day, n % 7)
    ticks = Ticks()
    page = service(fakes, ticks)
    fakes.records.service_time_reads = 0

    times = page.kabupaten(KAB)
    assert times.overall.selesai.count == len(desa)
    assert fakes.records.service_time_reads == 90  # whatever the number of desa
    page.kabupaten(KAB)
    ticks.now += 299
    page.kabupaten(KAB)
    assert fakes.records.service_time_reads == 90  # served from memory
    ticks.now += 2
    page.kabupaten(KAB)
    assert fakes.records.service_time_reads == 180


def test_the_last_full_quarter() -> None:
    assert last_full_quarter(date(2026, 11, 30)) == ("2026-Q3", ["2026-07", "2026-08", "2026-09"])
    assert last_full_quarter(date(2026, 2, 1)) == ("2025-Q4", ["2025-10", "2025-11", "2025-12"])


def test_the_ikm_grade_of_the_last_quarter_shows_from_the_minimum(fakes: FakeSet) -> None:
    from bakso.bootstrap_layanan import ikm_grades_of
    from bakso.ports.ikm import IkmAnswer

    ikm = fakes.services.ikm
    assert ikm is not None
    answers = [(DESA_A, 4, 30, "2026-08"), (DESA_B, 3, 29, "2026-09"), (DESA_B, 1, 5, "2026-10")]
    for desa, each, count, month in answers:
        for n in range(count):
            ikm.store.add_answer(
                IkmAnswer(
                    f"{desa}-{month}-{n}",
                    desa,
                    month,
                    (each,) * 9,
                    "",
                    NOW.isoformat(),
                    f"{month}-01",
                )
            )
    page = service(fakes)
    page.ikm_grades = ikm_grades_of(ikm)

    times = page.kabupaten(KAB)
    a = next(r for r in times.rows if r.code == DESA_A)
    b = next(r for r in times.rows if r.code == DESA_B)
    assert (a.ikm_grade, a.ikm_respondents) == ("A", 30)  # 4 x 25 = 100
    assert (b.ikm_grade, b.ikm_respondents) == (None, 29)  # October is not in Q3 either
    # The kabupaten: 30 x 4 and 29 x 3 pooled: (120 + 87) / 59 x 25 = 87.71 -> B.
    assert (times.overall.ikm_grade, times.overall.ikm_respondents) == ("B", 59)
    assert times.ikm_quarter == "2026-Q3"


def test_a_minimum_under_five_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="BAKSO_SERVICE_TIMES_MIN_REQUESTS"):
        load(environ={"BAKSO_SERVICE_TIMES_MIN_REQUESTS": "3"})


def test_a_count_the_store_refused_is_made_by_the_worker_once(
    fakes: FakeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bakso.domain.errors import StoreUnavailable
    from bakso.workers.handlers import drain_until_idle

    real = fakes.records.count_service_time
    failures = iter([True])

    def flaky(*args: Any) -> bool:
        if next(failures, False):
            raise StoreUnavailable("sibuk")
        return real(*args)

    monkeypatch.setattr(fakes.records, "count_service_time", flaky)
    request_id = selesai(fakes)  # the SELESAI count fails: the move stands, queued instead
    request = fakes.records.get_request(request_id)
    assert request is not None and request.status is Status.SELESAI
    drain_until_idle(fakes.services)
    drain_until_idle(fakes.services)  # a redelivery changes nothing

    day = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()  # WITA
    counted = fakes.records.service_time_day(KAB, day)
    assert [sum(c.selesai.values()) for c in counted] == [1]
