"""What the DynamoDB records mixins share: keys, item translations, the table.

The item layout is in bakso.adapters.aws.records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from ...domain import paging
from ...domain.lifecycle import Role, Status
from ...domain.model import AuditEntry, Request, Scan, User
from ...domain.regions import kabupaten_of
from ...domain.retention import retention_clock
from . import dynamo
from .dynamo import integer as _int
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .tenant_keys import BATCH, REQUEST, TenantKeys

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]

TENANT_KINDS = frozenset({REQUEST, BATCH})  # items keyed by kabupaten, listed by _newest_page
RETENTION_INDEX = "retention-due"
RETENTION_KEY = "retention_key"  # "<desa>#<clock>"
RETENTION_SINCE = "retention_since"  # "<clock started>#<request id>"
SORT_ATTRIBUTE = "newest"  # "<created_at>#<id>": newest first is a descending Query
REQUEST_KIND = "request"  # the bare kind of requests written before #16 (all-newest)
# A request's list keys, per kabupaten (#16): no index partition takes every request write.
KIND_KABUPATEN = "kind_kabupaten"  # "request#<kabupaten>"
KABUPATEN_STATUS = "kabupaten_status"  # "<kabupaten>#<status>"
NIK_INDEX = "nik-newest"
BATCH_KIND = "batch"
# Audit entries by time: all-newest, partition "audit", newest "<at>#<seq, 12 digits>".
AUDIT_KIND = "audit"
# Every global secondary index this adapter queries: name → (hash key, range key).
# With the sasaran store's, exactly what infra/bakso.yaml defines (a test compares them).
INDEXES: dict[str, tuple[str, str | None]] = {
    "all-newest": ("kind", SORT_ATTRIBUTE),
    "kind_kabupaten-newest": (KIND_KABUPATEN, SORT_ATTRIBUTE),
    "kabupaten_status-newest": (KABUPATEN_STATUS, SORT_ATTRIBUTE),
    "desa-newest": ("desa", SORT_ATTRIBUTE),
    "status-newest": ("status", SORT_ATTRIBUTE),
    "desa_status-newest": ("desa_status", SORT_ATTRIBUTE),
    "token": ("token", None),
    "batch-newest": ("batch_id", SORT_ATTRIBUTE),
    "audit_target-seq": ("audit_target", "seq"),
    "audit_actor-seq": ("audit_actor", "seq"),
    # Requests whose retention clock runs, by desa and clock (records_retention).
    RETENTION_INDEX: (RETENTION_KEY, RETENTION_SINCE),
    # Requests by the keyed hash of the applicant's NIK (domain.search; keys only).
    NIK_INDEX: ("nik_key", SORT_ATTRIBUTE),
}
# The request lists, by which filters a list has: (desa given, status given).
LIST_INDEXES: dict[tuple[bool, bool], str] = {
    (False, False): "kind_kabupaten-newest",
    (True, False): "desa-newest",
    (False, True): "kabupaten_status-newest",
    (True, True): "desa_status-newest",
}
MAX_CONTENTION_RETRIES = 60

_ENTRY_WIDTH = 12
_LINE_WIDTH = 10
_RETURN_CHUNK = "CHUNK#"


def _request_pk(request_id: str) -> str:
    """The key of a request written before #16 (tenant_keys: `DynamoTable.keys.pk`)."""
    return f"REQ#{request_id}"


def request_kind(kabupaten: str) -> str:
    return f"{REQUEST_KIND}#{kabupaten}"


def kabupaten_status(kabupaten: str, status: Status) -> str:
    return f"{kabupaten}#{status.value}"


def list_attributes(request: Request) -> dict[str, AttributeValueTypeDef]:
    """A request item's keys in the four request lists: the kabupaten's and the desa's."""
    kabupaten = kabupaten_of(request.desa)
    return {
        KIND_KABUPATEN: _s(request_kind(kabupaten)),
        KABUPATEN_STATUS: _s(kabupaten_status(kabupaten, request.status)),
        "desa": _s(request.desa),
        "desa_status": _s(f"{request.desa}#{request.status.value}"),
    }


def retention_attributes(request: Request) -> dict[str, AttributeValueTypeDef]:
    """A request item's keys in `retention-due` (records_retention); none once erased."""
    clock = retention_clock(request)
    if clock is None:
        return {}
    return {
        RETENTION_KEY: _s(f"{request.desa}#{clock.name}"),
        # "#" sorts below every character of an ISO time: ordered like (since, id).
        RETENTION_SINCE: _s(f"{clock.since}#{request.id}"),
    }


def search_attributes(request: Request) -> dict[str, AttributeValueTypeDef]:
    """A request item's key in `nik-newest`: none once erased (domain.search)."""
    return {"nik_key": _s(request.nik_key)} if request.nik_key is not None else {}


def _newest(created_at: str, request_id: str) -> str:
    # "#" sorts below every character of an ISO timestamp, so this orders like
    # the pair (created_at, id).
    return f"{created_at}#{request_id}"


def _return_pk(return_id: str) -> str:
    return f"RETURN#{return_id}"


def _return_line_sk(seq: int) -> str:
    return f"LINE#{seq:0{_LINE_WIDTH}d}"


def _entry_sk(seq: int) -> str:
    return f"ENTRY#{seq:0{_ENTRY_WIDTH}d}"


