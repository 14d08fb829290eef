"""Dukcapil batches in DynamoDB, saved over the version they were read at."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import due as positions
from ...domain import paging
from ...domain.errors import Conflict
from ...domain.model import Batch
from ...domain.refusals import BATCH_CHANGED, BATCH_EXISTS
from ...ports import DuePage
from . import due
from .dynamo import dump as _dump
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import error_code, translated
from .records_items import BATCH_KIND, SORT_ATTRIBUTE, DynamoTable, _newest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class BatchRecords(DynamoTable):
    # Batches --------------------------------------------------------------
    def create_batch(self, batch: Batch) -> None:
        with translated("create_batch"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._batch_item(batch),
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                raise Conflict(BATCH_EXISTS) from None

    def save_batch(self, batch: Batch, expected_version: int) -> None:
        condition = "attribute_exists(PK) AND "
        values: dict[str, AttributeValueTypeDef] = {":expected": _n(expected_version)}
        # Batches written before versions carry no version attribute: version 0.
        condition += (
            "(#version = :expected OR attribute_not_exists(#version))"
            if expected_version == 0
            else "#version = :expected"
        )
        with translated("save_batch"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._batch_item(batch),
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#version": "version"},
                    ExpressionAttributeValues=values,
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                raise Conflict(BATCH_CHANGED) from None

    def get_batch(self, batch_id: str) -> Batch | None:
        with translated("get_batch"):
            item = self._get({"PK": _s(f"BATCH#{batch_id}"), "SK": _s("BATCH")})
        return Batch.from_record(json.loads(_str(item, "data"))) if item else None

    def list_batches(self, *, cursor: str | None, limit: int) -> tuple[list[Batch], str | None]:
        limit = paging.page_size(limit)
        with translated("list_batches"):
            items, next_cursor = self._newest_page(
                "all-newest", BATCH_KIND, "BATCH#", "BATCH", cursor=cursor, limit=limit
            )
        return [Batch.from_record(json.loads(_str(item, "data"))) for item in items], next_cursor

    def _batch_item(self, batch: Batch) -> dict[str, AttributeValueTypeDef]:
        return {
            "PK": _s(f"BATCH#{batch.id}"),
            "SK": _s("BATCH"),
            "data": _s(_dump(batch.to_record())),
            "kind": _s(BATCH_KIND),
            "version": _n(batch.version),
            SORT_ATTRIBUTE: _s(_newest(batch.created_at, batch.id)),
            **due.attributes(due.BATCH, positions.batch_position(batch)),
        }

    def unpurged_batches(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Batch]:
        with translated("unpurged_batches"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.BATCH,
                before=before,
                cursor=cursor,
                limit=limit,
                key_of=lambda ref: {"PK": _s(f"BATCH#{ref}"), "SK": _s("BATCH")},
            )
        batches = [Batch.from_record(json.loads(_str(item, "data"))) for item in items]
        return DuePage(batches, next_cursor)
