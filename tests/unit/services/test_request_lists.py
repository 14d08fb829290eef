"""Dukcapil's list of requests waiting longer than N days (#15): its first page is not
empty however busy the last days were.

Filters the store has no index for are applied to the pages it returns, reading at most
FILTERED_PAGES_PER_CALL pages per call. Walking from the newest, a busy week filled all of
them with requests too young to match, so the first page came back empty (a cursor to go
on). A request in a status since before the cutoff was created before it too, so the
walk starts at the cutoff.
"""

from __future__ import annotations

from datetime import timedelta

from bakso.domain.lifecycle import Status
from bakso.services.requests import FILTERED_PAGES_PER_CALL
from contract.test_records import created, make_request
from fakes import FakeSet
from helpers import DESA_A
from unit.services.support import DUKCAPIL, OPERATOR

LIMIT = 5


def _seed(fakes: FakeSet, days_ago: int, count: int) -> list[str]:
    at = (fakes.services.requests.clock() - timedelta(days=days_ago)).isoformat()
    ids = []
    for _ in range(count):
        request = make_request(desa=DESA_A, status=Status.DIAJUKAN, created_at=at)
        assert fakes.records.create_request(request, created(request))
        ids.append(request.id)
    return ids


def test_requests_waiting_over_a_week_come_first_behind_a_busy_week(fakes: FakeSet) -> None:
    old = _seed(fakes, days_ago=30, count=LIMIT)
    _seed(fakes, days_ago=1, count=LIMIT * FILTERED_PAGES_PER_CALL + 10)

    for actor in (DUKCAPIL, OPERATOR):
        page = fakes.services.requests.list_requests(
            actor, status="DIAJUKAN", desa=None, cursor=None, limit=LIMIT, older_than_days=7
        )

        assert sorted(r.id for r in page.items) == sorted(old)


def test_a_cursor_from_before_the_cutoff_goes_on_from_there(fakes: FakeSet) -> None:
    old = _seed(fakes, days_ago=30, count=LIMIT * 2)
    _seed(fakes, days_ago=1, count=3)
    requests = fakes.services.requests

    first = requests.list_requests(
        DUKCAPIL, status=None, desa=None, cursor=None, limit=LIMIT, older_than_days=7
    )
    second = requests.list_requests(
        DUKCAPIL, status=None, desa=None, cursor=first.cursor, limit=LIMIT, older_than_days=7
    )

    seen = [r.id for r in first.items + second.items]
    assert sorted(seen) == sorted(old)
