"""The AWS adapter set: DynamoDB records, S3 blobs, SQS work queue. Only this package imports boto3.

Endpoints come from boto3's own configuration, so `AWS_ENDPOINT_URL` points
every client at a local stand-in (moto's server) without code changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

from .blobs import S3Blobs
from .errors import StoreUnavailable
from .queue import SqsQueue
from .records import DynamoRecords

__all__ = ["DynamoRecords", "S3Blobs", "SqsQueue", "StoreUnavailable", "build"]

# Inside API Gateway's 29 s: a few quick retries beat one long wait.
_API = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 4})
# Presigned URLs for newer regions such as ap-southeast-3 must be SigV4 and
# name the bucket in the host, or S3 refuses them.
_S3 = _API.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


def build(config: Mapping[str, Any]) -> tuple[DynamoRecords, S3Blobs, SqsQueue]:
    """The three adapters for `config` (AWS_REGION, TABLE_NAME, BUCKET_NAME, QUEUE_URL).

    Builds clients only (no network call): safe in a Lambda's cold start.
    QUEUE_URL may be the queue's name, resolved on first use.
    """
    if not config.get("QUEUE_URL"):
        raise ValueError("QUEUE_URL (BAKSO_QUEUE_URL) must name the work queue")
    session = boto3.session.Session(region_name=config["AWS_REGION"])
    return (
        DynamoRecords(session.client("dynamodb", config=_API), config["TABLE_NAME"]),
        S3Blobs(session.client("s3", config=_S3), config["BUCKET_NAME"]),
        SqsQueue(session.client("sqs", config=_API), config["QUEUE_URL"]),
    )
