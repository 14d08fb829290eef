"""The stack of infra/bakso.yaml deployed into moto's CloudFormation, and the adapters on it.

tests/contract runs the whole port contract on such a stack; this checks what
the deployment made, the parts of the AWS adapters no contract covers (signed
URL fields, error translation), and the hook that keeps Scans out of the API.
"""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

import aws_env
from bakso.adapters import aws
from bakso.adapters.aws import TABLE_INDEXES
from bakso.domain.errors import InvalidInput, NotFound, PayloadTooLarge


def test_stack_creates_table_with_the_adapters_indexes_and_queue_with_dlq(
    stack: aws_env.Stack,
) -> None:
    dynamodb = boto3.client("dynamodb", region_name=aws_env.REGION)
    sqs = boto3.client("sqs", region_name=aws_env.REGION)

    table = dynamodb.describe_table(TableName=stack.table)["Table"]
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    indexes = {
        index["IndexName"]: tuple(k["AttributeName"] for k in index["KeySchema"])
        for index in table["GlobalSecondaryIndexes"]
    }
    attributes = sqs.get_queue_attributes(QueueUrl=stack.queue_url, AttributeNames=["All"])
    redrive = json.loads(attributes["Attributes"]["RedrivePolicy"])

    assert keys == {"HASH": "PK", "RANGE": "SK"}
    assert indexes == {
        name: tuple(k for k in pair if k is not None) for name, pair in TABLE_INDEXES.items()
    }
    assert redrive["maxReceiveCount"] == 5
    assert redrive["deadLetterTargetArn"].endswith(":bakso-work-dlq")
    assert int(attributes["Attributes"]["VisibilityTimeout"]) == 360  # > the worker's 300 s
    boto3.client("s3", region_name=aws_env.REGION).head_bucket(Bucket=stack.bucket)


def test_upload_url_is_regional_sigv4_and_signs_size_and_type(stack: aws_env.Stack) -> None:
    _, blobs, _ = aws.build(stack.config())

    target = blobs.upload_target(
        "scans/r-1/abc", size=231044, content_type="image/jpeg", expires_in=900
    )

    url = urlsplit(target.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert target.method == "PUT"
    assert target.headers == {"Content-Type": "image/jpeg"}
    # Virtual-hosted and regional: ap-southeast-3 refuses the global endpoint.
    assert url.netloc == f"{stack.bucket}.s3.ap-southeast-3.amazonaws.com"
    assert url.path == "/scans/r-1/abc"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert "/ap-southeast-3/s3/aws4_request" in query["X-Amz-Credential"]
    assert query["X-Amz-Expires"] == "900"
    # S3 checks signed headers: another size or type makes the signature wrong.
    assert query["X-Amz-SignedHeaders"].split(";") == ["content-length", "content-type", "host"]


def test_download_url_names_the_file_and_expires(stack: aws_env.Stack) -> None:
    _, blobs, _ = aws.build(stack.config())
    blobs.put("batches/b-1.zip", io.BytesIO(b"PK\x03\x04"), "application/zip")

    url = blobs.download_url("batches/b-1.zip", expires_in=60, filename='bakso "b-1".zip')

    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["X-Amz-Expires"] == "60"
    assert query["response-content-disposition"] == 'attachment; filename="bakso__b-1_.zip"'


def test_read_head_of_missing_blob_is_not_found_and_bad_keys_are_refused(
    stack: aws_env.Stack,
) -> None:
    _, blobs, _ = aws.build(stack.config())

    with pytest.raises(NotFound):
        blobs.read_head("scans/none/here", 16)
    with pytest.raises(InvalidInput):
        blobs.put("../escape", io.BytesIO(b"x"), "image/jpeg")


def test_aws_failures_surface_as_503_not_botocore(stack: aws_env.Stack) -> None:
    records, _, _ = aws.build({**stack.config(), "TABLE_NAME": "no-such-table"})

    with pytest.raises(aws.StoreUnavailable) as caught:
        records.get_request("r-1")

    assert caught.value.status == 503


def test_queue_refuses_a_message_sqs_would_refuse(stack: aws_env.Stack) -> None:
    _, _, queue = aws.build(stack.config())

    with pytest.raises(PayloadTooLarge):
        queue.send({"blob": "x" * (1 << 20)})


def test_queue_given_by_name_resolves_its_url(stack: aws_env.Stack) -> None:
    _, _, queue = aws.build({**stack.config(), "QUEUE_URL": "bakso-work"})

    queue.send({"job": "x"})

    assert queue.url == stack.queue_url
    assert [m.body for m in queue.receive(visibility_timeout=30)] == [{"job": "x"}]


def test_operation_hook_sees_a_scan_so_the_api_tests_can_fail(stack: aws_env.Stack) -> None:
    with aws_env.dynamodb_operations() as operations:
        records, _, _ = aws.build(stack.config())
        records.get_request("r-1")
        records.client.scan(TableName=stack.table)

    assert operations["GetItem"] == 1
    assert operations["Scan"] == 1
