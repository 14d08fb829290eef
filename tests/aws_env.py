"""AWS on moto for the tests: the stack of infra/bakso.yaml, created by moto's CloudFormation.

Every AWS-backed test runs against resources the template made, so a table,
index, bucket or queue the code needs but the template lacks fails the tests.
"""

from __future__ import annotations

import functools
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import handlers as botocore_handlers
from botocore import session as botocore_session
from botocore.loaders import Loader, create_loader
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "infra" / "bakso.yaml"
REGION = "ap-southeast-3"
APP_ORIGIN = "https://bakso.example.go.id"
STACK = "bakso"


@dataclass(frozen=True)
class Stack:
    outputs: dict[str, str]

    @property
    def table(self) -> str:
        return self.outputs["TableName"]

    @property
    def bucket(self) -> str:
        return self.outputs["BucketName"]

    @property
    def queue_url(self) -> str:
        return self.outputs["QueueUrl"]

    def config(self) -> dict[str, Any]:
        """The settings the AWS adapter set reads (what zappa_settings.json provides)."""
        return {
            "AWS_REGION": REGION,
            "TABLE_NAME": self.table,
            "BUCKET_NAME": self.bucket,
            "QUEUE_URL": self.queue_url,
        }


@contextmanager
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in-process, with dummy credentials and one request served at a time.

    moto's backends are not safe under threads (a failed DynamoDB transaction
    restores a copy of the whole table, undoing writes made meanwhile), while
    the real services are linearizable per request. Serving one request at a
    time restores that; the adapters' own concurrency (read, then conditional
    write, retry) still interleaves between requests.
    """
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    lock = threading.RLock()
    serve = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return serve(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
    # Every adapter set builds its own boto3 session; sharing the (read-only)
    # loader of service models saves reading them from disk for every test.
    monkeypatch.setattr(botocore_session, "create_loader", _shared_loader)
    with mock_aws():
        yield


@functools.cache
def _shared_loader(data_path: str | None = None) -> Loader:
    return create_loader(data_path)


def deploy_stack(**parameters: str) -> Stack:
    """Create the stack from infra/bakso.yaml in moto and return its outputs."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    values = {"AppOrigin": APP_ORIGIN, **parameters}
    with warnings.catch_warnings():
        # moto has no CloudFormation support for AWS::S3::BucketPolicy and says so.
        warnings.filterwarnings("ignore", message=".*not supported by moto", category=UserWarning)
        cfn.create_stack(
            StackName=STACK,
            TemplateBody=TEMPLATE.read_text(),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
    (stack,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    return Stack({o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])})


class SqsClock:
    """Moves moto's SQS clock (visibility timeouts, receive counts) without waiting."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import moto.sqs.models as sqs_models

        self.offset = 0.0
        real_time = sqs_models.unix_time

        def unix_time(dt: Any = None) -> float:
            return real_time(dt) if dt is not None else time.time() + self.offset

        def unix_time_millis(dt: Any = None) -> float:
            return unix_time(dt) * 1000.0

        monkeypatch.setattr(sqs_models, "unix_time", unix_time)
        monkeypatch.setattr(sqs_models, "unix_time_millis", unix_time_millis)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@contextmanager
def dynamodb_operations() -> Iterator[Counter[str]]:
    """Count the DynamoDB operations of every boto3 client created inside the block.

    A botocore event hook on `before-call.dynamodb`, installed as a built-in
    handler so the adapters' own sessions get it without knowing.
    """
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.name] += 1

    entry: tuple[str, Callable[..., None]] = ("before-call.dynamodb", count)
    botocore_handlers.BUILTIN_HANDLERS.append(entry)
    try:
        yield counts
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(entry)
