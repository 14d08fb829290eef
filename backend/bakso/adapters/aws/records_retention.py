"""Requests in DynamoDB as retention reads them: what is due, and erasing timeline notes.

A request item carries `retention_key` ("<desa>#<clock>") and `retention_since`
("<started>#<id>") while a retention clock runs for it (domain.retention), and
neither once erased: the sparse GSI `retention-due` holds only those items. The
partition is a desa's clock, never one constant, so the daily run's queries
(one per desa and clock, each a range read up to the cutoff) spread over many
partitions, and the same index answers "what of this desa is due".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain import paging
from ...ports import Page
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import translated
from .records_items import RETENTION_INDEX, RETENTION_KEY, RETENTION_SINCE
from .records_request_reads import RequestReads
from .tenant_keys import REQUEST

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import QueryInputTypeDef


class RetentionRecords(RequestReads):
    def list_retention_due(
        self, *, desa: str, clock: str, until: str, cursor: str | None, limit: int
    ) -> Page:
        limit = paging.page_size(limit)
        partition = f"{desa}#{clock}"
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "IndexName": RETENTION_INDEX,
            "KeyConditionExpression": "#key = :key AND #since < :until",
            "ExpressionAttributeNames": {"#key": RETENTION_KEY, "#since": RETENTION_SINCE},
            # "$" follows "#": every position whose start is at or before `until`.
            "ExpressionAttributeValues": {":key": _s(partition), ":until": _s(f"{until}$")},
        }
        if cursor is not None:
            since, request_id = paging.decode_position(cursor)
            query["ExclusiveStartKey"] = {
                "PK": _s(self.keys.pk(REQUEST, request_id)),
                "SK": _s("REQ"),
                RETENTION_KEY: _s(partition),
                RETENTION_SINCE: _s(f"{since}#{request_id}"),
            }
        with translated("list_retention_due"):
            # One extra key tells whether a next page exists.
            keys = self._query(query, limit=limit + 1)
            page = keys[:limit]
            # The index holds keys only, and may lag a write: read the items themselves.
            items = self._requests_by_pks([_str(key, "PK") for key in page])
        next_cursor = None
        if len(keys) > limit:
            since, _, request_id = _str(page[-1], RETENTION_SINCE).rpartition("#")
            next_cursor = paging.encode_position(since, request_id)
        return Page(items=items, cursor=next_cursor)

    def clear_timeline_notes(self, request_id: str) -> None:
        with translated("clear_timeline_notes"):
            events = self._query_prefix(self.keys.pk(REQUEST, request_id), "EVT#")
            for event in events:
                if not _str(event, "note"):
                    continue
                self.client.update_item(
                    TableName=self.table,
                    Key={"PK": event["PK"], "SK": event["SK"]},
                    UpdateExpression="SET #note = :blank",
                    ExpressionAttributeNames={"#note": "note"},
                    ExpressionAttributeValues={":blank": _s("")},
                )
