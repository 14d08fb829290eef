"""Records in one DynamoDB table: every read a GetItem or a Query, never a Scan.

Items, by (PK, SK):

    REQ#<id>       REQ             the request (JSON in `data`) plus the keys of its indexes
    REQ#<id>       EVT#<seq>       one timeline event; <seq> is its audit entry's, so it orders them
    REQ#<id>       SCAN#<scan id>  one scan
    CODE#<code>    CODE            claims a human code for one request (codes are unique)
    USERS          USER#<name>     one officer; the partition is the list of officers
    LOGIN#<key>    LOGIN           login throttling; DynamoDB's TTL removes it once stale
    AUDIT          HEAD            seq and hash of the last audit entry
    AUDIT          ENTRY#<seq>     one audit entry, indexed by target and by actor
    BATCH#<id>     BATCH           one Dukcapil batch (JSON in `data`)
    RETURN#<id>    RUN             one bulk return run (JSON in `data`)
    RETURN#<id>    LINE#<seq>      the result of one line of the return
    RETURN#<id>    CHUNK#<n>       the outcome counts of one applied chunk

Timeline, scans and audit live in their own items, so no item grows without
bound (400 KB is DynamoDB's limit). Writes that must go together (a request,
its code, its event and the audit entry) are one TransactWriteItems; the audit
chain stays linear because every append conditionally advances the HEAD item
from the seq it read, and is retried when another append got there first.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from ...domain import paging
from ...domain.errors import Conflict, NotFound
from ...domain.lifecycle import Role, Status
from ...domain.model import (
    GENESIS_HASH,
    AuditEntry,
    Batch,
    Event,
    LoginAttempts,
    Request,
    Scan,
    User,
    audit_hash,
    event_audit_data,
)
from ...domain.refusals import (
    BATCH_CHANGED,
    BATCH_EXISTS,
    CODE_FIXED,
    SCAN_NOT_FOUND,
    STALE_REQUEST,
    STORE_BUSY,
)
from ...domain.returns import ReturnLine, ReturnRun
from ...ports import (
    MAX_REQUEST_WRITES,
    RETURN_LINES_PER_WRITE,
    CodeTaken,
    Page,
    Records,
    RequestWrite,
)
from . import dynamo
from .dynamo import CHECK_FAILED as _CHECK_FAILED
from .dynamo import TTL_ATTRIBUTE
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import StoreUnavailable, error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]

SORT_ATTRIBUTE = "newest"  # "<created_at>#<id>": newest first is a descending Query
REQUEST_KIND = "request"
BATCH_KIND = "batch"
# Every global secondary index this adapter queries: name → (hash key, range key).
# With the sasaran store's, exactly what infra/bakso.yaml defines (a test compares them).
INDEXES: dict[str, tuple[str, str | None]] = {
    "all-newest": ("kind", SORT_ATTRIBUTE),
    "desa-newest": ("desa", SORT_ATTRIBUTE),
    "status-newest": ("status", SORT_ATTRIBUTE),
    "desa_status-newest": ("desa_status", SORT_ATTRIBUTE),
    "token": ("token", None),
    "batch-newest": ("batch_id", SORT_ATTRIBUTE),
    "audit_target-seq": ("audit_target", "seq"),
    "audit_actor-seq": ("audit_actor", "seq"),
}
# The request lists, by which filters a list has: (desa given, status given).
LIST_INDEXES: dict[tuple[bool, bool], str] = {
    (False, False): "all-newest",
    (True, False): "desa-newest",
    (False, True): "status-newest",
    (True, True): "desa_status-newest",
}
# How long a login-throttling record outlives its lock: a day of quiet forgets failures.
LOGIN_RECORD_TTL = 24 * 3600
MAX_CONTENTION_RETRIES = 60

_ENTRY_WIDTH = 12
_LINE_WIDTH = 10
_RETURN_CHUNK = "CHUNK#"


def _request_pk(request_id: str) -> str:
    return f"REQ#{request_id}"


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


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str
    exists: bool


class _Retry(Exception):
    """The transaction lost a race that retrying can win (audit head moved, conflict)."""


class DynamoRecords(Records):
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        # Public so tests can hook the client's events (e.g. to count operations).
        self.client = client
        self.table = table

    # Requests -------------------------------------------------------------
    def create_request(self, request: Request, event: Event) -> bool:
        with translated("create_request"):
            for head in self._contended():
                entry = self._entry(
                    head,
                    event.at,
                    event.by,
                    event.action,
                    event.request_id,
                    event_audit_data(event),
                )
                items: list[TransactWriteItemTypeDef] = [
                    self._put(self._request_item(request), "attribute_not_exists(PK)"),
                    self._put(
                        {
                            "PK": _s(f"CODE#{request.code}"),
                            "SK": _s("CODE"),
                            "request_id": _s(request.id),
                        },
                        "attribute_not_exists(PK)",
                    ),
                    self._put(self._event_item(event, entry.seq), "attribute_not_exists(PK)"),
                    *self._audit_writes(head, entry),
                ]
                try:
                    self.client.transact_write_items(TransactItems=items)
                except ClientError as error:
                    reasons = _cancellation_reasons(error)
                    if reasons[0] == _CHECK_FAILED:
                        return False  # the id exists: a replay
                    if reasons[1] == _CHECK_FAILED:
                        raise CodeTaken(request.code) from None
                    continue
                return True
        raise AssertionError("unreachable")  # pragma: no cover - _contended raises

    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        item = self._request_item(request)
        condition = "attribute_exists(PK) AND #version = :expected AND #code = :code"
        names = {"#version": "version", "#code": "code"}
        values: dict[str, AttributeValueTypeDef] = {
            ":expected": _n(expected_version),
            ":code": _s(request.code),
        }
        with translated("save_request"):
            if event is None:
                try:
                    self.client.put_item(
                        TableName=self.table,
                        Item=item,
                        ConditionExpression=condition,
                        ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values,
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
                except ClientError as error:
                    if error_code(error) != "ConditionalCheckFailedException":
                        raise
                    raise self._stale(request, _old_item(error)) from None
                return
            for head in self._contended():
                entry = self._entry(
                    head,
                    event.at,
                    event.by,
                    event.action,
                    event.request_id,
                    event_audit_data(event),
                )
                put = self._put(item, condition)
                put["Put"]["ExpressionAttributeNames"] = names
                put["Put"]["ExpressionAttributeValues"] = values
                put["Put"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
                items = [
                    put,
                    self._put(self._event_item(event, entry.seq), "attribute_not_exists(PK)"),
                    *self._audit_writes(head, entry),
                ]
                try:
                    self.client.transact_write_items(TransactItems=items)
                except ClientError as error:
                    reasons = _cancellation_reasons(error)
                    if reasons[0] == _CHECK_FAILED:
                        raise self._stale(request, _old_item(error, reason=0)) from None
                    continue
                return

    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        if len(writes) > MAX_REQUEST_WRITES:
            raise ValueError(f"at most {MAX_REQUEST_WRITES} writes in one transaction")
        if not writes:
            return
        with translated("save_requests"):
            for head in self._contended():
                items: list[TransactWriteItemTypeDef] = []
                entries: list[AuditEntry] = []
                for write in writes:
                    put = self._put(
                        self._request_item(write.request),
                        "attribute_exists(PK) AND #version = :expected",
                    )
                    put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
                    put["Put"]["ExpressionAttributeValues"] = {
                        ":expected": _n(write.expected_version)
                    }
                    items.append(put)
                    event = write.event
                    if event is None:
                        continue
                    # The entries chain on one another inside the transaction.
                    link = entries[-1] if entries else None
                    base = _Head(link.seq, link.hash, exists=True) if link else head
                    entry = self._entry(
                        base,
                        event.at,
                        event.by,
                        event.action,
                        event.request_id,
                        event_audit_data(event),
                    )
                    entries.append(entry)
                    items.append(
                        self._put(self._event_item(event, entry.seq), "attribute_not_exists(PK)")
                    )
                for index, entry in enumerate(entries):
                    stored, advance = self._audit_writes(head, entry)
                    items.append(stored)
                    if index == len(entries) - 1:
                        items.append(advance)
                try:
                    self.client.transact_write_items(TransactItems=items)
                except ClientError as error:
                    reasons = _cancellation_reasons(error)
                    request_slots = {i for i, item in enumerate(items) if _is_request_put(item)}
                    if any(reasons[i] == _CHECK_FAILED for i in request_slots if i < len(reasons)):
                        raise Conflict(STALE_REQUEST) from None
                    continue
                return

    def _stale(self, request: Request, old: Item | None) -> Conflict:
        if old is None:
            # Some stores leave the old item out of the answer: read it.
            old = self._get({"PK": _s(_request_pk(request.id)), "SK": _s("REQ")})
        if old is None:
            return Conflict(STALE_REQUEST, current_version=None)
        if _str(old, "code") != request.code:
            return Conflict(CODE_FIXED)
        return Conflict(STALE_REQUEST, current_version=_int(old, "version"))

    def get_request(self, request_id: str) -> Request | None:
        with translated("get_request"):
            item = self._get({"PK": _s(_request_pk(request_id)), "SK": _s("REQ")})
        return Request.from_record(json.loads(_str(item, "data"))) if item else None

    def get_request_by_code(self, code: str) -> Request | None:
        with translated("get_request_by_code"):
            claim = self._get({"PK": _s(f"CODE#{code}"), "SK": _s("CODE")})
        if claim is None:
            return None
        return self.get_request(_str(claim, "request_id"))

    def list_requests(
        self, *, desa: str | None, status: Status | None, cursor: str | None, limit: int
    ) -> Page:
        limit = paging.page_size(limit)
        index = LIST_INDEXES[(desa is not None, status is not None)]
        if desa is not None and status is not None:
            partition = f"{desa}#{status.value}"
        elif desa is not None:
            partition = desa
        elif status is not None:
            partition = status.value
        else:
            partition = REQUEST_KIND
        with translated("list_requests"):
            items, next_cursor = self._newest_page(
                index, partition, "REQ#", "REQ", cursor=cursor, limit=limit
            )
        return Page(
            items=[Request.from_record(json.loads(_str(item, "data"))) for item in items],
            cursor=next_cursor,
        )

    def get_request_by_token(self, token: str) -> Request | None:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": "token",
            "KeyConditionExpression": "#token = :token",
            "ExpressionAttributeNames": {"#token": "token"},
            "ExpressionAttributeValues": {":token": _s(token)},
        }
        with translated("get_request_by_token"):
            keys = self._query(query, limit=1)
            if not keys:
                return None
            # The index holds keys only: read the item itself, consistently.
            item = self._get({"PK": keys[0]["PK"], "SK": keys[0]["SK"]})
        if item is None or _opt_str(item, "token") != token:
            return None
        return Request.from_record(json.loads(_str(item, "data")))

    def requests_in_batch(
        self,
        batch_id: str,
        *,
        after: str | None = None,
        through: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        # Positions are the index's sort key ("<created_at>#<id>"), so a volume or
        # a chunk is one range Query.
        key = "#batch = :batch"
        values: dict[str, AttributeValueTypeDef] = {":batch": _s(batch_id)}
        names = {"#batch": "batch_id"}
        if after is not None or through is not None:
            names["#pos"] = SORT_ATTRIBUTE
        if after is not None and through is not None:
            # BETWEEN includes `after` itself: it is dropped below.
            key += " AND #pos BETWEEN :after AND :through"
            values[":after"], values[":through"] = _s(after), _s(through)
        elif after is not None:
            key += " AND #pos > :after"
            values[":after"] = _s(after)
        elif through is not None:
            key += " AND #pos <= :through"
            values[":through"] = _s(through)
        both = after is not None and through is not None
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": "batch-newest",
            "KeyConditionExpression": key,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        with translated("requests_in_batch"):
            if limit is None:
                items = self._query_all(query)
            else:
                items = self._query(query, limit=limit + both)
        if both:
            items = [item for item in items if _str(item, SORT_ATTRIBUTE) != after]
        if limit is not None:
            items = items[:limit]
        # The index holds copies that may lag a write: read the items themselves.
        return self._requests_by_ids([_str(item, "PK")[len("REQ#") :] for item in items])

    def _requests_by_ids(self, ids: Sequence[str]) -> list[Request]:
        """Consistent reads of these requests, in this order, 100 keys per BatchGetItem."""
        found: dict[str, Request] = {}
        for start in range(0, len(ids), 100):
            keys: list[Mapping[str, AttributeValueTypeDef]] = [
                {"PK": _s(_request_pk(i)), "SK": _s("REQ")} for i in ids[start : start + 100]
            ]
            with translated("batch get requests"):
                while keys:
                    response = self.client.batch_get_item(
                        RequestItems={self.table: {"Keys": keys, "ConsistentRead": True}}
                    )
                    for item in response.get("Responses", {}).get(self.table, []):
                        request = Request.from_record(json.loads(_str(item, "data")))
                        found[request.id] = request
                    unprocessed = response.get("UnprocessedKeys", {}).get(self.table)
                    keys = list(unprocessed["Keys"]) if unprocessed else []
        return [found[i] for i in ids if i in found]

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
                "PK": _s(f"{pk_prefix}{item_id}"),
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

    def timeline(self, request_id: str) -> list[Event]:
        with translated("timeline"):
            items = self._query_prefix(_request_pk(request_id), "EVT#")
        return [
            Event(
                request_id=request_id,
                at=_str(item, "at"),
                by=_str(item, "by"),
                from_status=Status(value) if (value := _opt_str(item, "from")) else None,
                to_status=Status(_str(item, "to")),
                note=_str(item, "note"),
                action=_str(item, "action"),
            )
            for item in items
        ]

    # Scans ----------------------------------------------------------------
    def add_scan(self, scan: Scan) -> Scan:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(_request_pk(scan.request_id)),
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
            item = self._get({"PK": _s(_request_pk(request_id)), "SK": _s(f"SCAN#{scan_id}")})
        return _scan(item) if item else None

    def list_scans(self, request_id: str) -> list[Scan]:
        with translated("list_scans"):
            items = self._query_prefix(_request_pk(request_id), "SCAN#")
        return sorted((_scan(item) for item in items), key=lambda s: (s.created_at, s.id))

    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None:
        with translated("set_scan_state"):
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key={"PK": _s(_request_pk(request_id)), "SK": _s(f"SCAN#{scan_id}")},
                    UpdateExpression="SET #state = :state",
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
                Key={"PK": _s(_request_pk(request_id)), "SK": _s(f"SCAN#{scan_id}")},
            )

    # Officers and login throttling ------------------------------------------
    def get_user(self, username: str) -> User | None:
        with translated("get_user"):
            item = self._get({"PK": _s("USERS"), "SK": _s(f"USER#{username}")})
        return _user(item) if item else None

    def save_user(self, user: User) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s("USERS"),
            "SK": _s(f"USER#{user.username}"),
            "username": _s(user.username),
            "role": _s(user.role.value),
            "password_hash": _s(user.password_hash),
            "active": {"BOOL": user.active},
            "session_epoch": _n(user.session_epoch),
            "created_at": _s(user.created_at),
        }
        if user.desa is not None:
            item["user_desa"] = _s(user.desa)  # not "desa": that key would index the officer
        with translated("save_user"):
            self.client.put_item(TableName=self.table, Item=item)

    def list_users(self) -> list[User]:
        with translated("list_users"):
            items = self._query_prefix("USERS", "USER#")
        return [_user(item) for item in items]

    def get_login_attempts(self, key: str) -> LoginAttempts | None:
        with translated("get_login_attempts"):
            item = self._get({"PK": _s(f"LOGIN#{key}"), "SK": _s("LOGIN")})
        if item is None:
            return None
        return LoginAttempts(
            key=key, failures=_int(item, "failures"), locked_until=float(item["locked_until"]["N"])
        )

    def save_login_attempts(self, attempts: LoginAttempts) -> None:
        expires = int(max(attempts.locked_until, time.time())) + LOGIN_RECORD_TTL
        with translated("save_login_attempts"):
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": _s(f"LOGIN#{attempts.key}"),
                    "SK": _s("LOGIN"),
                    "failures": _n(attempts.failures),
                    "locked_until": _n(float(attempts.locked_until)),
                    TTL_ATTRIBUTE: _n(expires),
                },
            )

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

    # Bulk returns ---------------------------------------------------------
    def get_requests_by_codes(self, codes: Sequence[str]) -> dict[str, Request]:
        with translated("get_requests_by_codes"):
            claims = dynamo.batch_get(
                self.client,
                self.table,
                [{"PK": _s(f"CODE#{code}"), "SK": _s("CODE")} for code in sorted(set(codes))],
            )
            ids = sorted({_str(claim, "request_id") for claim in claims})
            items = dynamo.batch_get(
                self.client,
                self.table,
                [{"PK": _s(_request_pk(i)), "SK": _s("REQ")} for i in ids],
            )
        requests = (Request.from_record(json.loads(_str(item, "data"))) for item in items)
        return {request.code: request for request in requests}

    def create_return(self, run: ReturnRun) -> bool:
        with translated("create_return"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._return_item(run),
                    ConditionExpression="attribute_not_exists(PK)",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                return False
        return True

    def save_return(self, run: ReturnRun) -> None:
        with translated("save_return"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._return_item(run),
                    ConditionExpression="attribute_exists(PK)",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise

    def get_return(self, return_id: str) -> ReturnRun | None:
        with translated("get_return"):
            item = self._get({"PK": _s(_return_pk(return_id)), "SK": _s("RUN")})
        return ReturnRun.from_record(json.loads(_str(item, "data"))) if item else None

    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        if len(lines) > RETURN_LINES_PER_WRITE:
            raise ValueError(f"at most {RETURN_LINES_PER_WRITE} lines per write")
        pending = list({line.seq: line for line in lines}.values())
        with translated("add_return_lines"):
            for attempt in range(MAX_CONTENTION_RETRIES):
                if not pending:
                    return
                if attempt:
                    dynamo.backoff(attempt)
                ops = [
                    self._put(
                        {
                            "PK": _s(_return_pk(return_id)),
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
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s(_return_pk(return_id)),
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
                    "PK": _s(_return_pk(return_id)),
                    "SK": _s(f"{_RETURN_CHUNK}{chunk:06d}"),
                    "counts": _s(_dump(dict(counts))),
                },
            )

    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]:
        with translated("return_chunk_counts"):
            items = self._query_prefix(_return_pk(return_id), _RETURN_CHUNK)
        return {
            int(_str(item, "SK")[len(_RETURN_CHUNK) :]): json.loads(_str(item, "counts"))
            for item in items
        }

    def _return_item(self, run: ReturnRun) -> dict[str, AttributeValueTypeDef]:
        return {
            "PK": _s(_return_pk(run.id)),
            "SK": _s("RUN"),
            "data": _s(_dump(run.to_record())),
        }

    # Helpers --------------------------------------------------------------
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

    def _put(
        self, item: Mapping[str, AttributeValueTypeDef], condition: str
    ) -> TransactWriteItemTypeDef:
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": condition}}

    @staticmethod
    def _request_item(request: Request) -> dict[str, AttributeValueTypeDef]:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(_request_pk(request.id)),
            "SK": _s("REQ"),
            "data": _s(_dump(request.to_record())),
            "version": _n(request.version),
            "code": _s(request.code),
            "kind": _s(REQUEST_KIND),
            "desa": _s(request.desa),
            "status": _s(request.status.value),
            "desa_status": _s(f"{request.desa}#{request.status.value}"),
            SORT_ATTRIBUTE: _s(_newest(request.created_at, request.id)),
        }
        if request.token is not None:
            item["token"] = _s(request.token)
        if request.batch_id is not None:
            item["batch_id"] = _s(request.batch_id)
        return item

    def _batch_item(self, batch: Batch) -> dict[str, AttributeValueTypeDef]:
        return {
            "PK": _s(f"BATCH#{batch.id}"),
            "SK": _s("BATCH"),
            "data": _s(_dump(batch.to_record())),
            "kind": _s(BATCH_KIND),
            "version": _n(batch.version),
            SORT_ATTRIBUTE: _s(_newest(batch.created_at, batch.id)),
        }

    @staticmethod
    def _event_item(event: Event, seq: int) -> dict[str, AttributeValueTypeDef]:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(_request_pk(event.request_id)),
            "SK": _s(f"EVT#{seq:0{_ENTRY_WIDTH}d}"),
            "at": _s(event.at),
            "by": _s(event.by),
            "to": _s(event.to_status.value),
            "note": _s(event.note),
            "action": _s(event.action),
        }
        if event.from_status is not None:
            item["from"] = _s(event.from_status.value)
        return item


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
    )
