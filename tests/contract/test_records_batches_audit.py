"""The Records contract, continued: batches, a batch's requests, and searching the audit log."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.model import (
    VOLUME_READY,
    Batch,
    Request,
    Volume,
    batch_position,
)
from bakso.ports import MAX_REQUEST_WRITES, Records, RequestWrite
from bakso.services.audit import AuditService
from contract.test_records import DESA_A, created, make_request, moved, store


def make_batch(created_at: str, **changes: object) -> Batch:
    batch = Batch(
        id=str(uuid.uuid4()),
        created_by="dukcapil.ana",
        created_at=created_at,
        filters={"kecamatan": None, "desa": DESA_A, "service": None},
    )
    return dataclasses.replace(batch, **changes)  # type: ignore[arg-type]


def _at(minute: int) -> str:
    return f"2026-01-06T10:{minute:02d}:00Z"


def test_created_batch_reads_back_and_save_replaces_it(records: Records) -> None:
    batch = make_batch(_at(0))
    records.create_batch(batch)
    assert records.get_batch(batch.id) == batch

    volume = Volume(1, "a", "b", 3, 100, VOLUME_READY, f"batches/{batch.id}-001.zip", "0" * 64)
    ready = dataclasses.replace(batch, status="READY", count=3, volumes=[volume], version=1)
    records.save_batch(ready, expected_version=0)

    assert records.get_batch(batch.id) == ready
    assert records.get_batch(str(uuid.uuid4())) is None


def test_a_batch_is_saved_only_over_the_version_it_was_read_at(records: Records) -> None:
    batch = make_batch(_at(0))
    records.create_batch(batch)
    first = dataclasses.replace(batch, step=1, version=1)
    records.save_batch(first, expected_version=0)

    # A second delivery of the same step, read before the first was recorded:
    with pytest.raises(Conflict):
        records.save_batch(dataclasses.replace(batch, step=1, cursor="x", version=1), 0)

    assert records.get_batch(batch.id) == first


def test_saving_a_batch_that_was_never_created_changes_nothing(records: Records) -> None:
    ghost = make_batch(_at(0))

    with pytest.raises(Conflict):
        records.save_batch(ghost, expected_version=0)

    assert records.get_batch(ghost.id) is None
    assert records.list_batches(kabupaten="", cursor=None, limit=10) == ([], None)


def test_list_batches_is_newest_first_and_pages_with_a_cursor(records: Records) -> None:
    batches = [make_batch(_at(i // 2)) for i in range(7)]  # ties on created_at
    for batch in batches:
        records.create_batch(batch)
    expected = sorted(batches, key=lambda b: (b.created_at, b.id), reverse=True)
    seen: list[Batch] = []
    cursor = None

    while True:
        page, cursor = records.list_batches(kabupaten="", cursor=cursor, limit=3)
        assert len(page) <= 3
        seen.extend(page)
        if cursor is None:
            break

    assert seen == expected


def test_each_kabupatens_batches_are_listed_apart(records: Records) -> None:
    """#16: an officer's list is their kabupaten's; those from before name none ("")."""
    lombok = [make_batch(_at(i), kabupaten="52.03") for i in range(3)]
    sumbawa = [
        make_batch(_at(i), kabupaten="52.04", filters={"desa": "52.04.02.2001"}) for i in range(2)
    ]
    old = make_batch(_at(9))
    for batch in [*lombok, *sumbawa, old]:
        records.create_batch(batch)

    def listed(kabupaten: str) -> list[str]:
        ids: list[str] = []
        cursor = None
        while True:
            page, cursor = records.list_batches(kabupaten=kabupaten, cursor=cursor, limit=2)
            ids += [b.id for b in page]
            if cursor is None:
                return ids

    def newest(batches: list[Batch]) -> list[str]:
        return [b.id for b in sorted(batches, key=lambda b: b.created_at, reverse=True)]

    assert listed("52.04") == newest(sumbawa)
    assert listed("52.03") == newest(lombok)
    assert listed("") == [old.id]
    assert listed("32.18") == []
    # Written again (built, downloaded), a batch stays in its kabupaten's list.
    records.save_batch(dataclasses.replace(sumbawa[0], status="READY", version=1), 0)
    records.save_batch(dataclasses.replace(old, status="READY", version=1), 0)
    assert listed("52.04") == newest(sumbawa)
    assert listed("") == [old.id]


def _in_batch(records: Records, request: Request, batch_id: str) -> Request:
    after, event = moved(request, Status.DITERIMA, _at(30))
    after = dataclasses.replace(after, batch_id=batch_id)
    records.save_request(after, expected_version=request.version, event=event)
    return after


def test_requests_in_batch_are_those_carrying_its_id_oldest_first(records: Records) -> None:
    batch_id, other_id = str(uuid.uuid4()), str(uuid.uuid4())
    late = _in_batch(records, store(records, make_request(created_at=_at(5))), batch_id)
    early = _in_batch(records, store(records, make_request(created_at=_at(1))), batch_id)
    _in_batch(records, store(records, make_request(created_at=_at(2))), other_id)
    store(records, make_request(created_at=_at(3)))

    assert records.requests_in_batch(batch_id) == [early, late]
    assert records.requests_in_batch(str(uuid.uuid4())) == []


