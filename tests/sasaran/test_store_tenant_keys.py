"""The DynamoDB sasaran store's partition keys by kabupaten (#16, adapters/aws/tenant_keys).

A row, its follow-ups and an import run are under their kabupaten's key; the lookups by
id, NIK and name key are small items naming it. Rows, follow-ups and imports written
before (under `SASARAN#<id>`, `IMPORT#<id>`, a follow-up's copy by id) are still found
and written where they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import aws_env
from bakso.adapters.aws import DynamoSasaranStore
from bakso.domain.sasaran import Followup, ImportRun, SasaranRow
from bakso.ports import RowWrite
from contract.test_records_kabupaten import move_to_older_key
from sasaran.test_store import create, row, unrevised

SUMBAWA_DESA = "52.04.02.2001"
CODES = ("52.03", "52.04")


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoSasaranStore]:
    from bakso.adapters import aws

    with aws_env.moto_aws(monkeypatch):
        stack = aws_env.deploy_stack()
        built = aws.build_sasaran_store(stack.config())
        yield DynamoSasaranStore(built.client, built.table, built.desa, CODES)


def restarted(store: DynamoSasaranStore) -> DynamoSasaranStore:
    return DynamoSasaranStore(store.client, store.table, store.desa, CODES)


def _item(store: DynamoSasaranStore, pk: str, sk: str) -> dict[str, Any] | None:
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    found: dict[str, Any] | None = store.client.get_item(TableName=store.table, Key=key).get("Item")
    return found


def _followup(row_id: str, followup_id: str = "f1", note: str = "di sawah") -> Followup:
    return Followup(
        followup_id, row_id, "DITEMUKAN", note, "2026-01-02T00:00:00.000+00:00", "op", "x"
    )


def _followed(before: SasaranRow, desa: str) -> RowWrite:
    after = SasaranRow.from_record(
        {**before.to_record(), "followup_count": 1, "version": before.version + 1}
    )
    return RowWrite(after, before.version, {desa: {"followed_up": 1}})


def test_a_row_its_followups_and_lookups_are_keyed_by_its_kabupaten(
    store: DynamoSasaranStore,
) -> None:
    new = row("r1", desa=SUMBAWA_DESA, nik="5204025708900002", key="amaq")
    create(store, new)
    stored = store.get_row("r1")
    assert stored is not None
    assert store.record_followup(_followup("r1"), _followed(stored, SUMBAWA_DESA))

    assert _item(store, "SASARAN#52.04#r1", "ROW") is not None
    assert _item(store, "SASARAN#r1", "ROW") is None
    assert _item(store, "SASARANID#r1", "POINTER")["kabupaten"] == {"S": "52.04"}  # type: ignore[index]
    assert _item(store, "NIK#5204025708900002", "NIK")["kabupaten"] == {"S": "52.04"}  # type: ignore[index]
    assert _item(store, "NAMEKEY#amaq", "NAMEKEY")["ids"] == {"SS": ["52.04#r1"]}  # type: ignore[index]
    pointer = _item(store, "FOLLOWUP#f1", "FOLLOWUP")
    assert pointer is not None and "data" not in pointer  # the data is in the row's partition
    assert pointer["kabupaten"] == {"S": "52.04"}
    later = restarted(store)
    assert later.get_followup("f1") == _followup("r1")
    assert later.list_followups("r1") == [_followup("r1")]
    assert set(later.find_by_niks(["5204025708900002"])) == {"5204025708900002"}
    assert [r.id for r in later.find_by_name_keys(["amaq"])["amaq"]] == ["r1"]
    later.erase_followup_notes("r1")
    assert later.get_followup("f1") == _followup("r1", note="")


def test_rows_followups_and_imports_from_before_the_keys_are_found_and_kept(
    store: DynamoSasaranStore,
) -> None:
    new = row("r1", nik="5203015708900001", key="siti")
    create(store, new)
    move_to_older_key(store, "SASARAN", "r1")
    # The lookups as written before: the bare id, no kabupaten.
    client, table = store.client, store.table
    client.update_item(
        TableName=table,
        Key={"PK": {"S": "NIK#5203015708900001"}, "SK": {"S": "NIK"}},
        UpdateExpression="REMOVE kabupaten",
    )
    client.put_item(
        TableName=table,
        Item={"PK": {"S": "NAMEKEY#siti"}, "SK": {"S": "NAMEKEY"}, "ids": {"SS": ["r1"]}},
    )
    run = ImportRun(
        id="i-old",
        created_by="dukcapil",
        created_at="2026-01-01T00:00:00.000+00:00",
        filename="sasaran.csv",
        sha256="a" * 64,
        size=10,
        content_type="text/csv",
        kind="csv",
    )
    assert store.create_import(run)
    move_to_older_key(store, "IMPORT", "i-old")
    listing = {"PK": {"S": "IMPORTS#52.03"}, "SK": {"S": f"{run.created_at}#{run.id}"}}
    moved = client.get_item(TableName=table, Key=listing)["Item"]
    client.delete_item(TableName=table, Key=listing)
    client.put_item(TableName=table, Item={**moved, "PK": {"S": "IMPORTS"}})
    later = restarted(store)

    stored = later.get_row("r1")
    assert unrevised(stored) == new
    assert later.find_by_niks(["5203015708900001"]) == {"5203015708900001": stored}
    assert later.find_by_name_keys(["siti"]) == {"siti": [stored]}
    assert stored is not None
    assert later.record_followup(_followup("r1"), _followed(stored, new.desa))
    assert later.get_followup("f1") == _followup("r1")
    assert _item(later, "SASARAN#r1", "ROW")["version"] == {"N": "2"}  # type: ignore[index]
    assert _item(later, "SASARAN#52.03#r1", "ROW") is None
    # A follow-up's copy by id as written before: found, and its note erased too.
    client.put_item(
        TableName=table,
        Item={
            "PK": {"S": "FOLLOWUP#f0"},
            "SK": {"S": "FOLLOWUP"},
            "data": {"S": json.dumps(_followup("r1", "f0").to_record())},
        },
    )
    assert later.get_followup("f0") == _followup("r1", "f0")
    assert later.get_import("i-old") == run
    assert later.create_import(run) is False
    assert [r.id for r in later.list_imports(limit=10)] == ["i-old"]
    later.record_chunk("i-old", 0, {"accepted": 1})
    assert later.chunk_counts("i-old") == {0: {"accepted": 1}}
    assert _item(later, "IMPORT#i-old", "CHUNK#000000") is not None
