"""The AWS adapter set: DynamoDB records and sasaran, S3 blobs, SQS work queue.

Only this package imports boto3.

Endpoints come from boto3's own configuration, so `AWS_ENDPOINT_URL` points
every client at a local stand-in (moto's server) without code changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3
from botocore.config import Config

from ...domain.audit_chain import AuditKeys
from ...domain.tenants import Tenants
from ...domain.tenants import folders as tenant_folders
from .blobs import S3Blobs
from .errors import StoreUnavailable
from .queue import SqsQueue
from .records import INDEXES as RECORDS_INDEXES
from .records import DynamoRecords
from .sasaran import INDEXES as SASARAN_INDEXES
from .sasaran import DynamoSasaranStore

__all__ = [
    "TABLE_INDEXES",
    "DynamoRecords",
    "DynamoSasaranStore",
    "S3Blobs",
    "SqsQueue",
    "StoreUnavailable",
    "build",
    "build_sasaran_store",
]

# Every index of the one table (infra/bakso.yaml defines exactly these; a test compares).
TABLE_INDEXES = {**RECORDS_INDEXES, **SASARAN_INDEXES}

# Inside API Gateway's 29 s: a few quick retries beat one long wait.
_API = Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 4})
# Presigned URLs for newer regions such as ap-southeast-3 must be SigV4 and
# name the bucket in the host, or S3 refuses them.
_S3 = _API.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


def build(config: Mapping[str, Any]) -> tuple[DynamoRecords, S3Blobs, SqsQueue]:
    """The three adapters for `config` (AWS_REGION, TABLE_NAME, BUCKET_NAME, QUEUE_URL,
    and the audit key settings, AUDIT_KEY...).

    Builds clients only (no network call): safe in a Lambda's cold start.
    QUEUE_URL may be the queue's name, resolved on first use.
    """
    if not config.get("QUEUE_URL"):
        raise ValueError("QUEUE_URL (BAKSO_QUEUE_URL) must name the work queue")
    session = boto3.session.Session(region_name=config["AWS_REGION"])
    return (
        DynamoRecords(
            session.client("dynamodb", config=_API),
            config["TABLE_NAME"],
            AuditKeys.from_config(config),
            served_kabupaten(config),
        ),
        S3Blobs(session.client("s3", config=_S3), config["BUCKET_NAME"]),
        SqsQueue(session.client("sqs", config=_API), config["QUEUE_URL"]),
    )


def build_sasaran_store(
    config: Mapping[str, Any], records: DynamoRecords | None = None
) -> DynamoSasaranStore:
    """The sasaran store, in the records table (TABLE_NAME).

    Shares the records adapter's client when given one: a client from a new
    session costs a cold start about 0.1 s more.
    """
    desa = _served_desa(config)
    codes = served_kabupaten(config)
    if records is not None:
        return DynamoSasaranStore(records.client, records.table, desa, codes)
    session = boto3.session.Session(region_name=config["AWS_REGION"])
    client = session.client("dynamodb", config=_API)
    return DynamoSasaranStore(client, config["TABLE_NAME"], desa, codes)


def served_kabupaten(config: Mapping[str, Any]) -> list[str]:
    """The codes of the kabupaten served, the default first (a folder is named by its
    code): what the partition keys name (tenant_keys)."""
    found = tenant_folders(config.get("KABUPATEN") or (), config.get("KABUPATEN_DIRS") or ())
    return [folder.name for folder in found]


def _served_desa(config: Mapping[str, Any]) -> list[str]:
    """The desa codes of every kabupaten served (as bootstrap reads them): the counters a
    kecamatan's and a kabupaten's figures add up."""
    tenants = Tenants.from_folders(
        tenant_folders(config.get("KABUPATEN") or (), config.get("KABUPATEN_DIRS") or ())
    )
    return [region.code for region in tenants.regions.desa()]
