"""The audit log in DynamoDB: the hash chain every write extends, append and search."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain.audit_chain import AuditHead, AuditKeys
from ...domain.model import AuditEntry
from ...domain.refusals import STORE_BUSY
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import opt_text as _opt_str
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

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]


class AuditChain(DynamoTable):
    """Extends the chain: the HEAD item advanced conditionally, retried on contention.

    HEAD holds the chain's length (`seq`), last link (`hash`), and the seal over both
    (`key_id`, `mac`): the same one item, rewritten by every append as before (#16).
    """

    audit_keys: AuditKeys

    def _contended(self) -> Iterator[_Head]:
        """The audit head to build on, once per attempt; backs off between attempts."""
        for attempt in range(MAX_CONTENTION_RETRIES):
            if attempt:
                # Jitter keeps appenders that collided from colliding again in step.
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
            yield self._audit_head()
        raise StoreUnavailable(STORE_BUSY)

    def _read_head(self) -> AuditHead | None:
        item = self._get({"PK": _s("AUDIT"), "SK": _s("HEAD")})
        if item is None:
            return None
        return AuditHead(
            length=_int(item, "seq"),
            link=_str(item, "hash"),
            key_id=_opt_str(item, "key_id") or "",
            mac=_opt_str(item, "mac") or "",
        )

    def _audit_head(self) -> _Head:
        """The head to chain onto; refused if its seal does not hold (never rebuilt from rows)."""
        head = self._read_head()
        try:
            seq, link = self.audit_keys.start(head, None)
        except StoreUnavailable:
            log.error(
                "audit append refused: the chain head is missing or not sealed by the audit key"
                " (bakso audit verify; docs/security.md, Audit log)"
            )
            raise
        return _Head(seq, link, exists=head is not None)

    def _entry(
        self, head: _Head, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        # Link what a reader gets back from JSON, so re-verification agrees.
        data = json.loads(_dump(data))
        return self.audit_keys.entry(head.seq + 1, at, actor, action, target, data, head.hash)

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
            "key_id": _s(entry.key_id),
            "audit_target": _s(entry.target),
            "audit_actor": _s(entry.actor),
        }
        sealed = self.audit_keys.seal(entry.seq, entry.hash)
        advance: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    "PK": _s("AUDIT"),
                    "SK": _s("HEAD"),
                    "seq": _n(sealed.length),
                    "hash": _s(sealed.link),
                    "key_id": _s(sealed.key_id),
                    "mac": _s(sealed.mac),
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

    def audit_head(self) -> AuditHead | None:
        with translated("audit_head"):
            return self._read_head()

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
