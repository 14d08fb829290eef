"""Requests in DynamoDB: the request, its code claim, its timeline (lists: request reads)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.errors import Conflict
from ...domain.lifecycle import Status
from ...domain.model import AuditEntry, Event, Request, event_audit_data
from ...domain.refusals import CODE_FIXED, STALE_REQUEST
from ...domain.regions import kabupaten_of
from ...ports import MAX_REQUEST_WRITES, CodeTaken, RequestWrite
from .dynamo import CHECK_FAILED as _CHECK_FAILED
from .dynamo import cancellation_reasons as _cancellation_reasons
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import error_code, translated
from .records_audit_chain import AuditChain, one_chain
from .records_items import (
    _ENTRY_WIDTH,
    SORT_ATTRIBUTE,
    _Head,
    _is_request_put,
    _newest,
    _old_item,
    list_attributes,
    retention_attributes,
    search_attributes,
)
from .tenant_keys import KABUPATEN, REQUEST, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]


class RequestRecords(AuditChain):
    # Requests -------------------------------------------------------------
    def create_request(self, request: Request, event: Event) -> bool:
        with translated("create_request"):
            for head in self._contended(kabupaten_of(request.desa)):
                entry = self._entry(
                    head,
                    event.at,
                    event.by,
                    event.action,
                    event.request_id,
                    event_audit_data(event),
                )
                kabupaten = kabupaten_of(request.desa)
                pk = tenant_pk(REQUEST, kabupaten, request.id)
                items: list[TransactWriteItemTypeDef] = [
                    self._put(self._request_item(request, pk), "attribute_not_exists(PK)"),
                    self._put(
                        {
                            "PK": _s(f"CODE#{request.code}"),
                            "SK": _s("CODE"),
                            "request_id": _s(request.id),
                            KABUPATEN: _s(kabupaten),
                        },
                        "attribute_not_exists(PK)",
                    ),
                    # The id's pointer (tenant_keys), and no request of this id from
                    # before #16: either means a replay.
                    self.keys.pointer(REQUEST, request.id, kabupaten),
                    self.keys.legacy_absent(REQUEST, request.id, "REQ"),
                    self._put(self._event_item(event, entry.seq, pk), "attribute_not_exists(PK)"),
                    *self._audit_writes(head, entry),
                ]
                try:
                    self.client.transact_write_items(TransactItems=items)
                except ClientError as error:
                    reasons = _cancellation_reasons(error)
                    if _CHECK_FAILED in (reasons[0], reasons[2], reasons[3]):
                        return False  # the id exists: a replay
                    if reasons[1] == _CHECK_FAILED:
                        raise CodeTaken(request.code) from None
                    continue
                self.keys.learn(REQUEST, request.id, kabupaten)
                return True
        raise AssertionError("unreachable")  # pragma: no cover - _contended raises

    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        with translated("save_request"):
            pk = self.keys.pk(REQUEST, request.id)
        item = self._request_item(request, pk)
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
            for head in self._contended(kabupaten_of(request.desa)):
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
                    self._put(self._event_item(event, entry.seq, pk), "attribute_not_exists(PK)"),
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
            pks = self.keys.pks(REQUEST, [write.request.id for write in writes])
            for head in self._contended(one_chain(writes)):
                items: list[TransactWriteItemTypeDef] = []
                entries: list[AuditEntry] = []
                for write in writes:
                    pk = pks[write.request.id]
                    put = self._put(
                        self._request_item(write.request, pk),
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
                    base = _Head(link.seq, link.hash, True, head.chain) if link else head
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
                        self._put(
                            self._event_item(event, entry.seq, pk), "attribute_not_exists(PK)"
                        )
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
            old = self._get({"PK": _s(self.keys.pk(REQUEST, request.id)), "SK": _s("REQ")})
        if old is None:
            return Conflict(STALE_REQUEST, current_version=None)
        if _str(old, "code") != request.code:
            return Conflict(CODE_FIXED)
        return Conflict(STALE_REQUEST, current_version=_int(old, "version"))

    def get_request(self, request_id: str) -> Request | None:
        with translated("get_request"):
            pk = self.keys.pk(REQUEST, request_id)
            item = self._get({"PK": _s(pk), "SK": _s("REQ")})
        return Request.from_record(json.loads(_str(item, "data"))) if item else None

    def get_request_by_code(self, code: str) -> Request | None:
        with translated("get_request_by_code"):
            claim = self._get({"PK": _s(f"CODE#{code}"), "SK": _s("CODE")})
        if claim is None:
            return None
        request_id = _str(claim, "request_id")
        kabupaten = _opt_str(claim, KABUPATEN)  # none on a claim from before #16
        if kabupaten is not None:
            self.keys.learn(REQUEST, request_id, kabupaten)
        return self.get_request(request_id)

    def timeline(self, request_id: str) -> list[Event]:
        with translated("timeline"):
            items = self._query_prefix(self.keys.pk(REQUEST, request_id), "EVT#")
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

    @staticmethod
    def _request_item(request: Request, pk: str) -> dict[str, AttributeValueTypeDef]:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(pk),
            "SK": _s("REQ"),
            "data": _s(_dump(request.to_record())),
            "version": _n(request.version),
            "code": _s(request.code),
            SORT_ATTRIBUTE: _s(_newest(request.created_at, request.id)),
            # Never the bare kind or status: one partition would take every write (#16).
            **list_attributes(request),
        }
        if request.token is not None:
            item["token"] = _s(request.token)
        if request.batch_id is not None:
            item["batch_id"] = _s(request.batch_id)
        item.update(retention_attributes(request) | search_attributes(request))
        return item

    @staticmethod
    def _event_item(event: Event, seq: int, pk: str) -> dict[str, AttributeValueTypeDef]:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s(pk),
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
