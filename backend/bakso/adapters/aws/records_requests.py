"""Requests in DynamoDB: the request, its code claim, its timeline; lists and lookups."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import paging
from ...domain.errors import Conflict
from ...domain.lifecycle import Status
from ...domain.model import AuditEntry, Event, Request, event_audit_data
from ...domain.refusals import CODE_FIXED, STALE_REQUEST
from ...ports import MAX_REQUEST_WRITES, CodeTaken, Page, RequestWrite
from . import dynamo
from .dynamo import CHECK_FAILED as _CHECK_FAILED
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import error_code, translated
from .records_audit import AuditChain
from .records_items import (
    _ENTRY_WIDTH,
    LIST_INDEXES,
    NIK_INDEX,
    REQUEST_KIND,
    SORT_ATTRIBUTE,
    _Head,
    _is_request_put,
    _newest,
    _old_item,
    _request_pk,
    retention_attributes,
    search_attributes,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]


class RequestRecords(AuditChain):
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

    def requests_by_nik(self, nik_key: str, *, limit: int) -> list[Request]:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": NIK_INDEX,
            "KeyConditionExpression": "#key = :key",
            "ExpressionAttributeNames": {"#key": "nik_key"},
            "ExpressionAttributeValues": {":key": _s(nik_key)},
            "ScanIndexForward": False,
        }
        with translated("requests_by_nik"):  # the index may lag a write: read, check again
            keys = self._query(query, limit=max(1, limit))
            found = self._requests_by_ids([_str(key, "PK")[len("REQ#") :] for key in keys])
        return [r for r in found if r.nik_key == nik_key]

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
        item.update(retention_attributes(request) | search_attributes(request))
        return item

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