def test_requests_in_batch_read_by_position_range_and_limit(records: Records) -> None:
    batch_id = str(uuid.uuid4())
    members = [
        _in_batch(records, store(records, make_request(created_at=_at(minute))), batch_id)
        for minute in (4, 1, 3, 2, 5)
    ]
    ordered = sorted(members, key=batch_position)
    positions = [batch_position(r) for r in ordered]

    assert records.requests_in_batch(batch_id, limit=2) == ordered[:2]
    assert records.requests_in_batch(batch_id, after=positions[1], limit=2) == ordered[2:4]
    assert records.requests_in_batch(batch_id, after=positions[3]) == ordered[4:]
    assert records.requests_in_batch(batch_id, through=positions[1]) == ordered[:2]
    assert (
        records.requests_in_batch(batch_id, after=positions[0], through=positions[3])
        == ordered[1:4]
    )
    assert (
        records.requests_in_batch(batch_id, after=positions[0], through=positions[3], limit=1)
        == ordered[1:2]
    )
    assert records.requests_in_batch(batch_id, after=positions[4]) == []


def test_save_requests_writes_all_with_their_events_or_none(records: Records) -> None:
    stored = [
        store(records, make_request(status=Status.DIAJUKAN)) for _ in range(MAX_REQUEST_WRITES)
    ]
    moves = [moved(r, Status.DITERIMA, _at(40)) for r in stored]

    records.save_requests(
        [RequestWrite(after, r.version, ev) for r, (after, ev) in zip(stored, moves, strict=True)]
    )

    for request, (after, _) in zip(stored, moves, strict=True):
        assert records.get_request(request.id) == after
        assert records.timeline(request.id)[-1].to_status is Status.DITERIMA
    entries = records.audit_entries(limit=1000)
    assert AuditService(records).verify().problem is None
    assert len(entries) == 2 * MAX_REQUEST_WRITES  # created + moved, chained in order

    # One stale version among them: nothing of the chunk is written.
    again = [moved(after, Status.DIPROSES, _at(41)) for after, _ in moves]
    writes = [RequestWrite(a, b.version, ev) for (b, _), (a, ev) in zip(moves, again, strict=True)]
    writes[3] = RequestWrite(writes[3].request, 99, writes[3].event)
    with pytest.raises(Conflict):
        records.save_requests(writes[:5])
    assert [records.get_request(r.id).status for r in stored[:5]] == [Status.DITERIMA] * 5
    assert len(records.audit_entries(limit=1000)) == 2 * MAX_REQUEST_WRITES


@pytest.fixture
def audit_log(records: Records) -> Records:
    """seq 1..6: two targets, two actors, one minute apart."""
    for minute, actor, target in [
        (0, "admin", "op.a"),
        (1, "dukcapil.ana", "r-1"),
        (2, "admin", "r-1"),
        (3, "dukcapil.ana", "r-2"),
        (4, "dukcapil.ana", "r-1"),
        (5, "admin", "op.a"),
    ]:
        records.append_audit(
            chain="52.03", at=_at(minute), actor=actor, action="x", target=target, data={}
        )
    return records


def _search(records: Records, **filters: object) -> list[int]:
    query: dict[str, object] = {
        "target": None,
        "actor": None,
        "since": None,
        "until": None,
        "before_seq": None,
        "limit": 100,
        **filters,
    }
    return [entry.seq for entry in records.audit_search(**query)]  # type: ignore[arg-type]


def test_audit_search_without_filters_is_newest_first(audit_log: Records) -> None:
    assert _search(audit_log) == [6, 5, 4, 3, 2, 1]
    assert _search(audit_log, limit=2) == [6, 5]
    assert _search(audit_log, before_seq=3) == [2, 1]
    assert _search(audit_log, before_seq=1) == []


def test_audit_search_by_target_actor_or_both(audit_log: Records) -> None:
    assert _search(audit_log, target="r-1") == [5, 3, 2]
    assert _search(audit_log, actor="admin") == [6, 3, 1]
    assert _search(audit_log, target="r-1", actor="dukcapil.ana") == [5, 2]
    assert _search(audit_log, target="r-1", before_seq=5) == [3, 2]
    assert _search(audit_log, target="nobody") == []


def test_audit_search_by_time_keeps_since_and_drops_until(audit_log: Records) -> None:
    assert _search(audit_log, since=_at(2), until=_at(4)) == [4, 3]
    assert _search(audit_log, actor="dukcapil.ana", since=_at(3), limit=1) == [5]


def test_audit_search_entries_are_the_stored_ones(audit_log: Records) -> None:
    (entry,) = audit_log.audit_search(
        target="r-2", actor=None, since=None, until=None, before_seq=None, limit=10
    )

    assert entry == audit_log.audit_entries(after_seq=3, limit=1)[0]


def test_event_written_with_a_request_is_found_by_its_target(records: Records) -> None:
    request = store(records, make_request())

    (entry,) = records.audit_search(
        target=request.id, actor=None, since=None, until=None, before_seq=None, limit=10
    )

    assert (entry.action, entry.actor) == (created(request).action, request.created_by)
