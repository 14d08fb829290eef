"""The audit log in DynamoDB: the hash chain every write extends, append and search."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain.model import GENESIS_HASH, AuditEntry, audit_hash
from ...domain.refusals import STORE_BUSY
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import StoreUnavailable, translated
from .records_items import (
    _ENTRY_WIDTH,
    MAX_CONTENTION_RETRIES,
    DynamoTable,
    _audit_entry,
    _entry_sk,
    _Head,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]


class AuditChain(DynamoTable):
    """Extends the chain: the HEAD item advanced conditionally, retried on contention."""

    def _contended(self) -> Iterator[_Head]:
        """The audit head to build on, once per attempt; backs off between attempts."""
        for attempt in range(MAX_CONTENTION_RETRIES):
            if attempt:
                # Jitter keeps appenders that collided from colliding again in step.
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
            yield self._audit_head()
        raise StoreUnavailable(STORE_BUSY)

    def _audit_head(self) -> _Head:
        item = self._get({"PK": _s("AUDIT"), "SK": _s("HEAD")})
        if item is None:
            return _Head(0, GENESIS_HASH, exists=False)
        return _Head(_int(item, "seq"), _str(item, "hash"), exists=True)

    @staticmethod
    def _entry(
        head: _Head, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        # Hash what a reader gets back from JSON, so re-verification agrees.
        data = json.loads(_dump(data))
        seq = head.seq + 1
        digest = audit_hash(seq, at, actor, action, target, data, head.hash)
        return AuditEntry(seq, at, actor, action, target, data, head.hash, digest)

    def _audit_writes(self, head: _Head, entry: AuditEntry) -> Sequence[TransactWriteItemTypeDef]:
        stored: dict[str, AttributeValueTypeDef] = {
            "PK": _s("AUDIT"),
            "SK": _s(_entry_sk(entry.seq)),
            "seq": _n(entry.seq),
            "at": _s(entry.at),
            "actor": _s(entry.actor),
            "action": _s(entry.action),
            "target": _s(entry.target),
            "data": _s(_dump(entry.data)),
            "prev_hash": _s(entry.prev_hash),
            "hash": _s(entry.hash),
            "audit_target": _s(entry.target),
            "audit_actor": _s(entry.actor),
        }
        advance: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "PK": _s("AUDIT"),
                    "SK": _s("HEAD"),
                    "seq": _n(entry.seq),
                    "hash": _s(entry.hash),
                },
            }
        }
        if head.exists:
            advance["Put"]["ConditionExpression"] = "#seq = :seq"
            advance["Put"]["ExpressionAttributeNames"] = {"#seq": "seq"}
            advance["Put"]["ExpressionAttributeValues"] = {":seq": _n(head.seq)}
        else:
            advance["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
        return [self._put(stored, "attribute_not_exists(PK)"), advance]


class AuditRecords(AuditChain):
    # Audit log ------------------------------------------------------------
    def append_audit(
        self, *, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        with translated("append_audit"):
            for head in self._contended():
                entry = self._entry(head, at, actor, action, target, data)
                try:
                    self.client.transact_write_items(
                        TransactItems=list(self._audit_writes(head, entry))
                    )
                except ClientError as error:
                    _cancellation_reasons(error)
                    continue
                return entry
        raise AssertionError("unreachable")  # pragma: no cover - _contended raises

    def audit_entries(self, after_seq: int = 0, limit: int = 1000) -> list[AuditEntry]:
        if limit < 1:
            return []
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s("AUDIT"),
                ":low": _s(_entry_sk(after_seq + 1)),
                ":high": _s(_entry_sk(10**_ENTRY_WIDTH - 1)),
            },
            "ConsistentRead": True,
        }
        with translated("audit_entries"):
            items = self._query(query, limit=limit)
        return [_audit_entry(item) for item in items]

    def audit_search(
        self,
        *,
        target: str | None,
        actor: str | None,
        since: str | None,
        until: str | None,
        before_seq: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        if limit < 1 or (before_seq is not None and before_seq <= 1):
            return []
        # DynamoDB refuses names and values that the expressions do not use.
        names: dict[str, str] = {}
        values: dict[str, AttributeValueTypeDef] = {}
        query: QueryInputTypeDef = {"TableName": self.table, "ScanIndexForward": False}
        if target is not None or actor is not None:
            # Query the narrower index; the other name, if given, is a filter.
            index, attribute, value = (
                ("audit_target-seq", "audit_target", target)
                if target is not None
                else ("audit_actor-seq", "audit_actor", actor)
            )
            assert value is not None
            query["IndexName"] = index
            names["#pk"] = attribute
            values[":pk"] = _s(value)
            key = "#pk = :pk"
            if before_seq is not None:
                key += " AND #seq < :before"
                names["#seq"] = "seq"
                values[":before"] = _n(before_seq)
        else:
            key = "PK = :pk AND SK BETWEEN :low AND :high"
            values[":pk"] = _s("AUDIT")
            values[":low"] = _s(_entry_sk(1))
            high = before_seq - 1 if before_seq is not None else 10**_ENTRY_WIDTH - 1
            values[":high"] = _s(_entry_sk(high))
        filters: list[str] = []
        if target is not None and actor is not None:
            filters.append("#actor = :actor")
            names["#actor"] = "actor"
            values[":actor"] = _s(actor)
        if since is not None:
            filters.append("#at >= :since")
            values[":since"] = _s(since)
        if until is not None:
            filters.append("#at < :until")
            values[":until"] = _s(until)
        if since is not None or until is not None:
            names["#at"] = "at"
        query["KeyConditionExpression"] = key
        if names:
            query["ExpressionAttributeNames"] = names
        query["ExpressionAttributeValues"] = values
        if filters:
            query["FilterExpression"] = " AND ".join(filters)
        with translated("audit_search"):
            # Filters apply after each page is read: read in pages larger than
            # `limit` so a selective filter does not cost a round trip per item.
            items = self._query(query, limit=limit, page=max(limit, 100) if filters else None)
        return [_audit_entry(item) for item in items]
