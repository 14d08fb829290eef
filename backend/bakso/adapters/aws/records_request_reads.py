"""Requests in DynamoDB as lists and lookups read them: by kabupaten, desa, status, batch, NIK.

The request lists are partitioned by kabupaten (#16): a Dukcapil officer's lists
read `kind_kabupaten-newest` ("request#52.03") or `kabupaten_status-newest`
("52.03#DIAJUKAN"), a desa's `desa-newest` or `desa_status-newest`; no list
reads a partition shared by the whole deployment. Items written before carry
the bare `kind="request"` and `status` (all-newest, status-newest) until
`bakso records backfill-keys` writes them again (docs/deploy-aws.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ...domain import paging
from ...domain.lifecycle import Status
from ...domain.model import Request
from ...domain.regions import kabupaten_of
from ...ports import Page
from . import dynamo
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import translated
from .records_items import (
    LIST_INDEXES,
    NIK_INDEX,
    REQUEST_KIND,
    SORT_ATTRIBUTE,
    kabupaten_status,
    request_kind,
)
from .records_requests import RequestRecords
from .tenant_keys import KABUPATEN, REQUEST

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


def _request(item: Item) -> Request:
    return Request.from_record(json.loads(_str(item, "data")))


class RequestReads(RequestRecords):
    def list_requests(
        self,
        *,
        kabupaten: str,
        desa: str | None,
        status: Status | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        limit = paging.page_size(limit)
        if desa is not None and kabupaten_of(desa) != kabupaten:
            return Page(items=[], cursor=None)
        index = LIST_INDEXES[(desa is not None, status is not None)]
        if desa is not None and status is not None:
            partition = f"{desa}#{status.value}"
        elif desa is not None:
            partition = desa
        elif status is not None:
            partition = kabupaten_status(kabupaten, status)
        else:
            partition = request_kind(kabupaten)
        with translated("list_requests"):
            items, next_cursor = self._newest_page(
                index, partition, "REQ#", "REQ", cursor=cursor, limit=limit
            )
        return Page(items=[self._read(item) for item in items], cursor=next_cursor)

    def list_unpartitioned_requests(self, *, cursor: str | None, limit: int) -> Page:
        # Items written before #16 are in all-newest under the bare kind; writing one
        # again keys it by kabupaten and takes it out of that partition.
        limit = paging.page_size(limit)
        with translated("list_unpartitioned_requests"):
            items, next_cursor = self._newest_page(
                "all-newest", REQUEST_KIND, "REQ#", "REQ", cursor=cursor, limit=limit
            )
        return Page(items=[self._read(item) for item in items], cursor=next_cursor)

    def _read(self, item: Item) -> Request:
        """The request of an item read, remembering its partition."""
        self.keys.learn_pk(REQUEST, _str(item, "PK"))
        return _request(item)

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
        return self._read(item)

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
            found = self._requests_by_pks([_str(key, "PK") for key in keys])
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
        return self._requests_by_pks([_str(item, "PK") for item in items])

    def _requests_by_pks(self, pks: Sequence[str]) -> list[Request]:
        """Consistent reads of the requests in these partitions, in this order, 100 keys per
        BatchGetItem (an index names the partition: no pointer to read)."""
        ids = [self.keys.learn_pk(REQUEST, pk) for pk in pks]
        found: dict[str, Request] = {}
        for start in range(0, len(pks), 100):
            keys: list[Mapping[str, AttributeValueTypeDef]] = [
                {"PK": _s(pk), "SK": _s("REQ")} for pk in pks[start : start + 100]
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

    def get_requests_by_codes(self, codes: Sequence[str]) -> dict[str, Request]:
        with translated("get_requests_by_codes"):
            claims = dynamo.batch_get(
                self.client,
                self.table,
                [{"PK": _s(f"CODE#{code}"), "SK": _s("CODE")} for code in sorted(set(codes))],
            )
            for claim in claims:
                if (kabupaten := _opt_str(claim, KABUPATEN)) is not None:
                    self.keys.learn(REQUEST, _str(claim, "request_id"), kabupaten)
            ids = sorted({_str(claim, "request_id") for claim in claims})
            pks = self.keys.pks(REQUEST, ids)  # reads pointers only for claims before #16
            items = dynamo.batch_get(
                self.client,
                self.table,
                [{"PK": _s(pks[i]), "SK": _s("REQ")} for i in ids],
            )
        requests = (Request.from_record(json.loads(_str(item, "data"))) for item in items)
        return {request.code: request for request in requests}