def _entry_newest(at: str, seq: int) -> str:
    # Ordered like (at, seq), as the local store's audit_at index.
    return f"{at}#{seq:0{_ENTRY_WIDTH}d}"


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str
    exists: bool
    chain: str = ""  # the audit chain (a kabupaten code) it heads (#16)
    partition: str = ""  # where that chain's items are (records_audit_chain.AuditLayout)


class _Retry(Exception):
    """The transaction lost a race that retrying can win (audit head moved, conflict)."""


class DynamoTable:
    """The table and the reads and writes every records mixin builds on."""

    def __init__(self, client: DynamoDBClient, table: str, kabupaten: Sequence[str] = ()) -> None:
        # Public so tests can hook the client's events (e.g. to count operations).
        self.client = client
        self.table = table
        # The kabupaten served, the default first: partition keys by id (tenant_keys).
        self.keys = TenantKeys(client, table, kabupaten)

    def _get(self, key: Mapping[str, AttributeValueTypeDef]) -> Item | None:
        response = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
        return response.get("Item")

    def _query(
        self, query: QueryInputTypeDef, *, limit: int, page: int | None = None
    ) -> list[Item]:
        return dynamo.query_up_to(self.client, query, limit=limit, page=page)

    def _query_all(self, query: QueryInputTypeDef) -> list[Item]:
        return dynamo.query_all(self.client, query)

    def _query_prefix(self, pk: str, prefix: str) -> list[Item]:
        """Every item of one partition whose sort key starts with `prefix`, in key order."""
        return self._query_all(
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                "ExpressionAttributeValues": {":pk": _s(pk), ":prefix": _s(prefix)},
                "ConsistentRead": True,
            }
        )

    def _put(
        self, item: Mapping[str, AttributeValueTypeDef], condition: str
    ) -> TransactWriteItemTypeDef:
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": condition}}

    def _newest_page(
        self, index: str, partition: str, pk_prefix: str, sk: str, *, cursor: str | None, limit: int
    ) -> tuple[list[Item], str | None]:
        """One page of an index sorted by `newest`, newest first, and the next page's cursor."""
        hash_key = INDEXES[index][0]
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": hash_key},
            "ExpressionAttributeValues": {":pk": _s(partition)},
            "ScanIndexForward": False,
        }
        if cursor is not None:
            created_at, item_id = paging.decode_position(cursor)
            query["ExclusiveStartKey"] = {
                # The item's own key: where `newest` ties, the table key orders.
                "PK": _s(self._start_pk(pk_prefix, item_id)),
                "SK": _s(sk),
                hash_key: _s(partition),
                SORT_ATTRIBUTE: _s(_newest(created_at, item_id)),
            }
        # One extra item tells whether a next page exists without a second query.
        items = self._query(query, limit=limit + 1)
        next_cursor = None
        if len(items) > limit:
            created_at, _, item_id = _str(items[limit - 1], SORT_ATTRIBUTE).rpartition("#")
            next_cursor = paging.encode_position(created_at, item_id)
        return items[:limit], next_cursor

    def _start_pk(self, pk_prefix: str, item_id: str) -> str:
        """The partition of a page's last item: a request's or batch's names its
        kabupaten (tenant_keys)."""
        kind = pk_prefix.removesuffix("#")
        if kind in TENANT_KINDS:
            return self.keys.pk(kind, item_id)
        return f"{pk_prefix}{item_id}"


def _is_request_put(item: TransactWriteItemTypeDef) -> bool:
    put = item.get("Put")
    return put is not None and put["Item"].get("SK") == {"S": "REQ"}


def _old_item(error: ClientError, *, reason: int | None = None) -> Item | None:
    """The item as it was when a condition failed (ReturnValuesOnConditionCheckFailure)."""
    response: dict[str, Any] = dict(error.response)
    if reason is not None:
        reasons = response.get("CancellationReasons", [])
        response = reasons[reason] if reason < len(reasons) else {}
    item = response.get("Item")
    return cast("Item", item) if item else None


def _scan(item: Item) -> Scan:
    return Scan(
        id=_str(item, "id"),
        request_id=_str(item, "request_id"),
        requirement=_str(item, "requirement"),
        sha256=_str(item, "sha256"),
        size=_int(item, "size"),
        content_type=_str(item, "content_type"),
        key=_str(item, "key"),
        state=_str(item, "state"),
        created_at=_str(item, "created_at"),
        replaces=_opt_str(item, "replaces"),
        placed_at=_opt_str(item, "placed_at") or "",
        submission=_int(item, "submission") if "submission" in item else 0,
        quality=tuple(v["S"] for v in item["quality"]["L"]) if "quality" in item else (),
    )


def _audit_entry(item: Item) -> AuditEntry:
    return AuditEntry(
        seq=_int(item, "seq"),
        at=_str(item, "at"),
        actor=_str(item, "actor"),
        action=_str(item, "action"),
        target=_str(item, "target"),
        data=json.loads(_str(item, "data")),
        prev_hash=_str(item, "prev_hash"),
        hash=_str(item, "hash"),
        key_id=_opt_str(item, "key_id") or "",
    )


def _user(item: Item) -> User:
    return User(
        username=_str(item, "username"),
        role=Role(_str(item, "role")),
        desa=_opt_str(item, "user_desa"),
        password_hash=_str(item, "password_hash"),
        active=bool(item["active"]["BOOL"]),
        session_epoch=_int(item, "session_epoch"),
        created_at=_str(item, "created_at"),
        kabupaten=_opt_str(item, "user_kabupaten"),  # absent before #16: the default's
        provinsi=_opt_str(item, "user_provinsi"),
    )
