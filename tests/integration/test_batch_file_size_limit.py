"""A batch built by a worker that may not write a file larger than a part of a volume.

On Lambda the only disk is /tmp (512 MB by default): a build that staged a
whole zip there would fail past ≈190 requests. Here the worker runs as its own
process under RLIMIT_FSIZE well below one volume's size, against moto's server
in another process (moto in-process spools large S3 objects to temporary files
of its own, which the limit would hit instead).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import resource
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import aws_env
from helpers import make_app, services_of
from seeding import seed_requests

FILE_SIZE_LIMIT = 2 * 1024 * 1024
REQUESTS = 12
SCAN_BYTES = 150 * 1024  # 12 × (3 scans + berkas.pdf) ≈ 7 MB in one volume
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path / "moto.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", aws_env.REGION)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_worker_under_a_file_size_limit_below_a_volume_builds_the_batch(
    moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = aws_env.deploy_stack()
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    settings = {
        "BAKSO_CONFIG": "aws",
        "BAKSO_AWS_REGION": aws_env.REGION,
        "BAKSO_TABLE": stack.table,
        "BAKSO_BUCKET": stack.bucket,
        "BAKSO_QUEUE_URL": stack.queue_url,
        "BAKSO_SECRET_KEY": "test-secret-key",
        "BAKSO_AUDIT_KEY": "test-audit-key",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    app = make_app(tmp_path / "data")
    services = services_of(app)
    seed_requests(services, REQUESTS, scans=3, scan_bytes=SCAN_BYTES)
    services.accounts.create_user("dukcapil", "dukcapil", None, "kata-sandi-uji-123")
    client = app.test_client()
    login = client.post(
        "/api/v1/auth/login", json={"username": "dukcapil", "password": "kata-sandi-uji-123"}
    )
    assert login.status_code == 200
    created = client.post(
        "/api/v1/batches", json={}, headers={"X-CSRF-Token": login.get_json()["csrf_token"]}
    )
    assert created.status_code == 202, created.get_json()
    batch_id = created.get_json()["id"]

    # The limit is real: a process under it cannot stage even a quarter of the volume.
    staged = subprocess.run(
        [sys.executable, "-c", "import tempfile; tempfile.TemporaryFile().write(b'x' * 3_000_000)"],
        preexec_fn=_limited,
        capture_output=True,
        check=False,
    )
    assert staged.returncode != 0

    env = {**os.environ, **settings, "BAKSO_DATA_DIR": str(tmp_path / "worker")}
    worker = subprocess.run(
        [str(BIN / "bakso"), "worker", "--once"],
        preexec_fn=_limited,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]

    batch = services.records.get_batch(batch_id)
    assert batch is not None and batch.status == "READY", (batch, worker.stderr[-2000:])
    assert batch.count == REQUESTS and len(batch.volumes) == 1
    (volume,) = batch.volumes
    assert volume.size > 3 * FILE_SIZE_LIMIT  # the limit is well below the volume
    assert volume.key is not None
    raw = b"".join(services.blobs.iter_chunks(volume.key))
    assert hashlib.sha256(raw).hexdigest() == volume.sha256
    archive = zipfile.ZipFile(io.BytesIO(raw))
    assert archive.testzip() is None
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["requests"]) == REQUESTS
