"""Scans in DynamoDB: one item per scan under its request, in its kabupaten's partition.

A scan never completed sits in `retention-due` under "scan#<kabupaten>" (adapters/aws/due.py):
a kabupaten's uploads at its morning peak are a few a second, far below one
partition's 1,000 writes a second, and no partition takes the whole deployment's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import due as positions
from ...domain.errors import NotFound
from ...domain.model import Scan
from ...domain.refusals import SCAN_NOT_FOUND
from ...ports import DuePage
from . import due
from .dynamo import n as _n
from .dynamo import s as _s
from .errors import error_code, translated
from .records_items import DynamoTable, _old_item, _scan
from .tenant_keys import REQUEST, split_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class ScanRecords(DynamoTable):
    # Scans ----------------------------------------------------------------
    def add_scan(self, scan: Scan) -> Scan:
        with translated("add_scan"):
            pk = self.keys.pk(REQUEST, scan.request_id)
        # A request from before #16 is the default kabupaten's (one was served then).
        kabupaten = split_pk(REQUEST, pk)[0] or self.keys.default
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(pk),
            "SK": _s(f"SCAN#{scan.id}"),
            "id": _s(scan.id),
            "request_id": _s(scan.request_id),
            "requirement": _s(scan.requirement),
            "sha256": _s(scan.sha256),
            "size": _n(scan.size),
            "content_type": _s(scan.content_type),
            "key": _s(scan.key),
            "state": _s(scan.state),
            "created_at": _s(scan.created_at),
            "placed_at": _s(scan.placed_at),
            "submission": _n(scan.submission),
            **({"replaces": _s(scan.replaces)} if scan.replaces else {}),
            **({"quality": {"L": [_s(code) for code in scan.quality]}} if scan.quality else {}),
            **due.attributes(due.keyed(due.SCAN, kabupaten), positions.scan_position(scan)),
        }
        with translated("add_scan"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=item,
                    ConditionExpression="attribute_not_exists(PK)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                old = _old_item(error) or self._get({"PK": item["PK"], "SK": item["SK"]})
                assert old is not None
                return _scan(old)
        return scan

    def get_scan(self, request_id: str, scan_id: str) -> Scan | None:
        with translated("get_scan"):
            item = self._get(self._scan_key(request_id, scan_id))
        return _scan(item) if item else None

    def list_scans(self, request_id: str) -> list[Scan]:
        with translated("list_scans"):
            items = self._query_prefix(self.keys.pk(REQUEST, request_id), "SCAN#")
        return sorted((_scan(item) for item in items), key=lambda s: (s.created_at, s.id))

    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None:
        with translated("set_scan_state"):
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key=self._scan_key(request_id, scan_id),
                    # A completed scan leaves the index of never-completed uploads.
                    UpdateExpression="SET #state = :state"
                    + ("" if state == "pending" else f" {due.REMOVE}"),
                    ConditionExpression="attribute_exists(PK)",
                    ExpressionAttributeNames={"#state": "state"},
                    ExpressionAttributeValues={":state": _s(state)},
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                raise NotFound(SCAN_NOT_FOUND) from None

    def delete_scan(self, request_id: str, scan_id: str) -> None:
        with translated("delete_scan"):
            self.client.delete_item(
                TableName=self.table,
                Key=self._scan_key(request_id, scan_id),
            )

    def pending_scans(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Scan]:
        with translated("pending_scans"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.partitions(due.SCAN, self.keys.codes),
                before=before,
                cursor=cursor,
                limit=limit,
            )
        return DuePage([_scan(item) for item in items], next_cursor)

    def _scan_key(self, request_id: str, scan_id: str) -> dict[str, AttributeValueTypeDef]:
        return {"PK": _s(self.keys.pk(REQUEST, request_id)), "SK": _s(f"SCAN#{scan_id}")}
