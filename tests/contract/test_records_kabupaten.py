"""Request lists and batch gathering by kabupaten, with no hot key (#16 part 3).

A Dukcapil officer's lists are the kabupaten's: a request of another kabupaten is
not in them, on every set. On DynamoDB no request item carries a key every
request shares (all-newest's bare kind "request", status-newest's bare status):
each list is one partition per kabupaten, and a kecamatan's batch reads only its
desa's DIAJUKAN partitions. Items written before are found again after
`bakso records backfill-keys`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bakso.adapters.local import SqliteRecords
from bakso.adapters.local.records import MIGRATIONS
from bakso.adapters.local.sqlite import SqliteDatabase
from bakso.bootstrap import PACKAGE_DATA
from bakso.domain.catalog import Catalog
from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.domain.regions import Regions, kabupaten_of
from bakso.domain.tenants import Tenants, folders
from bakso.ports import Records, RequestWrite
from bakso.services.batch_build import BatchFilters
from bakso.services.batch_sources import sources, waiting_page
from bakso.services.request_base import RequestSettings
from bakso.services.request_keys import RequestKeys
from contract.conftest import AdapterSet
from contract.test_records import make_request, moved, store

KABUPATEN = "52.03"
KECAMATAN = "52.03.01"  # Keruak
OTHER_KECAMATAN_DESA = "52.03.02.2002"  # Sakra
OTHER_KABUPATEN_DESA = "52.02.01.2001"  # Lombok Tengah


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.from_csv(PACKAGE_DATA / "kabupaten/52.03/wilayah.csv")


def _at(n: int) -> str:
    return f"2026-02-01T08:{n:02d}:00Z"


def test_kabupaten_of_a_desa_is_its_first_two_parts() -> None:
    assert kabupaten_of("52.03.01.2001") == "52.03"
    assert kabupaten_of("65.01.01.2001") == "65.01"


def test_lists_hold_only_the_kabupatens_requests(records: Records) -> None:
    ours = store(records, make_request(status=Status.DIAJUKAN, created_at=_at(1)))
    drafted = store(records, make_request(status=Status.DRAF, created_at=_at(2)))
    store(
        records,
        make_request(status=Status.DIAJUKAN, desa=OTHER_KABUPATEN_DESA, created_at=_at(3)),
    )

    def ids(**filters: Any) -> list[str]:
        query: dict[str, Any] = {"desa": None, "status": None, "cursor": None, "limit": 10}
        page = records.list_requests(kabupaten=KABUPATEN, **{**query, **filters})
        return [r.id for r in page.items]

    assert ids() == [drafted.id, ours.id]
    assert ids(status=Status.DIAJUKAN) == [ours.id]
    assert ids(desa=ours.desa, status=Status.DIAJUKAN) == [ours.id]
    assert ids(desa=OTHER_KABUPATEN_DESA) == []  # another kabupaten's desa: nothing
    other = records.list_requests(
        kabupaten="52.02", desa=None, status=Status.DIAJUKAN, cursor=None, limit=10
    )
    assert [r.desa for r in other.items] == [OTHER_KABUPATEN_DESA]


def test_a_kecamatans_batch_pages_through_each_of_its_desa_once(
    records: Records, regions: Regions
) -> None:
    desa = regions.desa_of_kecamatan(KECAMATAN)
    waiting = {
        store(records, make_request(status=Status.DIAJUKAN, desa=d, created_at=_at(i))).id
        for i, d in enumerate([desa[0], desa[0], desa[0], desa[2], desa[-1]])
    }
    store(records, make_request(status=Status.DIAJUKAN, desa=OTHER_KECAMATAN_DESA))
    store(records, make_request(status=Status.DRAF, desa=desa[1]))
    places = sources(BatchFilters(kecamatan=KECAMATAN), regions)
    assert places == desa

    seen: list[str] = []
    cursor: str | None = None
    for _ in range(10):
        page = waiting_page(records, KABUPATEN, places, cursor, 2)
        assert len(page.items) <= 2
        seen += [r.id for r in page.items]
        cursor = page.cursor
        if cursor is None:
            break

    assert sorted(seen) == sorted(waiting)  # each once; no other kecamatan's, no draft


def test_a_cursor_kept_by_an_older_version_goes_on_through_the_kabupatens_list(
    records: Records, regions: Regions
) -> None:
    desa = regions.desa_of_kecamatan(KECAMATAN)
    older = [
        store(records, make_request(status=Status.DIAJUKAN, desa=d, created_at=_at(i)))
        for i, d in enumerate([desa[0], OTHER_KECAMATAN_DESA, desa[1]])
    ]
    # A position, as the older version's gather step kept it: after the newest one.
    first = records.list_requests(
        kabupaten=KABUPATEN, desa=None, status=Status.DIAJUKAN, cursor=None, limit=1
    )
    assert first.cursor is not None and first.items == [older[2]]

    page = waiting_page(
        records, KABUPATEN, sources(BatchFilters(kecamatan=KECAMATAN), regions), first.cursor, 10
    )

    # The kabupaten's list from that position; the builder filters the kecamatan.
    assert [r.id for r in page.items] == [older[1].id, older[0].id]


# DynamoDB ---------------------------------------------------------------------


@contextmanager
def _calls(records: Records) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every DynamoDB call the records make inside the block: (operation, parameters)."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def note(model: Any, params: dict[str, Any], **_: Any) -> None:
        seen.append((model.name, params))

    events = records.client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb", note)
    try:
        yield seen
    finally:
        events.unregister("before-parameter-build.dynamodb", note)


def _written_items(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for name, params in calls:
        if name == "PutItem":
            items.append(params["Item"])
        elif name == "TransactWriteItems":
            items += [w["Put"]["Item"] for w in params["TransactItems"] if "Put" in w]
    return items


def _aws_only(adapter_set: AdapterSet) -> None:
    if adapter_set.name != "aws":
        pytest.skip("DynamoDB's keys")


def test_on_dynamodb_request_writes_key_the_lists_by_kabupaten(adapter_set: AdapterSet) -> None:
    _aws_only(adapter_set)
    records = adapter_set.records
    with _calls(records) as calls:
        first = store(records, make_request(status=Status.DRAF, created_at=_at(1)))
        second = store(records, make_request(status=Status.DRAF, created_at=_at(2)))
        after, event = moved(first, Status.DIAJUKAN, _at(3))
        records.save_request(after, first.version, event)
        records.save_request(dataclasses.replace(after, version=3), 2, None)
        later, later_event = moved(second, Status.DIAJUKAN, _at(4))
        records.save_requests([RequestWrite(later, second.version, later_event)])

    requests = [i for i in _written_items(calls) if i["SK"] == {"S": "REQ"}]
    assert len(requests) == 5
    for item in requests:
        status = Request.from_record(json.loads(item["data"]["S"])).status
        assert "kind" not in item and "status" not in item, item.keys()
        assert item["kind_kabupaten"] == {"S": "request#52.03"}
        assert item["kabupaten_status"] == {"S": f"52.03#{status.value}"}
    assert {i["kabupaten_status"]["S"] for i in requests} == {"52.03#DRAF", "52.03#DIAJUKAN"}

    with _calls(records) as calls:
        for status in (None, Status.DIAJUKAN):
            records.list_requests(
                kabupaten=KABUPATEN, desa=None, status=status, cursor=None, limit=5
            )
    keys = [(p["IndexName"], p["ExpressionAttributeValues"][":pk"]["S"]) for _, p in calls]
    assert keys == [
        ("kind_kabupaten-newest", "request#52.03"),
        ("kabupaten_status-newest", "52.03#DIAJUKAN"),
    ]


def test_on_dynamodb_a_kecamatans_batch_queries_only_its_desa_partitions(
    adapter_set: AdapterSet, regions: Regions
) -> None:
    _aws_only(adapter_set)
    records = adapter_set.records
    desa = regions.desa_of_kecamatan(KECAMATAN)
    for d in (desa[0], desa[3], OTHER_KECAMATAN_DESA):
        store(records, make_request(status=Status.DIAJUKAN, desa=d))
    places = sources(BatchFilters(kecamatan=KECAMATAN, service="KK_BARU"), regions)

    with _calls(records) as calls:
        page = waiting_page(records, KABUPATEN, places, None, 100)

    assert {r.desa for r in page.items} == {desa[0], desa[3]}
    assert {name for name, _ in calls} == {"Query"}
    queried = [(p["IndexName"], p["ExpressionAttributeValues"][":pk"]["S"]) for _, p in calls]
    assert queried == [("desa_status-newest", f"{d}#DIAJUKAN") for d in desa]


def _as_before_16(records: Any, request: Request) -> None:
    """The request's item as a version before #16 wrote it: under `REQ#<id>` with no
    pointer (adapters/aws/tenant_keys), bare kind and status."""
    key = {"PK": {"S": f"REQ#{request.id}"}, "SK": {"S": "REQ"}}
    move_to_older_key(records, "REQ", request.id)
    records.client.update_item(
        TableName=records.table,
        Key=key,
        UpdateExpression=(
            "SET kind = :kind, #status = :status REMOVE kind_kabupaten, kabupaten_status"
        ),
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={
            ":kind": {"S": "request"},
            ":status": {"S": request.status.value},
        },
    )


def move_to_older_key(records: Any, kind: str, item_id: str) -> None:
    """Every item of an id's partition moved to its key from before #16, the pointer gone
    (and forgotten by the adapter): as a version before wrote them."""
    client, table = records.client, records.table
    pointer = {"PK": {"S": f"{kind}ID#{item_id}"}, "SK": {"S": "POINTER"}}
    kabupaten = client.get_item(TableName=table, Key=pointer)["Item"]["kabupaten"]["S"]
    new_pk = f"{kind}#{kabupaten}#{item_id}"
    items = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": new_pk}},
    )["Items"]
    for item in items:
        client.put_item(TableName=table, Item={**item, "PK": {"S": f"{kind}#{item_id}"}})
        client.delete_item(TableName=table, Key={"PK": item["PK"], "SK": item["SK"]})
    client.delete_item(TableName=table, Key=pointer)
    records.keys = type(records.keys)(client, table, records.keys.codes)


def test_requests_from_before_the_kabupaten_keys_are_listed_after_the_backfill(
    adapter_set: AdapterSet, regions: Regions
) -> None:
    records = adapter_set.records
    made = [
        store(records, make_request(status=Status.DIAJUKAN, created_at=_at(i))) for i in range(5)
    ]
    older = adapter_set.name == "aws"
    if older:
        for request in made:
            _as_before_16(records, request)

    def listed(status: Status | None) -> list[str]:
        page = records.list_requests(
            kabupaten=KABUPATEN, desa=None, status=status, cursor=None, limit=10
        )
        return [r.id for r in page.items]

    newest_first = [r.id for r in reversed(made)]
    if older:
        assert listed(None) == [] and listed(Status.DIAJUKAN) == []
    keys = RequestKeys(
        records,
        adapter_set.blobs,
        adapter_set.queue,
        Catalog.from_json(PACKAGE_DATA / "catalog.json"),
        regions,
        RequestSettings(max_scan_bytes=1, upload_url_ttl=1, download_url_ttl=1),
        lambda: datetime.now(UTC),
        tenants=Tenants.from_folders(folders((), ())),
    )

    # Pages of two, stopped after each and resumed from the cursor it printed.
    written, after = keys.backfill_keys(None, pages=1, page=2)
    for _ in range(5):
        if after is None:
            break
        more, after = keys.backfill_keys(after, pages=1, page=2)
        written += more

    assert written == (len(made) if older else 0)
    assert listed(None) == newest_first
    assert listed(Status.DIAJUKAN) == newest_first
    assert keys.backfill_keys() == (0, None)  # idempotent: nothing left to key


def test_sqlite_rows_stored_before_the_kabupaten_column_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    keyed = next(i for i, script in enumerate(MIGRATIONS) if "requests_kabupaten_newest" in script)
    old = SqliteDatabase(path, MIGRATIONS[:keyed])
    request = make_request(status=Status.DIAJUKAN)
    with old.transaction() as db:
        db.execute(
            "INSERT INTO requests (id, code, desa, status, created_at, version, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                request.id,
                request.code,
                request.desa,
                request.status.value,
                request.created_at,
                1,
                json.dumps(request.to_record()),
            ),
        )
    old.close()

    records = SqliteRecords(path)
    for status in (None, Status.DIAJUKAN):
        page = records.list_requests(
            kabupaten=KABUPATEN, desa=None, status=status, cursor=None, limit=10
        )
        assert [r.id for r in page.items] == [request.id]
    records.close()
