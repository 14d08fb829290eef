"""Batches at a kabupaten's volume on both adapter sets: volumes, resumable steps, none stranded.

Each test runs on the local set and on AWS (moto, the stack of infra/bakso.yaml).
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore import handlers as botocore_handlers
from flask import Flask

import aws_env
from bakso.adapters.aws.errors import StoreUnavailable
from bakso.bootstrap import Services
from bakso.domain.lifecycle import Status
from bakso.domain.model import Batch
from bakso.workers.handlers import drain_once, drain_until_idle
from helpers import PASSWORD, USERS, Api, close_app, make_app, services_of, submit_ready
from seeding import seed_requests

VOLUME_REQUESTS = 3


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    with ExitStack() as stack:
        if request.param == "aws":
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
        app = make_app(data_dir, BATCH_VOLUME_REQUESTS=VOLUME_REQUESTS, BATCH_STEP_REQUESTS=4)
        accounts = services_of(app).accounts
        for username, role, desa in USERS:
            accounts.create_user(username, role, desa, PASSWORD)
        yield app
        close_app(app)
        if request.param == "aws":
            assert operations["Scan"] == 0, operations


@contextmanager
def aws_calls() -> Iterator[Counter[str]]:
    """Every AWS call (DynamoDB, S3, SQS) made inside the block, by service.operation."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[f"{model.service_model.service_name}.{model.name}"] += 1

    entry: tuple[str, Callable[..., None]] = ("before-call", count)
    botocore_handlers.BUILTIN_HANDLERS.append(entry)
    try:
        yield counts
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(entry)


def create_batch(dk: Api, **filters: Any) -> dict[str, Any]:
    response = dk.post("/api/v1/batches", json=filters)
    assert response.status_code == 202, response.get_json()
    return dict(response.get_json())


def build(dk: Api, services: Services, **filters: Any) -> dict[str, Any]:
    created = create_batch(dk, **filters)
    drain_until_idle(services)
    return dict(dk.get(f"/api/v1/batches/{created['id']}").get_json())


def volume_zip(services: Services, batch_id: str, n: int) -> zipfile.ZipFile:
    batch = services.records.get_batch(batch_id)
    assert batch is not None
    key = batch.volumes[n - 1].key
    assert key is not None
    return zipfile.ZipFile(io.BytesIO(b"".join(services.blobs.iter_chunks(key))))


def age(services: Services, batch_id: str, hours: float = 2) -> None:
    """As if the build had recorded no progress for `hours` (a lost message, a dead worker)."""
    batch = services.records.get_batch(batch_id)
    assert batch is not None
    old = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="milliseconds")
    services.records.save_batch(
        replace(batch, progress_at=old, version=batch.version + 1), batch.version
    )


