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
    AUDIT_KIND,
    MAX_CONTENTION_RETRIES,
    SORT_ATTRIBUTE,
    DynamoTable,
    _audit_entry,
    _entry_newest,
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
            "kind": _s(AUDIT_KIND),
            SORT_ATTRIBUTE: _s(_entry_newest(entry.at, entry.seq)),
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

    def index_audit_times(self, after_seq: int, limit: int) -> tuple[int, int | None]:
        # Adds the two attributes that put an entry in all-newest; the chain's link does
        # not cover them, so the entry stays as linked.
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ProjectionExpression": "PK, SK, seq, #at, #kind",
            "ExpressionAttributeNames": {"#at": "at", "#kind": "kind"},
            "ExpressionAttributeValues": {
                ":pk": _s("AUDIT"),
                ":low": _s(_entry_sk(after_seq + 1)),
                ":high": _s(_entry_sk(10**_ENTRY_WIDTH - 1)),
            },
            "ConsistentRead": True,
        }
        written = 0
        with translated("index_audit_times"):
            items = self._query(query, limit=max(1, limit))
            for item in items:
                if "kind" in item:
                    continue
                self.client.update_item(
                    TableName=self.table,
                    Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET #kind = :kind, #pos = :pos",
                    ConditionExpression="attribute_exists(PK)",
                    ExpressionAttributeNames={"#kind": "kind", "#pos": SORT_ATTRIBUTE},
                    ExpressionAttributeValues={
                        ":kind": _s(AUDIT_KIND),
                        ":pos": _s(_entry_newest(_str(item, "at"), _int(item, "seq"))),
                    },
                )
                written += 1
        last = _int(items[-1], "seq") if len(items) >= max(1, limit) else None
        return written, last

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
        if limit < 1:
            return []
        if since is not None or until is not None:
            return self._audit_by_time(target, actor, since, until, before_seq, limit)
        if before_seq is not None and before_seq <= 1:
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
        if target is not None and actor is not None:
            query["FilterExpression"] = "#actor = :actor"
            names["#actor"] = "actor"
            values[":actor"] = _s(actor)
        query["KeyConditionExpression"] = key
        if names:
            query["ExpressionAttributeNames"] = names
        query["ExpressionAttributeValues"] = values
        with translated("audit_search"):
            # A filter applies after each page is read: read in pages larger than
            # `limit` so a selective one does not cost a round trip per item.
            page = max(limit, 100) if target is not None and actor is not None else None
            items = self._query(query, limit=limit, page=page)
        return [_audit_entry(item) for item in items]

    def _audit_by_time(
        self,
        target: str | None,
        actor: str | None,
        since: str | None,
        until: str | None,
        before_seq: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        """Newest by (at, seq), paged from the `before` entry's (at, seq), as on SQLite.

        A target's entries (one request's events, one account's changes) are few: read
        all and ordered here. Otherwise one range Query of all-newest's "audit"
        partition, keyed by time; an officer is a filter within that range.
        """
        low, high = since or "0", until
        names = {"#at": "at"}
        values: dict[str, AttributeValueTypeDef] = {}
        filters: list[str] = []
        for clause, name, value in (
            ("#at >= :since", ":since", since),
            ("#at < :until", ":until", until),
            ("#actor = :actor", ":actor", actor),
        ):
            if value is not None:
                filters.append(clause)
                values[name] = _s(value)
        if actor is not None:
            names["#actor"] = "actor"
        with translated("audit_search"):
            after: tuple[str, int] | None = None
            if before_seq is not None:
                cursor = self._get({"PK": _s("AUDIT"), "SK": _s(_entry_sk(before_seq))})
                if cursor is None:
                    return []
                after = (_str(cursor, "at"), before_seq)
                position = _entry_newest(*after)
                high = position if high is None else min(high, position)
            if target is not None:
                names["#pk"] = "audit_target"
                values[":pk"] = _s(target)
                items = self._query_all(
                    {
                        "TableName": self.table,
                        "IndexName": "audit_target-seq",
                        "KeyConditionExpression": "#pk = :pk",
                        "FilterExpression": " AND ".join(filters),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                )
                found = sorted(map(_audit_entry, items), key=lambda e: (e.at, e.seq), reverse=True)
                if after is not None:
                    found = [e for e in found if (e.at, e.seq) < after]
                return found[:limit]
            if high is None:
                high = "~"  # above every ISO time
            if low > high:
                return []
            names.update({"#kind": "kind", "#pos": SORT_ATTRIBUTE})
            values.update({":kind": _s(AUDIT_KIND), ":low": _s(low), ":high": _s(high)})
            query: QueryInputTypeDef = {
                "TableName": self.table,
                "IndexName": "all-newest",
                # BETWEEN includes `high`: the cursor entry itself is dropped below.
                "KeyConditionExpression": "#kind = :kind AND #pos BETWEEN :low AND :high",
                "FilterExpression": " AND ".join(filters),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": False,
            }
            wanted = limit + (after is not None)
            items = self._query(query, limit=wanted, page=max(wanted, 100))
        found = [_audit_entry(item) for item in items]
        if after is not None:
            found = [e for e in found if (e.at, e.seq) < after]
        return found[:limit]
