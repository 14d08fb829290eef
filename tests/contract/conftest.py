"""Adapter sets the contract suite runs against: every test runs once per set.

A set is built here and only here, so adding one (e.g. AWS on moto) means
adding a branch to `adapter_set` and nothing in the tests. The AWS set runs on
the resources that infra/bakso.yaml creates in moto's CloudFormation; the memory
set is the fakes of tests/fakes.py that the service unit tests run on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

import aws_env
from bakso.adapters.local import FolderBlobs, SqliteQueue, SqliteRecords
from bakso.domain.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from bakso.ports import Blobs, Queue, Records, UploadTarget
from fakes import FakeQueue, FakeRecords, MemoryBlobs

START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class AdapterSet:
    name: str
    records: Records
    blobs: Blobs
    queue: Queue
    max_receives: int
    # Sends `data` to an upload target the way a device would; raises the
    # BAKSO error the store answers with when it refuses.
    send_upload: Callable[[UploadTarget, bytes, str], None]
    fetch: Callable[[str], bytes]
    # Whether the store itself refuses bad signatures, expired URLs and wrong
    # size or type (moto does not check presigned URLs).
    enforces_url_policy: bool
    move_clock: Callable[[float], None] | None = None
    # Called by worker threads before they end, to release per-thread resources.
    thread_done: Callable[[], None] = field(default=lambda: None)

    def upload(self, target: UploadTarget, data: bytes, content_type: str) -> None:
        self.send_upload(target, data, content_type)

    def download(self, url: str) -> bytes:
        return self.fetch(url)

    def advance(self, seconds: float) -> None:
        """Move the adapters' clock forward; skips the test where that is impossible."""
        if self.move_clock is None:
            pytest.skip(f"the {self.name} adapter set cannot move its clock")
        self.move_clock(seconds)

    def require_url_policy(self) -> None:
        if not self.enforces_url_policy:
            pytest.skip(f"the {self.name} blob store does not check signed URLs")


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _local(tmp_path: Path) -> Iterator[AdapterSet]:
    clock = FakeClock()
    records = SqliteRecords(tmp_path / "records.sqlite3")
    blobs = FolderBlobs(tmp_path / "blobs", "contract-test-secret", now=clock)
    queue = SqliteQueue(tmp_path / "queue.sqlite3", max_receives=5, now=clock)

    def send_upload(target: UploadTarget, data: bytes, content_type: str) -> None:
        blobs.accept_upload(_token(target.url), content_type, io.BytesIO(data), len(data))

    def fetch(url: str) -> bytes:
        path, _ = blobs.resolve_download(_token(url))
        return path.read_bytes()

    def thread_done() -> None:
        records.close()
        queue.close()

    yield AdapterSet(
        name="local",
        records=records,
        blobs=blobs,
        queue=queue,
        max_receives=5,
        send_upload=send_upload,
        fetch=fetch,
        enforces_url_policy=True,
        move_clock=clock.advance,
        thread_done=thread_done,
    )
    records.close()
    queue.close()


def _aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AdapterSet]:
    from bakso.adapters import aws

    with aws_env.moto_aws(monkeypatch):
        clock = aws_env.SqsClock(monkeypatch)
        stack = aws_env.deploy_stack()
        records, blobs, queue = aws.build(stack.config())

        def send_upload(target: UploadTarget, data: bytes, content_type: str) -> None:
            # What the device does: the bytes straight to S3 (moto, in-process).
            headers = {**target.headers, "Content-Type": content_type}
            response = requests.request(
                target.method, target.url, data=data, headers=headers, timeout=10
            )
            if response.status_code >= 300:
                raise _S3_REFUSALS.get(response.status_code, InvalidInput)(response.text[:200])

        def fetch(url: str) -> bytes:
            response = requests.get(url, timeout=10)
            if response.status_code >= 300:
                raise _S3_REFUSALS.get(response.status_code, InvalidInput)(response.text[:200])
            return response.content

        yield AdapterSet(
            name="aws",
            records=records,
            blobs=blobs,
            queue=queue,
            max_receives=5,
            send_upload=send_upload,
            fetch=fetch,
            enforces_url_policy=False,  # moto does not check presigned URLs
            move_clock=clock.advance,
        )


def _memory() -> Iterator[AdapterSet]:
    clock = FakeClock()
    blobs = MemoryBlobs(now=clock)

    def send_upload(target: UploadTarget, data: bytes, content_type: str) -> None:
        blobs.accept_upload(target.url, content_type, data)

    def fetch(url: str) -> bytes:
        return blobs.resolve_download(url)[0]

    yield AdapterSet(
        name="memory",
        records=FakeRecords(),
        blobs=blobs,
        queue=FakeQueue(max_receives=5, now=clock),
        max_receives=5,
        send_upload=send_upload,
        fetch=fetch,
        enforces_url_policy=True,
        move_clock=clock.advance,
    )


_S3_REFUSALS: dict[int, type[Exception]] = {403: Forbidden, 404: NotFound, 413: PayloadTooLarge}

# Where the port lets adapter sets differ: set → test → why it is skipped there.
KNOWN_DIFFERENCES: dict[str, dict[str, str]] = {
    "aws": {
        "test_ack_with_receipt_of_superseded_delivery_is_ignored": (
            "SQS may delete a message with the receipt handle of an earlier delivery"
        ),
    },
}


@pytest.fixture(params=["local", "aws", "memory"])
def adapter_set(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AdapterSet]:
    reason = KNOWN_DIFFERENCES.get(request.param, {}).get(request.node.originalname)
    if reason:
        pytest.skip(reason)
    if request.param != "local" and "folder" in request.fixturenames:
        pytest.skip("FolderBlobs behaviour")  # before paying for a stack the test skips anyway
    if request.param == "local":
        yield from _local(tmp_path)
    elif request.param == "aws":
        yield from _aws(monkeypatch)
    elif request.param == "memory":
        yield from _memory()
    else:  # pragma: no cover - a new param without a branch here
        raise AssertionError(f"unknown adapter set {request.param}")


@pytest.fixture
def records(adapter_set: AdapterSet) -> Records:
    return adapter_set.records


@pytest.fixture
def blobs(adapter_set: AdapterSet) -> Blobs:
    return adapter_set.blobs


@pytest.fixture
def queue(adapter_set: AdapterSet) -> Queue:
    return adapter_set.queue
