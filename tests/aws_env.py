"""AWS on moto for the tests: the stack of infra/bakso.yaml, created by moto's CloudFormation.

Every AWS-backed test runs against resources the template made, so a table,
index, bucket or queue the code needs but the template lacks fails the tests.
"""

from __future__ import annotations

import copy
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
    puts back what it saved before it started, undoing writes made meanwhile), while
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
    _roll_back_touched_items_only(monkeypatch)
    _sort_string_keys_as_strings(monkeypatch)
    # Every adapter set builds its own boto3 session; sharing the (read-only)
    # loader of service models saves reading them from disk for every test.
    monkeypatch.setattr(botocore_session, "create_loader", _shared_loader)
    with mock_aws():
        yield


def _roll_back_touched_items_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's TransactWriteItems copy the items it touches, not whole tables.

    To undo a cancelled transaction moto deep-copies every table it names
    before it starts: seconds per transaction once a test has written a few
    hundred items (a sasaran import writes thousands). This keeps a copy of
    each touched item instead and puts those back when moto cancels; what the
    transaction checks, writes and answers is moto's own. Safe because
    requests are served one at a time (above).
    """
    import moto.dynamodb.models as dynamodb_models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real = dynamodb_models.DynamoDBBackend.transact_write_items

    class NoTableCopies:
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        touched: list[tuple[Table, DynamoType, DynamoType | None, Any]] = []
        for entry in transact_items:
            op = next(iter(entry.values()), {})
            table = backend.tables.get(op.get("TableName"))
            attributes = op.get("Item") or op.get("Key") or {}
            if table is None:
                continue  # moto refuses it below, before writing anything
            range_attr = table.range_key_attr
            if table.hash_key_attr not in attributes or (
                range_attr and range_attr not in attributes
            ):
                continue  # likewise
            hash_key = DynamoType(attributes[table.hash_key_attr])
            range_key = DynamoType(attributes[range_attr]) if range_attr else None
            before = table.get_item(hash_key, range_key)
            touched.append((table, hash_key, range_key, copy.deepcopy(before)))
        dynamodb_models.copy = NoTableCopies  # type: ignore[assignment]
        try:
            real(backend, transact_items)
        except Exception:
            # Newest first, so an item touched twice ends as it was before both.
            for table, hash_key, range_key, before in reversed(touched):
                if before is None:
                    table.delete_item(hash_key, range_key)
                elif range_key is not None:
                    table.items[hash_key][range_key] = before
                else:
                    table.items[hash_key] = before
            raise
        finally:
            dynamodb_models.copy = copy

    monkeypatch.setattr(
        dynamodb_models.DynamoDBBackend, "transact_write_items", transact_write_items
    )


def _sort_string_keys_as_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let moto order a table's items by their raw key strings when its keys are strings.

    moto sorts every item of a table for every Query, even one by partition
    key, comparing its own key objects (slow in Python): most of the time of
    a large import's test. For string keys the raw strings sort the same way.
    """
    from moto.dynamodb.models.table import Table

    real = Table.all_items

    def all_items(table: Table) -> list[Any]:
        if table.hash_key_type != "S" or table.range_key_type not in (None, "S"):
            return real(table)
        if table.range_key_attr:
            items = [item for group in table.items.values() for item in group.values()]
        else:
            items = list(table.items.values())
        return sorted(
            items,
            key=lambda i: (i.hash_key.value, i.range_key.value if i.range_key else ""),
        )

    monkeypatch.setattr(Table, "all_items", all_items)


@functools.cache
def _shared_loader(data_path: str | None = None) -> Loader:
    return create_loader(data_path)


def deploy_stack(stack_name: str = STACK, **parameters: str) -> Stack:
    """Create a stack from infra/bakso.yaml in moto and return its outputs."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    values = {"AppOrigin": APP_ORIGIN, **parameters}
    with warnings.catch_warnings():
        # moto has no CloudFormation support for AWS::S3::BucketPolicy and says so.
        warnings.filterwarnings("ignore", message=".*not supported by moto", category=UserWarning)
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=TEMPLATE.read_text(),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
    (stack,) = cfn.describe_stacks(StackName=stack_name)["Stacks"]
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
def aws_app_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """moto with the stack, and BAKSO_CONFIG=aws pointing at it; yields DynamoDB operation counts.

    Through the environment, as on Lambda, so apps a test makes itself (e.g. a
    restart) get the same adapter set. The caller checks the counts (no Scan).
    """
    from bakso import config

    with moto_aws(monkeypatch):
        resources = deploy_stack()
        monkeypatch.setenv("BAKSO_CONFIG", "aws")
        for key, value in resources.config().items():
            monkeypatch.setattr(config.AwsConfig, key, value)
        # What step 4 of docs/deploy-aws.md sets on the functions.
        monkeypatch.setattr(config.AwsConfig, "AUDIT_KEY", "aws-test-audit-key")
        with dynamodb_operations() as operations:
            yield operations


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