def test_a_batch_larger_than_a_volume_is_cut_into_self_contained_volumes(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    submitted = [submit_ready(op, services) for _ in range(2 * VOLUME_REQUESTS + 1)]
    dk = api_factory("dukcapil")

    batch = build(dk, services)

    assert batch["status"] == "READY" and batch["count"] == len(submitted)
    assert [v["count"] for v in batch["volumes"]] == [3, 3, 1]
    seen: list[str] = []
    for volume in batch["volumes"]:
        archive = volume_zip(services, batch["id"], volume["n"])
        stored = b"".join(
            services.blobs.iter_chunks(services.records.get_batch(batch["id"]).volumes[0].key)
        )
        assert stored  # the volume is a stored blob
        assert archive.testzip() is None
        sums = dict(
            reversed(line.split("  ", 1))
            for line in archive.read("SHA256SUMS").decode().splitlines()
        )
        assert set(sums) == set(archive.namelist()) - {"SHA256SUMS"}
        for name, digest in sums.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["batch"]["volume"] == volume["n"]
        assert manifest["batch"]["volumes"] == 3
        assert manifest["excluded"] == []
        codes = [r["code"] for r in manifest["requests"]]
        assert len(codes) == volume["count"]
        for code in codes:
            assert f"{code}/berkas.pdf" in archive.namelist()
        seen += codes
        # The size and SHA-256 recorded while writing are those of the stored file.
        raw = b"".join(
            services.blobs.iter_chunks(
                services.records.get_batch(batch["id"]).volumes[volume["n"] - 1].key
            )
        )
        assert len(raw) == volume["size"] and hashlib.sha256(raw).hexdigest() == volume["sha256"]
    assert sorted(seen) == sorted(s["code"] for s in submitted)  # each in exactly one


def test_download_of_a_volume_answers_at_once_and_the_worker_marks_its_requests(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    for _ in range(VOLUME_REQUESTS + 1):
        submit_ready(op, services)
    dk = api_factory("dukcapil")
    batch = build(dk, services)

    response = dk.get(f"/api/v1/batches/{batch['id']}/download?volume=2")

    assert response.status_code == 302
    second = volume_zip(services, batch["id"], 2)
    codes = {r["code"] for r in json.loads(second.read("manifest.json"))["requests"]}
    statuses = {r.code: r.status for r in services.records.requests_in_batch(batch["id"])}
    assert all(statuses[c] is Status.DIAJUKAN for c in codes)  # not inside the HTTP call
    drain_until_idle(services)
    statuses = {r.code: r.status for r in services.records.requests_in_batch(batch["id"])}
    assert {c for c, s in statuses.items() if s is Status.DITERIMA} == codes  # only volume 2
    versions = {r.id: r.version for r in services.records.requests_in_batch(batch["id"])}
    assert dk.get(f"/api/v1/batches/{batch['id']}/download?volume=2").status_code == 302
    drain_until_idle(services)
    assert {r.id: r.version for r in services.records.requests_in_batch(batch["id"])} == versions
    detail = dk.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert [v["downloads"] for v in detail["volumes"]] == [0, 2]
    assert dk.get(f"/api/v1/batches/{batch['id']}/download?volume=3").status_code == 404
    assert dk.get(f"/api/v1/batches/{batch['id']}/download?volume=x").status_code == 422


def test_a_transient_failure_is_retried_through_the_queue_and_the_batch_ends_ready(
    api_factory, services, monkeypatch
) -> None:
    op = api_factory("op.a")
    for _ in range(VOLUME_REQUESTS + 1):
        submit_ready(op, services)
    dk = api_factory("dukcapil")
    real = services.blobs.writer
    failures = iter([True])

    def flaky(key: str, content_type: str):  # the first volume's first try fails
        if next(failures, False):
            raise StoreUnavailable("Penyimpanan data sedang bermasalah.")
        return real(key, content_type)

    monkeypatch.setattr(services.blobs, "writer", flaky)
    created = create_batch(dk)
    # With no visibility timeout the queue delivers the failed step again at once.
    attempts: list[int] = []
    real_receive = services.queue.receive

    def receive(**kwargs: Any):
        messages = real_receive(**kwargs)
        attempts.extend(m.attempts for m in messages)
        return messages

    monkeypatch.setattr(services.queue, "receive", receive)
    for _ in range(20):
        drain_once(services, visibility_timeout=0)

    assert 2 in attempts  # the failed step came back through the queue
    batch = dk.get(f"/api/v1/batches/{created['id']}").get_json()
    assert batch["status"] == "READY" and batch["count"] == VOLUME_REQUESTS + 1
    assert [v["status"] for v in batch["volumes"]] == ["READY", "READY"]


def test_a_stalled_batch_reads_failed_and_its_requests_go_into_the_next_batch(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    submitted = [submit_ready(op, services) for _ in range(2)]
    dk = api_factory("dukcapil")
    stalled = create_batch(dk)
    drain_once(services)  # the gather step claims them, then the build stops
    assert {r.batch_id for r in services.records.requests_in_batch(stalled["id"])} == {
        stalled["id"]
    }
    age(services, stalled["id"])

    assert dk.get(f"/api/v1/batches/{stalled['id']}").get_json()["status"] == "FAILED"
    listed = dk.get("/api/v1/batches").get_json()["items"]
    assert {b["id"]: b["status"] for b in listed}[stalled["id"]] == "FAILED"

    following = build(dk, services)  # the stalled batch's late plan step is dropped meanwhile

    assert following["status"] == "READY" and following["count"] == 2
    assert services.records.requests_in_batch(stalled["id"]) == []
    assert {r.code for r in services.records.requests_in_batch(following["id"])} == {
        s["code"] for s in submitted
    }
    assert dk.get(f"/api/v1/batches/{stalled['id']}").get_json()["status"] == "FAILED"


def test_a_failed_batch_can_be_rebuilt_with_the_requests_no_newer_batch_took(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    submitted = [submit_ready(op, services) for _ in range(2)]
    dk = api_factory("dukcapil")
    failed = create_batch(dk)
    drain_once(services)
    age(services, failed["id"])
    assert dk.post(f"/api/v1/batches/{submitted[0]['id']}/rebuild").status_code == 404

    response = dk.post(f"/api/v1/batches/{failed['id']}/rebuild")

    assert response.status_code == 202
    rebuilt = response.get_json()
    assert rebuilt["rebuild_of"] == failed["id"] and rebuilt["id"] != failed["id"]
    drain_until_idle(services)
    detail = dk.get(f"/api/v1/batches/{rebuilt['id']}").get_json()
    assert detail["status"] == "READY" and detail["count"] == 2
    # A READY batch is not rebuilt, nor a failed one twice over the same requests.
    assert dk.post(f"/api/v1/batches/{rebuilt['id']}/rebuild").status_code == 409
    again = dk.post(f"/api/v1/batches/{failed['id']}/rebuild").get_json()
    drain_until_idle(services)
    assert dk.get(f"/api/v1/batches/{again['id']}").get_json()["count"] == 0
    assert api_factory("op.a").post(f"/api/v1/batches/{failed['id']}/rebuild").status_code == 403


def test_a_missing_or_altered_scan_leaves_its_request_out_and_sends_it_back_to_the_desa(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    missing, altered, *fine = [submit_ready(op, services) for _ in range(4)]
    scan = services.records.list_scans(missing["id"])[0]
    services.blobs.delete(scan.key)
    other = services.records.list_scans(altered["id"])[1]
    original = b"".join(services.blobs.iter_chunks(other.key))
    services.blobs.put(other.key, io.BytesIO(bytes(reversed(original))), other.content_type)
    dk = api_factory("dukcapil")

    batch = build(dk, services)

    assert batch["status"] == "READY"
    assert batch["count"] == 2
    excluded = {e["code"]: e["reason"] for e in batch["excluded"]}
    assert set(excluded) == {missing["code"], altered["code"]}
    assert "tidak ditemukan" in excluded[missing["code"]]
    assert "halaman 1" in excluded[missing["code"]]
    assert "SHA-256" in excluded[altered["code"]]
    packed: list[str] = []
    listed: list[str] = []
    for volume in batch["volumes"]:
        manifest = json.loads(volume_zip(services, batch["id"], volume["n"]).read("manifest.json"))
        packed += [r["code"] for r in manifest["requests"]]
        listed += [e["code"] for e in manifest["excluded"]]
    assert sorted(packed) == sorted(f["code"] for f in fine)
    assert sorted(listed) == sorted(excluded)
    for broken in (missing, altered):
        request = services.records.get_request(broken["id"])
        assert request.status is Status.PERLU_PERBAIKAN
        last = services.records.timeline(broken["id"])[-1]
        assert last.by == "sistem" and last.note == excluded[broken["code"]]


def test_download_makes_a_bounded_number_of_aws_calls_for_10_and_300_requests(
    app: Flask, services
) -> None:
    if services.adapters != "aws":
        pytest.skip("counts AWS calls")
    calls: dict[int, int] = {}
    for count in (10, 300):
        batch = _ready_batch(services, count)
        client = Api(app.test_client())
        assert client.login("dukcapil").status_code == 200
        with aws_calls() as counted:
            response = client.get(f"/api/v1/batches/{batch.id}/download?volume=1")
        assert response.status_code == 302
        calls[count] = sum(counted.values())
        assert calls[count] <= 15, counted
        drain_until_idle(services)
        moved = services.records.requests_in_batch(batch.id)
        assert all(r.status is Status.DITERIMA for r in moved) and len(moved) == count
    assert calls[300] == calls[10]


def _ready_batch(services: Services, count: int) -> Batch:
    """A READY batch of `count` seeded requests in one volume."""
    requests = seed_requests(services, count, scans=1, scan_bytes=2048)
    batch_id = f"b{count}"
    for request in requests:
        services.records.save_request(replace(request, batch_id=batch_id), request.version, None)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    services.records.create_batch(
        Batch(id=batch_id, created_by="dukcapil", created_at=now, filters={}, progress_at=now)
    )
    builder = services.batches.builder
    builder.settings = replace(builder.settings, volume_requests=count)
    batch = services.records.get_batch(batch_id)
    while batch is not None and batch.status == "BUILDING":
        services.batches.build_step(batch_id, batch.step)
        batch = services.records.get_batch(batch_id)
    assert batch is not None and batch.status == "READY" and batch.count == count
    return batch


def test_the_local_build_makes_no_temporary_file_and_writes_each_volume_once(
    api_factory, services, monkeypatch, tmp_path
) -> None:
    if services.adapters != "local":
        pytest.skip("the folder adapter's own file")
    op = api_factory("op.a")
    for _ in range(VOLUME_REQUESTS + 1):
        submit_ready(op, services)
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    opened: Counter[str] = Counter()
    real = services.blobs.writer

    def counting(key: str, content_type: str):
        opened[key] += 1
        return real(key, content_type)

    monkeypatch.setattr(services.blobs, "writer", counting)
    monkeypatch.setattr(
        services.blobs, "put", lambda *a, **k: pytest.fail("a volume was copied with put()")
    )
    dk = api_factory("dukcapil")
    created = create_batch(dk)
    while drain_once(services):
        assert list(spool.iterdir()) == []  # nothing spooled, at any step

    batch = dk.get(f"/api/v1/batches/{created['id']}").get_json()
    assert batch["status"] == "READY"
    keys = [v.key for v in services.records.get_batch(created["id"]).volumes]
    assert opened == Counter(keys)  # each volume written once
