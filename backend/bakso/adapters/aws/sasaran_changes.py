"""Worklist changes in DynamoDB: a partition per desa sorted by revision, and tombstones.

    CHANGES#<desa>    <revision, 12 digits>   a copy of a row on the worklist at its revision
                                              (`data`), or a tombstone (`removed`: the id)

A row write moves the row's copy to its new revision (sasaran_items._add_change),
in the transaction that adds the desa's revision counter on condition that it
is still the value the revisions were decided from, so a desa's changes commit
in revision order. "What changed after R" is then one consistent Query,
`SK > R`, on the desa's partition. Tombstones sit in the `retention-due` index
("tombstone#<kabupaten>", from when they were left); expiring one first raises
`tombstone_floor` on the desa's COUNTERS item, then deletes it (while the older
counter layout is read too, the floor is the larger of the two items':
sasaran_counter_items).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import paging
from ...domain.sasaran import SasaranRow, Tombstone, after_cursor, revision_cursor
from ...ports import ChangesPage
from . import due
from .dynamo import n, s, text
from .errors import error_code, translated
from .sasaran_counter_items import FLOOR, counters_of, desa_key, floor_of
from .sasaran_items import REVISION_WIDTH, SasaranTable, _row

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class SasaranChanges(SasaranTable):
    def changes(
        self, desa: str, *, since: int, cursor: str | None, limit: int
    ) -> ChangesPage | None:
        limit = paging.page_size(limit)
        after = after_cursor(since, cursor)
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK > :after",
            "ExpressionAttributeValues": {
                ":pk": s(f"CHANGES#{desa}"),
                ":after": s(f"{after:0{REVISION_WIDTH}d}"),
            },
            "ConsistentRead": True,
        }
        with translated("sasaran.changes"):
            # The revision first: a change committed after it has a higher revision
            # (sasaran_items._add_counters), so the client at it misses nothing.
            new, old = self._desa_items([desa])[desa]
            revision = counters_of(new).get("revision", 0) + counters_of(old).get("revision", 0)
            if since < max(floor_of(new), floor_of(old)):
                return None
            items = self._query(query, limit=limit + 1)
        rows: list[SasaranRow] = []
        removed: list[Tombstone] = []
        for item in items[:limit]:
            revision = int(text(item, "SK"))
            if "removed" in item:
                removed.append(
                    Tombstone(text(item, "removed"), desa, revision, text(item, "removed_at"))
                )
            else:
                rows.append(_row(item))
        next_cursor = (
            revision_cursor(int(text(items[limit - 1], "SK"))) if len(items) > limit else None
        )
        return ChangesPage(revision, rows, removed, next_cursor)

    def expire_tombstones(self, *, before: str, limit: int) -> int:
        if limit < 1:
            return 0
        with translated("sasaran.expire_tombstones"):
            items, _ = due.query(
                self.client,
                self.table,
                due.partitions(due.TOMBSTONE, self.keys.codes),
                before=before,
                cursor=None,
                limit=limit,
            )
            for item in items:
                desa = text(item, "PK").removeprefix("CHANGES#")
                revision = int(text(item, "SK"))
                # The floor first: if the delete below never happens, a client is only
                # sent the whole list once more.
                try:
                    self.client.update_item(
                        TableName=self.table,
                        Key=desa_key(desa),
                        UpdateExpression="SET #floor = :revision",
                        ConditionExpression="attribute_not_exists(#floor) OR #floor < :revision",
                        ExpressionAttributeNames={"#floor": FLOOR},
                        ExpressionAttributeValues={":revision": n(revision)},
                    )
                except ClientError as error:
                    if error_code(error) != "ConditionalCheckFailedException":
                        raise
                self.client.delete_item(
                    TableName=self.table, Key={"PK": item["PK"], "SK": item["SK"]}
                )
        return len(items)
