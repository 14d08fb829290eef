"""Residents' reports in DynamoDB (ports.reports), on the records table.

Items: the report `REPORT#<id>`/`REPORT` (JSON, version); pointers sorted by time,
`REPORTS#<kabupaten>`/`<created_at>#<id>` and `REQREPORTS#<request>`/`<created_at>#<id>`
(ids only, no personal data); the form id `REPORTFORM#<form>`/`FORM` that makes a form
sent twice one report; and a counter per kabupaten `REPORTCOUNT#<kabupaten>`/`COUNT`.
A page is one Query and one BatchGet; no partition is shared across kabupaten.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.errors import Conflict
from ...domain.reports import Report, ReportStatus
from ...ports.reports import ReportPage
from . import dynamo
from .dynamo import CHECK_FAILED, cancellation_reasons
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import translated
from .records_items import DynamoTable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

_NEW = "attribute_not_exists(PK)"


def _key(report_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": _s(f"REPORT#{report_id}"), "SK": _s("REPORT")}


def _counter(kabupaten: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": _s(f"REPORTCOUNT#{kabupaten}"), "SK": _s("COUNT")}


def _item(report: Report) -> dict[str, AttributeValueTypeDef]:
    return {
        **_key(report.id),
        "version": _n(report.version),
        "data": _s(dynamo.dump(report.to_json())),
    }


class ReportRecords(DynamoTable):
    def _count(self, kabupaten: str, changes: dict[ReportStatus, int]) -> TransactWriteItemTypeDef:
        names = {f"#s{i}": status.value for i, status in enumerate(changes)}
        values = {f":d{i}": _n(delta) for i, delta in enumerate(changes.values())}
        values[":zero"] = _n(0)
        sets = ", ".join(
            f"#s{i} = if_not_exists(#s{i}, :zero) + :d{i}" for i in range(len(changes))
        )
        return {
            "Update": {
                "TableName": self.table,
                "Key": _counter(kabupaten),
                "UpdateExpression": f"SET {sets}",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def add_report(self, report: Report, form_id: str) -> Report:
        form_key = {"PK": _s(f"REPORTFORM#{form_id}"), "SK": _s("FORM")}
        newest = f"{report.created_at}#{report.id}"
        pointer = {"report_id": _s(report.id)}
        items: list[TransactWriteItemTypeDef] = [
            self._put({**form_key, **pointer}, _NEW),
            self._put(_item(report), _NEW),
            self._put({"PK": _s(f"REPORTS#{report.kabupaten}"), "SK": _s(newest), **pointer}, _NEW),
            self._put(
                {"PK": _s(f"REQREPORTS#{report.request_id}"), "SK": _s(newest), **pointer}, _NEW
            ),
            self._count(report.kabupaten, {report.status: 1}),
        ]
        with translated("add_report"):
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as error:
                reasons = cancellation_reasons(error)
                if reasons[0] == CHECK_FAILED:
                    found = self._get(form_key)
                    if found is not None:
                        first = self.get_report(_str(found, "report_id"))
                        if first is not None:
                            return first
                raise Conflict("Laporan tidak dapat disimpan sekarang; kirim lagi.") from None
        return report

    def get_report(self, report_id: str) -> Report | None:
        with translated("get_report"):
            item = self._get(_key(report_id))
        return Report.from_json(json.loads(_str(item, "data"))) if item else None

    def _pointed(self, pk: str, limit: int, cursor: str | None) -> tuple[list[Report], str | None]:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(pk)},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if cursor:
            query["ExclusiveStartKey"] = {"PK": _s(pk), "SK": _s(cursor)}
        with translated("list_reports"):
            pointers = self._query(query, limit=limit + 1)
            ids = [_str(p, "report_id") for p in pointers[:limit]]
            found = dynamo.batch_get(self.client, self.table, [_key(i) for i in ids])
        by_id = {r.id: r for r in (Report.from_json(json.loads(_str(f, "data"))) for f in found)}
        items = [by_id[i] for i in ids if i in by_id]
        more = len(pointers) > limit
        return items, _str(pointers[limit - 1], "SK") if more else None

    def reports_of_kabupaten(
        self, kabupaten: str, limit: int, cursor: str | None = None
    ) -> ReportPage:
        items, next_cursor = self._pointed(f"REPORTS#{kabupaten}", limit, cursor)
        return ReportPage(items, next_cursor)

    def reports_of_request(self, request_id: str, limit: int) -> list[Report]:
        return self._pointed(f"REQREPORTS#{request_id}", limit, None)[0]

    def save_report(self, report: Report, expected_version: int) -> None:
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": _item(report),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": _n(expected_version)},
            }
        }
        items = [put]
        with translated("save_report"):
            stored = self.get_report(report.id)
            if stored is not None and stored.status is not report.status:
                items.append(self._count(report.kabupaten, {stored.status: -1, report.status: 1}))
            try:
                self.client.transact_write_items(TransactItems=items)
            except ClientError as error:
                cancellation_reasons(error)
                raise Conflict(
                    "Laporan ini baru saja diubah orang lain; muat ulang lalu coba lagi."
                ) from None

    def report_counts(self, kabupaten: str) -> dict[str, int]:
        with translated("report_counts"):
            item = self._get(_counter(kabupaten))
        if item is None:
            return {}
        return {s.value: int(item[s.value]["N"]) for s in ReportStatus if s.value in item}
