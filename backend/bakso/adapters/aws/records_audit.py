"""The audit log in DynamoDB: append, the walk verify reads, search (one chain per
kabupaten: where each lives, records_audit_chain.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain.audit_chain import AuditHead
from ...domain.model import AuditEntry
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import translated
from .records_audit_chain import AuditChain, AuditLayout
from .records_audit_move import AuditMoveRecords
from .records_items import (
    _ENTRY_WIDTH,
    SORT_ATTRIBUTE,
    _audit_entry,
    _entry_newest,
    _entry_sk,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

__all__ = ["AuditChain", "AuditRecords"]


def _entries(items: Sequence[Item], chain: str) -> list[AuditEntry]:
    return [replace(_audit_entry(item), chain=chain) for item in items]


class AuditRecords(AuditMoveRecords):
    # Audit log ------------------------------------------------------------
    def append_audit(
        self, *, chain: str, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        with translated("append_audit"):
            for head in self._contended(chain):
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

    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        if limit < 1:
            return []
        name = self._chain(chain)
        with translated("audit_entries"):
            layout = self._layout(name)
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s(layout.partition),
                ":low": _s(_entry_sk(after_seq + 1)),
                ":high": _s(_entry_sk(10**_ENTRY_WIDTH - 1)),
            },
            "ConsistentRead": True,
        }
        with translated("audit_entries"):
            items = self._query(query, limit=limit)
        return _entries(items, name)

    def audit_head(self, chain: str | None = None) -> AuditHead | None:
        with translated("audit_head"):
            return self._read_head(self._chain(chain))[1]

    def index_audit_times(
        self, after_seq: int, limit: int, *, chain: str | None = None
    ) -> tuple[int, int | None]:
        # Adds the two attributes that put an entry in all-newest; the chain's link does
        # not cover them, so the entry stays as linked.
        with translated("index_audit_times"):
            layout = self._layout(self._chain(chain))
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ProjectionExpression": "PK, SK, seq, #at, #kind",
            "ExpressionAttributeNames": {"#at": "at", "#kind": "kind"},
            "ExpressionAttributeValues": {
                ":pk": _s(layout.partition),
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
                        ":kind": _s(layout.kind),
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
        chain: str | None = None,
    ) -> list[AuditEntry]:
        if limit < 1:
            return []
        with translated("audit_search"):
            layout = self._layout(self._chain(chain))
        if since is not None or until is not None:
            return self._audit_by_time(layout, target, actor, since, until, before_seq, limit)
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
            values[":pk"] = _s(layout.index_key(value))
            key = "#pk = :pk"
            if before_seq is not None:
                key += " AND #seq < :before"
                names["#seq"] = "seq"
                values[":before"] = _n(before_seq)
        else:
            key = "PK = :pk AND SK BETWEEN :low AND :high"
            values[":pk"] = _s(layout.partition)
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
        return _entries(items, layout.chain)

    def _audit_by_time(
        self,
        layout: AuditLayout,
        target: str | None,
        actor: str | None,
        since: str | None,
        until: str | None,
        before_seq: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        """Newest by (at, seq), paged from the `before` entry's (at, seq), as on SQLite.

        A target's entries (one request's events, one account's changes) are few: read
        all and ordered here. Otherwise one range Query of the chain's all-newest
        partition ("audit#<code>"), keyed by time; an officer is a filter within that range.
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
                cursor = self._get(layout.entry_key(before_seq))
                if cursor is None:
                    return []
                after = (_str(cursor, "at"), before_seq)
                position = _entry_newest(*after)
                high = position if high is None else min(high, position)
            if target is not None:
                names["#pk"] = "audit_target"
                values[":pk"] = _s(layout.index_key(target))
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
                found = sorted(
                    _entries(items, layout.chain), key=lambda e: (e.at, e.seq), reverse=True
                )
                if after is not None:
                    found = [e for e in found if (e.at, e.seq) < after]
                return found[:limit]
            if high is None:
                high = "~"  # above every ISO time
            if low > high:
                return []
            names.update({"#kind": "kind", "#pos": SORT_ATTRIBUTE})
            values.update({":kind": _s(layout.kind), ":low": _s(low), ":high": _s(high)})
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
        found = _entries(items, layout.chain)
        if after is not None:
            found = [e for e in found if (e.at, e.seq) < after]
        return found[:limit]
