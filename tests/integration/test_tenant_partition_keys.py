"""Every DynamoDB item of a kabupaten's data is in a partition of that kabupaten (#16).

A botocore hook on the records client notes every item the app writes while two
kabupaten (Lombok Timur 52.03, Sumbawa 52.04) go through a realistic day on moto:
requests with scans submitted and verified, a scan left pending, a batch each, a
bulk return, a sasaran import each with a follow-up, counters moving, audit entries.
Then: an item that holds a kabupaten's data names that kabupaten in its partition key;
an item that names none is one of the global lookups (accounts, sessions, throttles,
request codes, the pointers by id, NIK and name-key lookups, markers), each small,
and those that point at a kabupaten's data name it; no index partition written is
shared by both kabupaten (a bare "batch", "scan", "request"...).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import aws_env
from api.test_tenant_requests import build_batch, sumbawa_draft
from bakso.adapters.aws import TABLE_INDEXES
from batches.test_returns import send_return, table
from helpers import (
    DESA_A,
    DESA_SUMBAWA,
    PASSWORD,
    SUMBAWA,
    SUMBAWA_DIR,
    USERS,
    Api,
    close_app,
    fake_jpeg,
    make_app,
    services_of,
    submit_ready,
)
from sasaran.support import Importer, csv_file, worklist

KABUPATEN = ("52.03", SUMBAWA)
# Global lookups: partition-key prefix → must it name the kabupaten it points at?
GLOBAL_KINDS = {
    "USERS": True,  # the accounts: each names its kabupaten (user_kabupaten)
    "USER#": False,
    "SESSION#": False,  # by the hash of a session id
    "SESSIONS#": False,
    "LOGIN#": False,  # throttle counters, by a hashed client or username
    "APPLIED#": False,  # a counted change, so a redelivery is not counted twice
    "MIGRATION#": False,
    "CODE#": True,  # request codes are unique across the deployment
    "REQID#": True,  # the pointers by id (adapters/aws/tenant_keys)
    "BATCHID#": True,
    "RETURNID#": True,
    "IMPORTID#": True,
    "SASARANID#": True,
    "FOLLOWUP#": True,  # a follow-up by its device-made id
    "NIK#": True,  # a NIK is on one sasaran row of the deployment at most
    "NAMEKEY#": True,  # the rows with a name key, each entry "<kabupaten>#<id>"
}
AUDIT = "AUDIT"  # the audit chains' items: AUDIT#<kabupaten> (records_audit_chain.py)
POINTER_MAX_BYTES = 1024
INDEX_HASH_KEYS = {hash_key for hash_key, _ in TABLE_INDEXES.values()}


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    with aws_env.aws_app_settings(monkeypatch):
        app = make_app(data_dir, KABUPATEN_DIRS=(SUMBAWA_DIR,))
        yield app
        close_app(app)


def _attributes(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(name, text) of every string an item holds (a JSON document is one)."""
    for name, value in item.items():
        for kind, held in value.items():
            yield from (
                (name, text) for text in (held if kind == "SS" else [held] if kind == "S" else [])
            )


