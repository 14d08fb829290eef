"""Rolling deploys: what a newer version of BAKSO wrote, this one reads (docs/deploy-aws.md).

`zappa update web` and `zappa update worker` run one after the other, and a
rollback runs the older code on what the newer wrote. A newer version may add
a field to any stored record; this version must read the record as it knows
it, not fail in a dataclass constructor. Each test writes one aggregate through
the store, then does to the raw storage what a newer version's writes would
do: an extra key in every JSON record (and in its nested records), an extra
attribute on every DynamoDB item, an extra column in every SQLite table. The
store must read back exactly what it wrote.

The SQLite and DynamoDB (moto) stores only: the in-memory fakes keep objects,
not records.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest

import aws_env
from bakso.adapters.local import SqliteRecords, SqliteSasaranStore
from bakso.domain.lifecycle import Role
from bakso.domain.model import Scan, User, Volume
from bakso.domain.sasaran import Followup, ImportResult, ImportRun, SasaranRow, row_deltas
from bakso.ports import ImportLineWrite, Records, RowWrite, SasaranStore
from contract.test_records import DESA_A, make_request, store
from contract.test_records_batches_audit import make_batch
from contract.test_records_returns import line, run

NEWER = "added_by_a_newer_version"
# Where a stored JSON record nests other records (dataclasses of their own).
NESTED_RECORDS = ("volumes", "table", "pdfs")
# SQLite tables whose `data` column is a record (audit data is hashed: not a record).
RECORD_TABLES = {
    "records": ["requests", "batches", "return_runs", "return_lines"],
    "sasaran": ["rows", "followups", "imports", "import_results"],
}


def newer(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a newer version writes it: one more field, here and in its nested records."""
    changed: dict[str, Any] = {**record, NEWER: {"any": ["value"]}}
    for name in NESTED_RECORDS:
        value = changed.get(name)
        if isinstance(value, dict):
            changed[name] = {**value, NEWER: 1}
        elif isinstance(value, list):
            changed[name] = [{**v, NEWER: 1} if isinstance(v, dict) else v for v in value]
    return changed


@dataclass
class Stores:
    records: Records
    sasaran: SasaranStore
    # Rewrites the raw storage as a newer version would; returns how many rows or items.
    as_newer_version_wrote: Callable[[], int]


def _sqlite_newer(paths: dict[str, Path]) -> int:
    changed = 0
    for store_name, path in paths.items():
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            for table in RECORD_TABLES[store_name]:
                rows = db.execute(f"SELECT rowid, data FROM {table}").fetchall()  # noqa: S608
                for rowid, data in rows:
                    value = json.dumps(newer(json.loads(data)))
                    db.execute(f"UPDATE {table} SET data = ? WHERE rowid = ?", (value, rowid))  # noqa: S608
            tables = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
            for (table,) in tables:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {NEWER} TEXT DEFAULT 'x'")
                changed += db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            db.execute("COMMIT")
        finally:
            db.close()
    return changed


def _dynamo_newer(table: str) -> int:
    client = boto3.client("dynamodb", region_name=aws_env.REGION)
    changed = 0
    items: list[dict[str, Any]] = []
    pages = client.get_paginator("scan").paginate(TableName=table)  # the test's, not the store's
    for page in pages:
        items.extend(page["Items"])
    for item in items:
        item = {**item, NEWER: {"S": "x"}}
        changed += 1
        audit = "prev_hash" in item or "hash" in item  # its data is hashed, not a record
        data = item.get("data", {}).get("S")
        if data and not audit:
            value = json.loads(data)
            if isinstance(value, dict):
                item["data"] = {"S": json.dumps(newer(value))}
        client.put_item(TableName=table, Item=item)
    return changed


@pytest.fixture(params=["local", "aws"])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stores]:
    if request.param == "local":
        paths = {"records": tmp_path / "records.sqlite3", "sasaran": tmp_path / "sasaran.sqlite3"}
        records = SqliteRecords(paths["records"])
        sasaran = SqliteSasaranStore(paths["sasaran"])
        yield Stores(records, sasaran, lambda: _sqlite_newer(paths))
        records.close()
        sasaran.close()
    else:
        from bakso.adapters import aws

        with aws_env.moto_aws(monkeypatch):
            stack = aws_env.deploy_stack()
            records = aws.build(stack.config())[0]
            sasaran = aws.build_sasaran_store(stack.config())
            yield Stores(records, sasaran, lambda: _dynamo_newer(stack.table))


def read_back_after_a_newer_version(stores: Stores, read: Callable[[], Any]) -> None:
    before = read()
    assert stores.as_newer_version_wrote() > 0  # the raw storage was changed

    assert read() == before


