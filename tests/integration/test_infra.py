"""infra/bakso.yaml itself: cfn-lint, and the properties moto's CloudFormation ignores.

moto creates the table, bucket and queues (tests/contract runs on them) but
silently drops public access blocks, CORS, lifecycle rules, TTL and PITR, so
those are asserted here on the template.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint import api as cfn_lint
from cfnlint.decode import cfn_yaml

from bakso import config as bakso_config
from bakso.adapters.aws import TABLE_INDEXES
from bakso.adapters.aws.dynamo import TTL_ATTRIBUTE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "bakso.yaml"
LINT_CONFIG = cfn_lint.ManualArgs(regions=["ap-southeast-3"])


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))
    return loaded


def resource(template: dict[str, Any], name: str, kind: str) -> dict[str, Any]:
    found = template["Resources"][name]
    assert found["Type"] == kind
    properties: dict[str, Any] = found["Properties"]
    return properties


def worker_timeout() -> int:
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    return int(settings["worker"]["timeout_seconds"])


def test_cfn_lint_finds_no_errors() -> None:
    matches = cfn_lint.lint_file(TEMPLATE, config=LINT_CONFIG)

    for match in matches:
        print(match)
    assert [m for m in matches if m.rule.id.startswith("E")] == []


def test_cfn_lint_would_catch_a_broken_table() -> None:
    broken = TEMPLATE.read_text().replace("BillingMode: PAY_PER_REQUEST", "BillingMode: FREE")

    matches = cfn_lint.lint(broken, config=LINT_CONFIG)

    assert any(m.rule.id.startswith("E") for m in matches)


def test_table_is_on_demand_with_pitr_ttl_and_kms(template: dict[str, Any]) -> None:
    table = resource(template, "RecordsTable", "AWS::DynamoDB::Table")

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": {"Ref": "DataKey"},
    }
    assert template["Resources"]["RecordsTable"]["DeletionPolicy"] == "Retain"


def test_table_has_exactly_the_indexes_the_adapter_queries(template: dict[str, Any]) -> None:
    table = resource(template, "RecordsTable", "AWS::DynamoDB::Table")
    defined = {a["AttributeName"] for a in table["AttributeDefinitions"]}

    indexes = {}
    for index in table["GlobalSecondaryIndexes"]:
        keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
        indexes[index["IndexName"]] = (keys["HASH"], keys.get("RANGE"))

    assert indexes == TABLE_INDEXES
    assert {key for pair in TABLE_INDEXES.values() for key in pair if key} | {"PK", "SK"} == defined


def test_blob_bucket_is_private_encrypted_versioned_and_expires_batches(
    template: dict[str, Any],
) -> None:
    bucket = resource(template, "BlobBucket", "AWS::S3::Bucket")

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (encryption,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]},
    }
    assert encryption["BucketKeyEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert {"Prefix": "batches/", "Status": "Enabled"}.items() <= next(
        r for r in rules if r.get("Prefix") == "batches/"
    ).items()
    assert any("ExpirationInDays" in r for r in rules if r.get("Prefix") == "batches/")
    # Versioning keeps deleted scans as old versions: something must purge them.
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    # Batch volumes are multipart uploads: the parts of one a dead step left behind
    # (never completed nor aborted) are billed until something drops them.
    (unfinished,) = [r for r in rules if "AbortIncompleteMultipartUpload" in r]
    assert unfinished["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert unfinished["Status"] == "Enabled"
    assert not {"Prefix", "Filter"} & set(unfinished)  # the whole bucket


def test_blob_bucket_cors_allows_presigned_puts_from_the_app_origin_only(
    template: dict[str, Any],
) -> None:
    (rule,) = resource(template, "BlobBucket", "AWS::S3::Bucket")["CorsConfiguration"]["CorsRules"]

    assert rule["AllowedOrigins"] == [{"Ref": "AppOrigin"}]
    assert "PUT" in rule["AllowedMethods"]
    assert "Content-Type" in rule["AllowedHeaders"]
    # Signed into every upload URL: without it the browser's preflight fails every PUT.
    assert "x-amz-checksum-sha256" in rule["AllowedHeaders"]


@pytest.mark.parametrize(
    ("policy", "bucket"),
    [("BlobBucketPolicy", "BlobBucket"), ("DeployBucketPolicy", "DeployBucket")],
)
def test_bucket_policies_refuse_plain_http(
    template: dict[str, Any], policy: str, bucket: str
) -> None:
    statements = resource(template, policy, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]

    tls = next(s for s in statements if s["Sid"] == "TlsOnly")
    assert tls["Effect"] == "Deny"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": [bucket, "Arn"]} in tls["Resource"]
    assert {"Fn::Sub": f"${{{bucket}.Arn}}/*"} in tls["Resource"]


def test_deploy_bucket_is_private(template: dict[str, Any]) -> None:
    bucket = resource(template, "DeployBucket", "AWS::S3::Bucket")

    assert all(bucket["PublicAccessBlockConfiguration"].values())


def test_queue_dead_letters_after_five_receives_and_outlasts_the_worker(
    template: dict[str, Any],
) -> None:
    queue = resource(template, "WorkQueue", "AWS::SQS::Queue")

    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["WorkDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    # Lambda refuses an SQS trigger whose queue hides a message for less than the
    # function may run; a minute more for the poller.
    assert queue["VisibilityTimeout"] >= worker_timeout() + 60
    assert queue["KmsMasterKeyId"] == {"Ref": "DataKey"}


def test_the_queue_stops_redelivering_before_a_building_batch_reads_failed(
    template: dict[str, Any],
) -> None:
    """A step is retried for at most VisibilityTimeout x maxReceiveCount seconds.

    A batch with no recorded progress for BATCH_BUILD_DEADLINE reads FAILED: were the
    queue's window longer, a step SQS is still redelivering would land on a batch
    already shown FAILED (and be ignored).
    """
    queue = resource(template, "WorkQueue", "AWS::SQS::Queue")
    window = queue["VisibilityTimeout"] * queue["RedrivePolicy"]["maxReceiveCount"]

    assert window < bakso_config.Config.BATCH_BUILD_DEADLINE


def test_worker_trigger_reports_batch_item_failures(template: dict[str, Any]) -> None:
    trigger = resource(template, "WorkerTrigger", "AWS::Lambda::EventSourceMapping")

    assert trigger["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert trigger["EventSourceArn"] == {"Fn::GetAtt": ["WorkQueue", "Arn"]}
    # One message per invocation: a slow step has the whole timeout and cannot take
    # its neighbours down with it.
    assert trigger["BatchSize"] == 1
    assert trigger["MaximumBatchingWindowInSeconds"] == 0
    # A cap on what the poller invokes (also why the visibility timeout need not be 6x).
    assert 2 <= trigger["ScalingConfig"]["MaximumConcurrency"] <= 10
    assert trigger["FunctionName"] == {"Ref": "WorkerFunctionName"}


def test_data_key_rotates(template: dict[str, Any]) -> None:
    assert resource(template, "DataKey", "AWS::KMS::Key")["EnableKeyRotation"] is True


def _statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    properties = resource(template, role, "AWS::IAM::Role")
    return [s for p in properties["Policies"] for s in p["PolicyDocument"]["Statement"]]


# Every SNS ARN (topics, push endpoints): what a "publish SMS only" statement excludes.
SNS_EVERY_ARN = {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}


@pytest.mark.parametrize("role", ["WebRole", "WorkerRole"])
def test_roles_are_least_privilege(template: dict[str, Any], role: str) -> None:
    properties = resource(template, role, "AWS::IAM::Role")
    (trust,) = properties["AssumeRolePolicyDocument"]["Statement"]
    # EventBridge only because Zappa names the role in the rules it schedules.
    assert trust["Principal"] == {"Service": ["lambda.amazonaws.com", "events.amazonaws.com"]}

    for statement in _statements(template, role):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert statement["Effect"] == "Allow"
        if "NotResource" in statement:  # SMS straight to phone numbers, nothing else
            assert actions == ["sns:Publish"], statement
            assert statement["NotResource"] == SNS_EVERY_ARN, statement
            continue
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        assert not [a for a in actions if "*" in a], statement
        assert "*" not in resources, statement


# Transactions need no action of their own: IAM checks each item's Put/Update/Delete/Check.
_TRANSACTION_ITEM_ACTIONS = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
}


def _dynamodb_calls() -> set[str]:
    """The DynamoDB API actions the AWS adapters call (`client.<operation>(`) in their source."""
    aws = ROOT / "backend/bakso/adapters/aws"
    modules = [*aws.glob("records*.py"), *aws.glob("sasaran*.py"), aws / "dynamo.py"]
    source = "\n".join(path.read_text() for path in sorted(modules))
    operations = set(re.findall(r"client\.([a-z_]+)\(", source))
    assert "transact_write_items" in operations and "query" in operations  # the regex works
    return {
        "dynamodb:" + "".join(part.title() for part in operation.split("_"))
        for operation in operations
    }


@pytest.mark.parametrize("role", ["WebRole", "WorkerRole"])
def test_roles_allow_every_dynamodb_action_the_adapters_call(
    template: dict[str, Any], role: str
) -> None:
    allowed: set[str] = set()
    for statement in _statements(template, role):
        if statement["Sid"] == "Records":
            allowed.update(statement["Action"])
    needed = _dynamodb_calls()
    if "dynamodb:TransactWriteItems" in needed:
        needed = (needed - {"dynamodb:TransactWriteItems"}) | _TRANSACTION_ITEM_ACTIONS

    assert needed - allowed == set()
    assert "dynamodb:BatchGetItem" in needed  # the sasaran store's lookups


def test_only_the_worker_consumes_the_queue(template: dict[str, Any]) -> None:
    def actions(role: str) -> set[str]:
        found: set[str] = set()
        for statement in _statements(template, role):
            action = statement["Action"]
            found.update(action if isinstance(action, list) else [action])
        return found

    assert "sqs:SendMessage" in actions("WebRole")
    assert not {"sqs:ReceiveMessage", "sqs:DeleteMessage"} & actions("WebRole")
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= actions("WorkerRole")
    assert not [a for a in actions("WebRole") | actions("WorkerRole") if a == "dynamodb:Scan"]


# The IAM actions each S3 call of the blob adapter needs (a managed upload_fileobj goes
# multipart above 8 MiB and aborts what it started if it fails).
_S3_ACTIONS = {
    "get_object": {"s3:GetObject"},
    "head_object": {"s3:GetObject"},
    "put_object": {"s3:PutObject"},
    "delete_object": {"s3:DeleteObject"},
    # Retention deletes by version (erase_prefix), listing versions and uploads by prefix.
    "delete_objects": {"s3:DeleteObject", "s3:DeleteObjectVersion"},
    "list_object_versions": {"s3:ListBucketVersions"},
    "list_multipart_uploads": {"s3:ListBucketMultipartUploads"},
    "create_multipart_upload": {"s3:PutObject"},
    "upload_part": {"s3:PutObject"},
    "complete_multipart_upload": {"s3:PutObject"},
    "abort_multipart_upload": {"s3:AbortMultipartUpload"},
    "list_parts": {"s3:ListMultipartUploadParts"},
    "upload_fileobj": {"s3:PutObject", "s3:AbortMultipartUpload"},
    "list_objects_v2": {"s3:ListBucket"},
}
_S3_BUCKET_ACTIONS = {"s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"}


def _s3_calls() -> set[str]:
    """The S3 operations the blob adapter calls or presigns, from its source."""
    source = (ROOT / "backend/bakso/adapters/aws/blobs.py").read_text()
    calls = set(re.findall(r"client\.([a-z_0-9]+)\(", source)) - {"get_paginator"}
    calls |= set(re.findall(r"get_paginator\(\s*\"([a-z_0-9]+)\"", source))
    presigned = set(re.findall(r"generate_presigned_url\(\s*\"([a-z_0-9]+)\"", source))
    assert "get_object" in calls and "put_object" in presigned  # the regexes work
    return (calls - {"generate_presigned_url"}) | presigned


def test_the_worker_role_allows_every_s3_action_the_blob_adapter_needs(
    template: dict[str, Any],
) -> None:
    """The worker writes batch volumes by multipart upload and reads scans by ranges."""
    objects = {"Fn::Sub": "${BlobBucket.Arn}/*"}
    bucket = {"Fn::GetAtt": ["BlobBucket", "Arn"]}
    allowed: set[tuple[str, str]] = set()
    for statement in _statements(template, "WorkerRole"):
        actions = statement["Action"]
        for action in actions if isinstance(actions, list) else [actions]:
            if statement.get("Resource") == objects:
                allowed.add(("object", action))
            elif statement.get("Resource") == bucket:
                allowed.add(("bucket", action))
    calls = _s3_calls()
    unknown = calls - set(_S3_ACTIONS)
    assert not unknown, f"add the IAM actions of {unknown} to _S3_ACTIONS"
    needed = {
        ("bucket" if action in _S3_BUCKET_ACTIONS else "object", action)
        for call in calls
        for action in _S3_ACTIONS[call]
    }

    assert needed - allowed == set()
    assert {"create_multipart_upload", "upload_part", "complete_multipart_upload"} <= calls
    assert {("object", "s3:AbortMultipartUpload"), ("object", "s3:ListMultipartUploadParts")} <= (
        allowed
    )
