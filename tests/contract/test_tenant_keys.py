"""DynamoDB's partition keys by kabupaten (#16, adapters/aws/tenant_keys): items written
before them are still found, written where they are, and never duplicated; what is due
for retention is read from every kabupaten's partition and the older constant one.

The keys themselves, over a whole day of two kabupaten, are checked by
tests/integration/test_tenant_partition_keys.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bakso.adapters.aws import DynamoRecords
from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.returns import RETURN_QUEUED, ReturnFile, ReturnLine, ReturnRun
from contract.conftest import AdapterSet
from contract.test_records import created, make_request, make_scan, moved, store
from contract.test_records_batches_audit import make_batch
from contract.test_records_due import at, walk
from contract.test_records_kabupaten import move_to_older_key

SUMBAWA_DESA = "52.04.02.2001"


@pytest.fixture
def dynamo(adapter_set: AdapterSet) -> DynamoRecords:
    if adapter_set.name != "aws":
        pytest.skip("DynamoDB's keys")
    records: Any = adapter_set.records
    return DynamoRecords(records.client, records.table, kabupaten=("52.03", "52.04"))


def restarted(records: DynamoRecords) -> DynamoRecords:
    """The adapter of a process started later: nothing cached."""
    return DynamoRecords(records.client, records.table, kabupaten=records.keys.codes)


def _item(records: DynamoRecords, pk: str, sk: str) -> dict[str, Any] | None:
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    found: dict[str, Any] | None = records.client.get_item(TableName=records.table, Key=key).get(
        "Item"
    )
    return found


def _unkeyed_claim(records: DynamoRecords, code: str) -> None:
    """A code claim as written before #16: the request's id only."""
    records.client.update_item(
        TableName=records.table,
        Key={"PK": {"S": f"CODE#{code}"}, "SK": {"S": "CODE"}},
        UpdateExpression="REMOVE kabupaten",
    )


def test_a_new_request_and_its_scans_are_under_its_kabupatens_key(dynamo: DynamoRecords) -> None:
    request = store(dynamo, make_request(desa=SUMBAWA_DESA))
    dynamo.add_scan(make_scan(request.id, "s1"))

    assert _item(dynamo, f"REQ#52.04#{request.id}", "REQ") is not None
    assert _item(dynamo, f"REQ#52.04#{request.id}", "SCAN#s1") is not None
    assert _item(dynamo, f"REQ#{request.id}", "REQ") is None
    pointer = _item(dynamo, f"REQID#{request.id}", "POINTER")
    assert pointer == {
        "PK": {"S": f"REQID#{request.id}"},
        "SK": {"S": "POINTER"},
        "kabupaten": {"S": "52.04"},
    }
    assert _item(dynamo, f"CODE#{request.code}", "CODE")["kabupaten"] == {"S": "52.04"}  # type: ignore[index]
    later = restarted(dynamo)
    assert later.get_request(request.id) == request
    assert [s.id for s in later.list_scans(request.id)] == ["s1"]


def test_a_request_written_before_the_keys_is_found_written_in_place_and_not_copied(
    dynamo: DynamoRecords,
) -> None:
    request = store(dynamo, make_request())
    scan = dynamo.add_scan(make_scan(request.id, "s1"))
    move_to_older_key(dynamo, "REQ", request.id)
    _unkeyed_claim(dynamo, request.code)
    later = restarted(dynamo)

    assert later.get_request(request.id) == request
    assert later.get_request_by_code(request.code) == request
    assert later.get_requests_by_codes([request.code]) == {request.code: request}
    assert later.list_scans(request.id) == [scan]
    assert [e.action for e in later.timeline(request.id)] == ["request.create"]
    # A replay of its creation is a replay, not a second request under the new key.
    assert later.create_request(request, created(request)) is False
    after, event = moved(request, Status.DIAJUKAN, "2026-01-05T09:00:00Z")
    later.save_request(after, request.version, event)
    later.set_scan_state(request.id, scan.id, "ok")

    assert later.get_request(request.id) == after
    assert len(later.timeline(request.id)) == 2
    assert _item(later, f"REQ#{request.id}", "REQ") is not None
    assert _item(later, f"REQ#{request.id}", "SCAN#s1")["state"] == {"S": "ok"}  # type: ignore[index]
    assert _item(later, f"REQ#52.03#{request.id}", "REQ") is None
    with pytest.raises(Conflict):  # a stale write of it is refused as before
        later.save_request(after, request.version, None)
    page = later.list_requests(
        kabupaten="52.03", desa=None, status=Status.DIAJUKAN, cursor=None, limit=10
    )
    assert page.items == [after]