def test_a_request_and_its_timeline(stores: Stores) -> None:
    request = store(stores.records, dataclasses.replace(make_request(), token="tok-1"))

    def read() -> Any:
        page = stores.records.list_requests(
            kabupaten="52.03", desa=DESA_A, status=None, cursor=None, limit=10
        )
        return (
            stores.records.get_request(request.id),
            stores.records.get_request_by_code(request.code),
            stores.records.get_request_by_token("tok-1"),
            page.items,
            stores.records.timeline(request.id),
        )

    read_back_after_a_newer_version(stores, read)
    assert read()[0] == request


def test_a_scan(stores: Stores) -> None:
    request = store(stores.records, make_request())
    scan = Scan("s1", request.id, "F201", "a" * 64, 10, "image/jpeg", "scans/k", "ok", "2026-01-05")
    stores.records.add_scan(scan)

    read_back_after_a_newer_version(
        stores,
        lambda: (stores.records.list_scans(request.id), stores.records.get_scan(request.id, "s1")),
    )


def test_a_batch_and_its_volumes(stores: Stores) -> None:
    volume = Volume(1, "a", "b", 2, 100, status="READY", key="batches/v1.zip", sha256="c" * 64)
    batch = make_batch("2026-01-06T10:00:00Z", volumes=[volume], count=2)
    stores.records.create_batch(batch)

    def read() -> Any:
        return stores.records.get_batch(batch.id), stores.records.list_batches(
            kabupaten=batch.kabupaten, cursor=None, limit=5
        )

    read_back_after_a_newer_version(stores, read)
    assert read()[0] == batch


def test_an_officer(stores: Stores) -> None:
    user = User("dukcapil.ana", Role.DUKCAPIL, None, "$argon2id$x", created_at="2026-01-01")
    stores.records.save_user(user)

    read_back_after_a_newer_version(
        stores, lambda: (stores.records.get_user(user.username), stores.records.list_users())
    )
    assert stores.records.get_user(user.username) == user


def test_an_audit_entry(stores: Stores) -> None:
    entry = stores.records.append_audit(
        chain="52.03",
        at="2026-01-05T08:00:00Z",
        actor="admin",
        action="user.create",
        target="u",
        data={"a": 1},
    )

    read_back_after_a_newer_version(stores, lambda: stores.records.audit_entries()[:1])
    assert stores.records.audit_entries()[0] == entry


def test_a_return_run_and_its_lines(stores: Stores) -> None:
    returned = run()
    assert stores.records.create_return(returned)
    stores.records.add_return_lines(returned.id, [line(returned.id, 1), line(returned.id, 2)])

    def read() -> Any:
        return (
            stores.records.get_return(returned.id),
            stores.records.return_lines(returned.id, after=0, limit=10),
        )

    read_back_after_a_newer_version(stores, read)
    assert read()[0] == returned


def _row(row_id: str) -> SasaranRow:
    return SasaranRow(
        id=row_id,
        desa="52.03.01.2001",
        name="Warga",
        address="Dusun",
        documents=["KK"],
        name_key="k",
        created_at="2026-01-01T00:00:00.000+00:00",
    )


def test_a_sasaran_row_and_its_followup(stores: Stores) -> None:
    before = _row("r1")
    stores.sasaran.save_row(RowWrite(before, 0, row_deltas(None, before)))
    followup = Followup("f1", "r1", "DITEMUKAN", "", "2026-01-02T00:00:00.000+00:00", "op", "x")
    after = SasaranRow.from_record({**before.to_record(), "followup_count": 1, "version": 2})
    assert stores.sasaran.record_followup(followup, RowWrite(after, 1, {}))

    def read() -> Any:
        return (
            stores.sasaran.get_row("r1"),
            stores.sasaran.list_rows(before.desa, cursor=None, limit=5).items,
            stores.sasaran.get_followup("f1"),
            stores.sasaran.list_followups("r1"),
        )

    read_back_after_a_newer_version(stores, read)
    stored = read()[0]
    # The store gives each write the desa's next revision (worklist sync by change).
    assert stored.revision > 0 and stored == replace(after, revision=stored.revision)
    assert read()[2] == followup


def test_a_sasaran_import_and_its_results(stores: Stores) -> None:
    imported = ImportRun(
        id=str(uuid.uuid4()),
        created_by="dukcapil",
        created_at="2026-01-01T00:00:00.000+00:00",
        filename="sasaran.csv",
        sha256="d" * 64,
        size=100,
        content_type="text/csv",
        kind="csv",
    )
    assert stores.sasaran.create_import(imported)
    result = ImportResult(imported.id, 2, "refused", "nik", "NIK tidak sah")
    stores.sasaran.apply_import_lines([ImportLineWrite(result)])

    def read() -> Any:
        return (
            stores.sasaran.get_import(imported.id),
            stores.sasaran.list_imports(limit=5),
            stores.sasaran.import_results(imported.id, after_line=0, limit=10),
        )

    read_back_after_a_newer_version(stores, read)
    assert read()[0] == imported and read()[2] == [result]
