"""Bulk return runs in DynamoDB: the run, its line results, its chunk counts.

All under `RETURN#<kabupaten>#<id>`, with a pointer by id (tenant_keys); runs from
before #16 stay under `RETURN#<id>`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import due as positions
from ...domain.refusals import STORE_BUSY
from ...domain.returns import ReturnLine, ReturnRun
from ...ports import RETURN_LINES_PER_WRITE, DuePage
from . import due, dynamo
from .dynamo import CHECK_FAILED as _CHECK_FAILED
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import StoreUnavailable, error_code, translated
from .records_items import (
    _LINE_WIDTH,
    _RETURN_CHUNK,
    MAX_CONTENTION_RETRIES,
    DynamoTable,
    _return_line_sk,
)
from .tenant_keys import RETURN, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]


class ReturnRecords(DynamoTable):
    def create_return(self, run: ReturnRun) -> bool:
        kabupaten = self.keys.of(run.kabupaten)
        items: list[TransactWriteItemTypeDef] = [
            self._put(
                self._return_item(run, tenant_pk(RETURN, kabupaten, run.id)),
                "attribute_not_exists(PK)",
            ),
            self.keys.pointer(RETURN, run.id, kabupaten),
            self.keys.legacy_absent(RETURN, run.id, "RUN"),
        ]
        with translated("create_return"):
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as error:
                if _CHECK_FAILED in _cancellation_reasons(error)[:3]:
                    return False  # a replay
                raise
        self.keys.learn(RETURN, run.id, kabupaten)
        return True

    def save_return(self, run: ReturnRun) -> None:
        with translated("save_return"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._return_item(run, self._return_pk(run.id)),
                    ConditionExpression="attribute_exists(PK)",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise

    def get_return(self, return_id: str) -> ReturnRun | None:
        with translated("get_return"):
            item = self._get({"PK": _s(self._return_pk(return_id)), "SK": _s("RUN")})
        return ReturnRun.from_record(json.loads(_str(item, "data"))) if item else None

    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        if len(lines) > RETURN_LINES_PER_WRITE:
            raise ValueError(f"at most {RETURN_LINES_PER_WRITE} lines per write")
        pending = list({line.seq: line for line in lines}.values())
        with translated("add_return_lines"):
            pk = self._return_pk(return_id)
            for attempt in range(MAX_CONTENTION_RETRIES):
                if not pending:
                    return
                if attempt:
                    dynamo.backoff(attempt)
                ops = [
                    self._put(
                        {
                            "PK": _s(pk),
                            "SK": _s(_return_line_sk(line.seq)),
                            "data": _s(_dump(line.to_record())),
                        },
                        "attribute_not_exists(PK)",
                    )
                    for line in pending
                ]
                try:
                    self.client.transact_write_items(TransactItems=ops)
                except ClientError as error:
                    reasons = _cancellation_reasons(error)[: len(pending)]
                    # A line another delivery stored meanwhile keeps its result.
                    pending = [
                        line
                        for line, reason in zip(pending, reasons, strict=True)
                        if reason != _CHECK_FAILED
                    ]
                    continue
                return
        raise StoreUnavailable(STORE_BUSY)

    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        if limit < 1:
            return []
        with translated("return_lines"):
            pk = self._return_pk(return_id)
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s(pk),
                ":low": _s(_return_line_sk(max(after, 0) + 1)),
                ":high": _s(_return_line_sk(10**_LINE_WIDTH - 1)),
            },
            "ConsistentRead": True,
        }
        with translated("return_lines"):
            items = self._query(query, limit=limit)
        return [ReturnLine.from_record(json.loads(_str(item, "data"))) for item in items]

    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with translated("record_return_chunk"):
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": _s(self._return_pk(return_id)),
                    "SK": _s(f"{_RETURN_CHUNK}{chunk:06d}"),
                    "counts": _s(_dump(dict(counts))),
                },
            )

    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]:
        with translated("return_chunk_counts"):
            items = self._query_prefix(self._return_pk(return_id), _RETURN_CHUNK)
        return {
            int(_str(item, "SK")[len(_RETURN_CHUNK) :]): json.loads(_str(item, "counts"))
            for item in items
        }

    def _return_pk(self, return_id: str) -> str:
        return self.keys.pk(RETURN, return_id)

    def _return_item(self, run: ReturnRun, pk: str) -> dict[str, AttributeValueTypeDef]:
        return {
            "PK": _s(pk),
            "SK": _s("RUN"),
            "data": _s(_dump(run.to_record())),
            **due.attributes(
                due.keyed(due.RETURN, self.keys.of(run.kabupaten)),
                positions.return_position(run),
            ),
        }

    def unfinished_returns(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ReturnRun]:
        with translated("unfinished_returns"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.partitions(due.RETURN, self.keys.codes),
                before=before,
                cursor=cursor,
                limit=limit,
            )
        runs = [ReturnRun.from_record(json.loads(_str(item, "data"))) for item in items]
        return DuePage(runs, next_cursor)
