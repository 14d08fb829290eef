"""The audit search by time (#15): read through a time index, newest by (at, seq).

Entries are appended in seq order, but their times need not follow it (two writers
that read the clock in one order and commit in the other). A search with a date
filter is ordered by time, and its cursor (`before`, the last entry's seq) pages on
from that entry's (at, seq): no entry is repeated or skipped. On DynamoDB each list is a
Query or two (the cursor's entry read first), never a Scan.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bakso.domain.lifecycle import Status
from bakso.domain.model import AuditEntry
from bakso.ports import Records
from bakso.services.audit import AuditService
from contract.conftest import AdapterSet


def _at(minute: int) -> str:
    return f"2026-03-02T08:{minute:02d}:00Z"


# seq 1..7, their minutes out of order; two actors, two targets.
_ENTRIES = [
    (3, "admin", "r-1"),
    (1, "dukcapil.ana", "r-2"),
    (5, "admin", "r-1"),
    (4, "dukcapil.ana", "r-1"),
    (2, "admin", "r-2"),
    (9, "dukcapil.ana", "r-1"),
    (7, "admin", "r-1"),
]


@pytest.fixture
def log(records: Records) -> Records:
    for minute, actor, target in _ENTRIES:
        records.append_audit(
            chain="52.03", at=_at(minute), actor=actor, action="x", target=target, data={}
        )
    return records


def _search(records: Records, **filters: object) -> list[AuditEntry]:
    query: dict[str, object] = {
        "target": None,
        "actor": None,
        "since": None,
        "until": None,
        "before_seq": None,
        "limit": 100,
        **filters,
    }
    return records.audit_search(**query)  # type: ignore[arg-type]


def _minutes(entries: list[AuditEntry]) -> list[int]:
    return [int(entry.at[14:16]) for entry in entries]


def _pages(records: Records, limit: int, **filters: object) -> list[list[int]]:
    """Every page of a search, as the service pages it (the last entry's seq)."""
    pages, before = [], None
    while True:
        page = _search(records, limit=limit, before_seq=before, **filters)
        pages.append(_minutes(page))
        if len(page) < limit:
            return pages
        before = page[-1].seq


def test_a_search_by_time_is_newest_by_time_even_when_seqs_disagree(log: Records) -> None:
    assert _minutes(_search(log, since=_at(2))) == [9, 7, 5, 4, 3, 2]
    assert _minutes(_search(log, since=_at(2), until=_at(7))) == [5, 4, 3, 2]
    assert _minutes(_search(log, until=_at(4))) == [3, 2, 1]


def test_paging_by_time_repeats_and_skips_nothing(log: Records) -> None:
    assert _pages(log, 2, since=_at(1)) == [[9, 7], [5, 4], [3, 2], [1]]
    assert _pages(log, 3, until=_at(9)) == [[7, 5, 4], [3, 2, 1], []]


def test_paging_by_time_within_an_officer_or_a_target(log: Records) -> None:
    assert _pages(log, 2, actor="admin", since=_at(0)) == [[7, 5], [3, 2], []]
    assert _pages(log, 2, target="r-1", until=_at(8)) == [[7, 5], [4, 3], []]
    assert _pages(log, 1, target="r-1", actor="dukcapil.ana", since=_at(0)) == [[9], [4], []]


def test_a_search_by_time_from_an_unknown_entry_finds_nothing(log: Records) -> None:
    assert _search(log, since=_at(0), before_seq=99) == []


def test_without_a_time_the_order_stays_the_logs(log: Records) -> None:
    assert [e.seq for e in _search(log)] == [7, 6, 5, 4, 3, 2, 1]
    assert [e.seq for e in _search(log, actor="admin", before_seq=5)] == [3, 1]


def _forget_time_keys(records: Any) -> None:
    """As entries written before #15: no key in all-newest (the test's own calls)."""
    found = records.client.query(
        TableName=records.table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :entry)",
        ExpressionAttributeValues={":pk": {"S": "AUDIT#52.03"}, ":entry": {"S": "ENTRY#"}},
    )
    for item in found["Items"]:
        records.client.update_item(
            TableName=records.table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="REMOVE kind, newest",
        )


def test_entries_from_before_the_time_index_are_found_after_the_backfill(
    adapter_set: AdapterSet, log: Records
) -> None:
    older = adapter_set.name == "aws"
    if older:
        _forget_time_keys(log)
        assert _search(log, since=_at(0)) == []
    audit = AuditService(log, page_size=3)

    written, after = audit.index_times(pages=1)
    while after is not None:
        more, after = audit.index_times(after, pages=1)
        written += more

    assert written == (len(_ENTRIES) if older else 0)
    assert _minutes(_search(log, since=_at(0))) == [9, 7, 5, 4, 3, 2, 1]
    assert audit.verify().problem is None  # the chain's links do not cover the index keys
    assert audit.index_times() == (0, None)


def test_on_dynamodb_every_list_is_a_query_or_two_never_a_scan(
    adapter_set: AdapterSet, log: Records
) -> None:
    if adapter_set.name != "aws":
        pytest.skip("counts DynamoDB calls")
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    events = log.client.meta.events  # type: ignore[attr-defined]
    events.register("before-call.dynamodb", count)
    try:
        for filters in [
            {},
            {"before_seq": 5},
            {"target": "r-1"},
            {"actor": "admin", "before_seq": 5},
            {"since": _at(2)},
            {"since": _at(2), "until": _at(8), "before_seq": 4},
            {"actor": "admin", "until": _at(8)},
            {"target": "r-1", "actor": "admin", "since": _at(0), "before_seq": 3},
        ]:
            calls.clear()
            _search(log, limit=2, **filters)
            assert calls["Scan"] == 0 and 1 <= sum(calls.values()) <= 2, (filters, calls)
        for desa in (None, "52.03.01.2001"):
            for status in (None, Status.DIAJUKAN):
                calls.clear()
                log.list_requests(kabupaten="52.03", desa=desa, status=status, cursor=None, limit=5)
                assert dict(calls) == {"Query": 1}, (desa, status, calls)
        calls.clear()
        log.list_batches(kabupaten="52.03", cursor=None, limit=5)
        log.list_users()
        assert dict(calls) == {"Query": 2}, calls
    finally:
        events.unregister("before-call.dynamodb", count)