def _written(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every item a write names: a Put's item; an update's key and the values it sets."""
    items: list[dict[str, Any]] = []

    def update(body: dict[str, Any]) -> dict[str, Any]:
        values = body.get("ExpressionAttributeValues", {})
        return {**{f"value{k}": v for k, v in values.items()}, **body["Key"]}

    for name, params in calls:
        if name == "PutItem":
            items.append(params["Item"])
        elif name == "UpdateItem":
            items.append(update(params))
        elif name == "TransactWriteItems":
            for write in params["TransactItems"]:
                if "Put" in write:
                    items.append(write["Put"]["Item"])
                elif "Update" in write:
                    items.append(update(write["Update"]))
        elif name == "BatchWriteItem":
            for requests in params["RequestItems"].values():
                items += [r["PutRequest"]["Item"] for r in requests if "PutRequest" in r]
    return items


def _kabupaten_named(texts: Iterator[str]) -> set[str]:
    return {code for text in texts for code in KABUPATEN if code in text}


def _day_of_two_kabupaten(app: Flask, api_factory: Callable[[str | None], Api]) -> None:
    services = services_of(app)
    accounts = services.accounts
    for username, role, desa in USERS:
        accounts.create_user(username, role, desa, PASSWORD)
    accounts.create_user("op.sb", "operator", DESA_SUMBAWA, PASSWORD)
    accounts.create_user("dukcapil.sb", "dukcapil", None, PASSWORD, kabupaten=SUMBAWA)
    lombok, sumbawa = api_factory("dukcapil"), api_factory("dukcapil.sb")
    ready = {
        "52.03": submit_ready(api_factory("op.a"), services),
        SUMBAWA: submit_ready(api_factory("op.sb"), services, sumbawa_draft()),
    }
    # A scan registered and never uploaded: it waits in the retention index.
    op_sb = api_factory("op.sb")
    draft_sb = op_sb.create(sumbawa_draft())
    assert op_sb.register(draft_sb["id"], "F201", fake_jpeg("pending")).status_code == 201
    for officer in (lombok, sumbawa):
        assert build_batch(officer, services)["status"] == "READY"
    done = send_return(sumbawa, services, table([[ready[SUMBAWA]["code"], "DITERIMA", ""]]), None)
    assert done["status"] == "DONE", done
    for officer, desa, operator in ((lombok, DESA_A, "op.a"), (sumbawa, DESA_SUMBAWA, "op.sb")):
        Importer(officer, services).run(csv_file(f",Amaq Saleh,{desa},Dusun Lendang,KK,LANSIA,"))
        op = api_factory(operator)
        row = worklist(op)[0]
        body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": "di sawah"}
        assert op.post(f"/api/v1/sasaran/{row['id']}/followup", json=body).status_code == 201


@pytest.fixture
def written(app: Flask, api_factory: Callable[[str | None], Api]) -> list[dict[str, Any]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def note(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append((model.name, params))

    events = services_of(app).records.client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.dynamodb", note)
    try:
        _day_of_two_kabupaten(app, api_factory)
    finally:
        events.unregister("before-parameter-build.dynamodb", note)
    items = _written(calls)
    assert len(items) > 100  # the day above wrote its items through this client
    return items


def _global_kind(pk: str) -> str | None:
    return next((kind for kind in GLOBAL_KINDS if pk == kind or pk.startswith(kind)), None)


def test_every_item_of_a_kabupatens_data_is_in_its_partition_and_lookups_are_pointers(
    written: list[dict[str, Any]],
) -> None:
    wrong: list[str] = []
    seen_kinds: set[str] = set()
    for item in written:
        pk = item["PK"]["S"]
        if pk.startswith(AUDIT):
            continue  # test_audit_items_carry_the_kabupaten
        in_pk = _kabupaten_named(iter([pk]))
        held = _kabupaten_named(text for name, text in _attributes(item) if name != "PK")
        kind = _global_kind(pk)
        if in_pk:
            if not held <= in_pk:
                wrong.append(f"{pk}: holds {sorted(held)}'s data")
        elif kind is None:
            wrong.append(f"{pk}: names no kabupaten and is no global lookup")
        else:
            seen_kinds.add(kind)
            size = sum(len(k) + len(json.dumps(v)) for k, v in item.items())
            if size >= POINTER_MAX_BYTES:
                wrong.append(f"{pk}: a global item of {size} bytes")
            if GLOBAL_KINDS[kind] and len(held) != 1:
                wrong.append(f"{pk}: points at {sorted(held) or 'no'} kabupaten")
    assert not wrong, "\n".join(wrong)
    # The day wrote each kind of pointer, so each was checked.
    assert {"USERS", "CODE#", "REQID#", "BATCHID#", "RETURNID#", "IMPORTID#", "SASARANID#"} <= (
        seen_kinds
    )


def test_no_index_partition_is_shared_by_both_kabupaten(written: list[dict[str, Any]]) -> None:
    writers: dict[tuple[str, str], set[str | None]] = {}
    for item in written:
        pk = item["PK"]["S"]
        if pk.startswith(AUDIT):
            continue
        owners = _kabupaten_named(iter([pk])) or _kabupaten_named(t for _, t in _attributes(item))
        for name in INDEX_HASH_KEYS & set(item):
            value = item[name].get("S", "")
            writers.setdefault((name, value), set()).update(owners or {None})
    shared = {key: owners for key, owners in writers.items() if len(owners) > 1}
    assert not shared, shared
    # Among them, the lists and the retention index of both kabupaten.
    assert {
        ("kind_kabupaten", "request#52.03"),
        ("kind_kabupaten", f"request#{SUMBAWA}"),
        ("retention_key", f"scan#{SUMBAWA}"),
    } <= set(writers)


def test_audit_items_carry_the_kabupaten(written: list[dict[str, Any]]) -> None:
    audit = [item for item in written if item["PK"]["S"].startswith(AUDIT)]
    assert audit
    unkeyed = [i["PK"]["S"] for i in audit if not _kabupaten_named(iter([i["PK"]["S"]]))]
    assert not unkeyed
    for name in INDEX_HASH_KEYS:
        values = [i[name]["S"] for i in audit if name in i]
        per_value: dict[str, set[str]] = {}
        for item in audit:
            if name in item:
                per_value.setdefault(item[name]["S"], set()).update(
                    _kabupaten_named(iter([item["PK"]["S"]]))
                )
        assert all(len(k) <= 1 for k in per_value.values()), (name, values)
