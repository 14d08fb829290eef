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
from .dynamo import CHECK_FAILED, cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import error_code, translated
from .records_items import BATCH_KIND, SORT_ATTRIBUTE, DynamoTable, _newest
from .tenant_keys import BATCH, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


def batch_kind(kabupaten: str) -> str:
    """A batch's list partition in `all-newest` (#16): its kabupaten's; a batch from
    before names none and stays in the old `batch` partition."""
    return f"{BATCH_KIND}#{kabupaten}" if kabupaten else BATCH_KIND


class BatchRecords(DynamoTable):
    # Batches --------------------------------------------------------------
    def create_batch(self, batch: Batch) -> None:
        # Under its kabupaten's key, with the pointer by id (tenant_keys).
        kabupaten = self.keys.of(batch.kabupaten)
        items: list[TransactWriteItemTypeDef] = [
            self._put(
                self._batch_item(batch, tenant_pk(BATCH, kabupaten, batch.id)),
                "attribute_not_exists(PK)",
            ),
            self.keys.pointer(BATCH, batch.id, kabupaten),
            self.keys.legacy_absent(BATCH, batch.id, "BATCH"),
        ]
        with translated("create_batch"):
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as error:
                if CHECK_FAILED in cancellation_reasons(error)[:3]:
                    raise Conflict(BATCH_EXISTS) from None
                raise
        self.keys.learn(BATCH, batch.id, kabupaten)

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
            pk = self.keys.pk(BATCH, batch.id)  # a batch from before #16: its older key
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._batch_item(batch, pk),
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
            item = self._get({"PK": _s(self.keys.pk(BATCH, batch_id)), "SK": _s("BATCH")})
        return Batch.from_record(json.loads(_str(item, "data"))) if item else None

    def list_batches(
        self, *, kabupaten: str, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        limit = paging.page_size(limit)
        with translated("list_batches"):
            # The cursor's item key is only its shape: the index orders by `newest`.
            items, next_cursor = self._newest_page(
                "all-newest", batch_kind(kabupaten), "BATCH#", "BATCH", cursor=cursor, limit=limit
            )
        return [Batch.from_record(json.loads(_str(item, "data"))) for item in items], next_cursor

    def _batch_item(self, batch: Batch, pk: str) -> dict[str, AttributeValueTypeDef]:
        return {
            "PK": _s(pk),
            "SK": _s("BATCH"),
            "data": _s(_dump(batch.to_record())),
            "kind": _s(batch_kind(batch.kabupaten)),
            "version": _n(batch.version),
            SORT_ATTRIBUTE: _s(_newest(batch.created_at, batch.id)),
            **due.attributes(
                due.keyed(due.BATCH, self.keys.of(batch.kabupaten)),
                positions.batch_position(batch),
            ),
        }

    def unpurged_batches(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Batch]:
        with translated("unpurged_batches"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.partitions(due.BATCH, self.keys.codes),
                before=before,
                cursor=cursor,
                limit=limit,
            )
        batches = [Batch.from_record(json.loads(_str(item, "data"))) for item in items]
        return DuePage(batches, next_cursor)