def test_lists_mixing_older_and_newer_keys_page_through_each_once(dynamo: DynamoRecords) -> None:
    made = [store(dynamo, make_request(created_at=f"2026-01-05T08:0{i}:00Z")) for i in range(5)]
    for request in made[::2]:
        move_to_older_key(dynamo, "REQ", request.id)
    later = restarted(dynamo)
    seen: list[str] = []
    cursor = None
    while True:
        page = later.list_requests(
            kabupaten="52.03", desa=None, status=None, cursor=cursor, limit=2
        )
        seen += [r.id for r in page.items]
        if (cursor := page.cursor) is None:
            break
    assert seen == [r.id for r in reversed(made)]


def test_batches_and_returns_written_before_the_keys_are_found_and_kept(
    dynamo: DynamoRecords,
) -> None:
    batch = make_batch("2026-01-05T08:00:00Z")
    dynamo.create_batch(batch)
    run = ReturnRun(
        id="r-old",
        created_by="dukcapil",
        role="dukcapil",
        created_at="2026-01-05T08:00:00Z",
        table=ReturnFile("hasil.csv", "a" * 64, 10, "text/csv"),
        pdfs=None,
        status=RETURN_QUEUED,
    )
    assert dynamo.create_return(run)
    move_to_older_key(dynamo, "BATCH", batch.id)
    move_to_older_key(dynamo, "RETURN", run.id)
    later = restarted(dynamo)

    assert later.get_batch(batch.id) == batch
    with pytest.raises(Conflict):  # not created again under the new key
        later.create_batch(batch)
    later.save_batch(dataclasses.replace(batch, version=1), expected_version=0)
    assert later.get_batch(batch.id) == dataclasses.replace(batch, version=1)
    assert _item(later, f"BATCH#{batch.id}", "BATCH") is not None
    assert later.get_return(run.id) == run
    assert later.create_return(run) is False
    later.add_return_lines(run.id, [ReturnLine(run.id, 1, 1, "LT-AAAA-AAAA", "applied", "")])
    assert [line.seq for line in later.return_lines(run.id, after=0, limit=10)] == [1]
    assert _item(later, f"RETURN#{run.id}", "LINE#0000000001") is not None


def test_pending_scans_come_from_every_kabupaten_and_the_older_partition_oldest_first(
    dynamo: DynamoRecords,
) -> None:
    lombok = store(dynamo, make_request())
    sumbawa = store(dynamo, make_request(desa=SUMBAWA_DESA))
    scans = [
        dynamo.add_scan(make_scan(sumbawa.id, "sb-1", created_at=at(1))),
        dynamo.add_scan(make_scan(lombok.id, "lt-2", created_at=at(2))),
        dynamo.add_scan(make_scan(sumbawa.id, "sb-3", created_at=at(3), sha="b")),
        dynamo.add_scan(make_scan(lombok.id, "lt-4", created_at=at(4), sha="b")),
    ]
    # One as written before #16: under the constant "scan".
    dynamo.client.update_item(
        TableName=dynamo.table,
        Key={"PK": {"S": f"REQ#52.03#{lombok.id}"}, "SK": {"S": "SCAN#lt-2"}},
        UpdateExpression="SET retention_key = :kind",
        ExpressionAttributeValues={":kind": {"S": "scan"}},
    )
    keys = {
        _item(dynamo, f"REQ#{k}#{r.id}", f"SCAN#{s}")["retention_key"]["S"]  # type: ignore[index]
        for k, r, s in (("52.04", sumbawa, "sb-1"), ("52.03", lombok, "lt-4"))
    }
    assert keys == {"scan#52.04", "scan#52.03"}

    for limit in (1, 2, 3, 10):
        pages = walk(lambda c, n=limit: dynamo.pending_scans(before=at(9), cursor=c, limit=n))
        assert pages == scans, limit
    assert dynamo.pending_scans(before=at(3), cursor=None, limit=10).items == scans[:2]
