"""Retention of what surrounds requests (#13): after the daily run, an unfinished import's
file, a closed sasaran row's NIK, name, address and follow-up note, a never-completed
scan upload and a batch's volumes are nowhere in the stores.

Runs on both adapter sets, through the services (the daily job is `bakso cleanup`
and the worker's schedule). Every byte is searched, inside zips and XLSX files
too: the SQLite files after a WAL checkpoint and the blob folder; on moto every
DynamoDB item and every current S3 object. A plain delete on versioned S3
leaves a noncurrent version, which the bucket's lifecycle expires within 7 days
(tests/integration/test_infra_retention.py): the only version left of a scan's
bytes must be such a one.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook

import aws_env
from bakso.bootstrap import Services
from bakso.domain.lifecycle import Role
from bakso.domain.model import Actor
from bakso.services.batches import BatchFilters
from bakso.workers.handlers import drain_until_idle
from helpers import DESA_A, close_app, make_app, services_of
from sasaran.support import csv_file
from seeding import seed_requests
from unit.services.support import ktp_draft

DUKCAPIL = Actor("dukcapil", Role.DUKCAPIL, None)
OPERATOR = Actor("op.a", Role.OPERATOR, DESA_A)
# Each value is found nowhere else in the test.
CLOSED = {"nik": "5203014112850007", "name": "Zubaedah Kertaraharja", "address": "Gubuk Nangka"}
NOTE = "pindah ke rumah Inaq Sumbawaseng"
UNFINISHED = {"nik": "5203010101700009", "name": "Lalu Setengahjalan", "address": "Dasan Lekong"}
HALF_UPLOAD = b"\xff\xd8\xff\xe0SCAN-NEVER-COMPLETED-7731"


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    with ExitStack() as stack:
        if request.param == "aws":
            stack.enter_context(aws_env.aws_app_settings(monkeypatch))
        app = make_app(data_dir, BATCH_VOLUME_REQUESTS=2, BATCH_STEP_REQUESTS=2)
        yield app
        close_app(app)


def import_and_close(services: Services) -> str:
    """An import applied by the worker; its resident then followed up as moved."""
    values = CLOSED
    data = csv_file(f"{values['nik']},{values['name']},{DESA_A},{values['address']},KTP,,")
    sasaran = services.sasaran
    run, target = sasaran.start_import(
        DUKCAPIL,
        import_id=None,
        filename="sasaran.csv",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="text/csv",
    )
    assert target is not None
    services.blobs.put(f"sasaran-imports/{run.id}/source", io.BytesIO(data), "text/csv")
    sasaran.begin_import(DUKCAPIL, run.id)
    drain_until_idle(services)
    (row,) = services.sasaran.store.find_by_niks([values["nik"]]).values()
    sasaran.record_followup(
        OPERATOR, row.id, followup_id=str(uuid.uuid4()), outcome="PINDAH", note=NOTE, at=None
    )
    return row.id


def unfinished_import(services: Services) -> None:
    """An XLSX uploaded, never started: it stays in the blob store as a zip."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nik", "nama", "kode_desa", "alamat", "dokumen"])
    sheet.append([UNFINISHED["nik"], UNFINISHED["name"], DESA_A, UNFINISHED["address"], "KTP"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    run, _ = services.sasaran.start_import(
        DUKCAPIL,
        import_id=None,
        filename="sasaran.xlsx",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    services.blobs.put(f"sasaran-imports/{run.id}/source", io.BytesIO(data), "application/zip")


def half_upload(services: Services) -> str:
    """A scan registered and its bytes sent, `complete` never called."""
    request_id = str(uuid.uuid4())
    requests = services.requests
    requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    scan, target = requests.register_scan(
        OPERATOR,
        request_id,
        requirement="KK",
        sha256=hashlib.sha256(HALF_UPLOAD).hexdigest(),
        size=len(HALF_UPLOAD),
        content_type="image/jpeg",
    )
    assert target is not None
    services.blobs.put(scan.key, io.BytesIO(HALF_UPLOAD), "image/jpeg")
    return scan.key


def built_batch(services: Services) -> str:
    seed_requests(services, 2, scans=1, scan_bytes=300, berkas_bytes=300)
    created = services.batches.create(DUKCAPIL, BatchFilters())
    drain_until_idle(services)
    batch = services.records.get_batch(created.id)
    assert batch is not None and batch.volumes and all(v.key for v in batch.volumes)
    return batch.id


def test_after_the_daily_run_files_and_closed_rows_keep_no_personal_values(app: Flask) -> None:
    services = services_of(app)
    row_id = import_and_close(services)
    unfinished_import(services)
    scan_key = half_upload(services)
    batch_id = built_batch(services)
    secrets = [*CLOSED.values(), NOTE, *UNFINISHED.values(), "SCAN-NEVER-COMPLETED-7731"]
    assert {s for s in secrets if s in stored_text(services)} == set(secrets)  # the search works
    before = services.sasaran.store.counters("desa", DESA_A)

    later = datetime.now(UTC) + timedelta(days=91)
    services.retention_files.clock = lambda: later
    report = services.retention_files.purge()

    assert (report.uploads, report.imports, report.sasaran_rows, report.batches) == (1, 1, 1, 1)
    text = stored_text(services)
    assert [s for s in secrets if s in text] == []
    assert services.blobs.size(scan_key) is None
    purged = services.records.get_batch(batch_id)
    assert purged is not None and purged.purged_at is not None
    assert blob_keys(services, "batches/") == []
    row = services.sasaran.store.get_row(row_id)
    assert row is not None and row.followup is not None and row.followup["outcome"] == "PINDAH"
    after = services.sasaran.store.counters("desa", DESA_A)
    assert after["target"] == before["target"] and after["followed_up"] == before["followed_up"]
    assert services.retention_files.purge().as_dict() == dict.fromkeys(report.as_dict(), 0)
    if services.adapters == "aws":
        # Erased with every version, except the scan's bytes (a plain delete): only a
        # noncurrent version of those is left, for the lifecycle rule to expire.
        left = {(key, latest) for key, latest, data in versions(services) if secrets_in(data)}
        assert left <= {(scan_key, False)}


# Searching the stores ----------------------------------------------------------


def stored_text(services: Services) -> str:
    """Every byte the stores hold, as text, zips (XLSX too) opened member by member."""
    if services.adapters == "local":
        data_dir = Path(app_data_dir(services))
        parts = []
        for path in sorted(data_dir.glob("*.sqlite3")):
            with sqlite3.connect(path) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            parts += [p.read_bytes() for p in data_dir.glob(f"{path.name}*")]
        parts += [p.read_bytes() for p in sorted((data_dir / "blobs").rglob("*")) if p.is_file()]
    else:
        parts = [json.dumps(i, ensure_ascii=False).encode() for i in dynamo_items(services)]
        parts += [b"".join(services.blobs.iter_chunks(key)) for key in blob_keys(services, "")]
    return "\n".join(opened(part) for part in parts)


def secrets_in(data: bytes) -> bool:
    text = opened(data)
    return any(s in text for s in [*CLOSED.values(), NOTE, *UNFINISHED.values(), "7731"])


def versions(services: Services) -> Iterator[tuple[str, bool, bytes]]:
    client = services.blobs.client  # type: ignore[attr-defined]
    bucket = services.blobs.bucket  # type: ignore[attr-defined]
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for version in page.get("Versions", []):
            answer = client.get_object(
                Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"]
            )
            yield version["Key"], version["IsLatest"], answer["Body"].read()


def opened(data: bytes) -> str:
    texts = [data.decode("utf-8", "replace")]
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts += [opened(archive.read(name)) for name in archive.namelist()]
    return "\n".join(texts)


def app_data_dir(services: Services) -> str:
    folder: Path = services.blobs.root  # type: ignore[attr-defined]
    return str(folder.parent)


def dynamo_items(services: Services) -> Iterator[dict[str, object]]:
    client = services.records.client  # type: ignore[attr-defined]
    pages = client.get_paginator("scan").paginate(TableName=services.records.table)  # type: ignore[attr-defined]
    for page in pages:
        yield from page["Items"]


def blob_keys(services: Services, prefix: str) -> list[str]:
    """Current blobs under the prefix; on S3 also checks that only noncurrent versions
    (expired by lifecycle within 7 days) remain of anything deleted."""
    if services.adapters == "local":
        root: Path = services.blobs.root  # type: ignore[attr-defined]
        found = (
            [p for p in (root / prefix).rglob("*") if p.is_file()]
            if (root / prefix).exists()
            else []
        )
        return sorted(str(p.relative_to(root)) for p in found if not p.name.startswith("."))
    client = services.blobs.client  # type: ignore[attr-defined]
    bucket = services.blobs.bucket  # type: ignore[attr-defined]
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", [])]
    return sorted(keys)
