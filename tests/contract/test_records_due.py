"""The retention index of the records ports (bakso.ports.due), alike on every adapter set.

What retention may still have to clean up is listed oldest first, below a
time, page by page; a record leaves the list once there is nothing left to
clean (a scan completed or deleted, a batch purged, a return finished).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import TypeVar

from bakso.domain.returns import RETURN_DONE, RETURN_FAILED, RETURN_QUEUED, ReturnFile, ReturnRun
from bakso.ports import DuePage, Records
from contract.test_records import make_request, make_scan, store
from contract.test_records_batches_audit import make_batch

T = TypeVar("T")


def at(day: int) -> str:
    return f"2026-03-{day:02d}T08:00:00.000+00:00"


def walk(read: Callable[[str | None], DuePage[T]]) -> list[T]:
    items: list[T] = []
    cursor: str | None = None
    while True:
        page = read(cursor)
        items += page.items
        if page.cursor is None:
            return items
        cursor = page.cursor


def test_pending_scans_are_listed_oldest_first_until_completed_or_deleted(
    records: Records,
) -> None:
    request = store(records, make_request())
    other = store(records, make_request())
    late = records.add_scan(make_scan(request.id, "late", created_at=at(3)))
    early = records.add_scan(make_scan(other.id, "early", created_at=at(1)))
    done = records.add_scan(make_scan(request.id, "done", created_at=at(2), sha="b"))
    records.set_scan_state(request.id, done.id, "ok")
    records.add_scan(make_scan(request.id, "new", created_at=at(9), sha="c"))

    page = records.pending_scans(before=at(5), cursor=None, limit=1)
    assert page.items == [early] and page.cursor is not None
    rest = records.pending_scans(before=at(5), cursor=page.cursor, limit=1)
    assert rest.items == [late]
    assert walk(lambda c: records.pending_scans(before=at(5), cursor=c, limit=1)) == [early, late]

    records.set_scan_state(other.id, early.id, "ok")
    records.delete_scan(request.id, late.id)
    assert records.pending_scans(before=at(5), cursor=None, limit=10).items == []


def test_batches_are_listed_oldest_first_until_marked_purged(records: Records) -> None:
    old, older, recent = make_batch(at(2)), make_batch(at(1)), make_batch(at(8))
    for batch in (old, older, recent):
        records.create_batch(batch)

    listed = walk(lambda c: records.unpurged_batches(before=at(5), cursor=c, limit=1))
    assert [b.id for b in listed] == [older.id, old.id]

    records.save_batch(dataclasses.replace(older, purged_at=at(6), version=1), 0)
    listed = walk(lambda c: records.unpurged_batches(before=at(9), cursor=c, limit=10))
    assert [b.id for b in listed] == [old.id, recent.id]


def make_run(created_at: str, status: str) -> ReturnRun:
    table = ReturnFile("hasil.csv", "a" * 64, 10, "text/csv")
    return ReturnRun(str(uuid.uuid4()), "dukcapil", "dukcapil", created_at, table, None, status)


def test_unfinished_returns_are_listed_oldest_first_until_done_or_failed(
    records: Records,
) -> None:
    waiting, queued = make_run(at(2), "WAITING_UPLOAD"), make_run(at(1), RETURN_QUEUED)
    finished = make_run(at(1), RETURN_DONE)
    for run in (waiting, queued, finished):
        assert records.create_return(run)

    listed = walk(lambda c: records.unfinished_returns(before=at(5), cursor=c, limit=1))
    assert [r.id for r in listed] == [queued.id, waiting.id]
    assert records.unfinished_returns(before=at(2), cursor=None, limit=5).items == [queued]

    queued.status = RETURN_FAILED
    records.save_return(queued)
    waiting.status = RETURN_DONE
    records.save_return(waiting)
    assert records.unfinished_returns(before=at(5), cursor=None, limit=5).items == []
