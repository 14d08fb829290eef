"""What retention finds due in DynamoDB: the sparse GSI `retention-due` (bakso.ports.due).

The requests' retention (records_retention) keys it by "<desa>#<clock>"; the
rest of retention shares it with one hash value per kind and kabupaten below,
"<kind>#<kabupaten>" (no desa code is a word, so the partitions never meet; no
partition is shared by the whole deployment, #16): an item carries
`retention_key` = that and `retention_since` = bakso.domain.due's position while
it is indexed, and neither once it is not. A due read is one range Query per
partition (`retention_since < before`, the bare kind of items written before #16
too), merged oldest first, then a consistent BatchGetItem of the items it names:
the index holds keys only and is eventually consistent, and every caller acts on
the item as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ...domain import due
from . import dynamo
from .dynamo import s, text
from .records_items import RETENTION_INDEX, RETENTION_KEY, RETENTION_SINCE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

SCAN = "scan"
BATCH = "batch"
RETURN = "return"
IMPORT = "import"
SASARAN = "sasaran"
TOMBSTONE = "tombstone"  # a worklist tombstone, due when its days are over

# For an update that takes an item out of the index.
REMOVE = f"REMOVE {RETENTION_KEY}, {RETENTION_SINCE}"


def attributes(kind: str, position: str | None) -> dict[str, AttributeValueTypeDef]:
    """The index keys an item carries at `position`; none when it is not indexed."""
    if position is None:
        return {}
    return {RETENTION_KEY: s(kind), RETENTION_SINCE: s(position)}


def keyed(kind: str, kabupaten: str) -> str:
    """The partition of `kind` for one kabupaten's items."""
    return f"{kind}#{kabupaten}"


def partitions(kind: str, kabupaten: Iterable[str]) -> list[str]:
    """Every partition `kind` may have items in: the kabupaten's, and the bare kind
    of items written before #16."""
    return [kind, *(keyed(kind, code) for code in kabupaten)]


def query(
    client: DynamoDBClient,
    table: str,
    kinds: Sequence[str],
    *,
    before: str,
    cursor: str | None,
    limit: int,
) -> tuple[list[Item], str | None]:
    """Up to `limit` items of these partitions indexed below `before`, after `cursor`,
    oldest first. An item gone since the index was written is left out.

    Positions are unique ("<time>#<ref>"), so each partition is read from the
    cursor's position on by its key condition and the pages merge by position.
    """
    after = due.position_after(cursor) if cursor is not None else None
    listed: list[Item] = []
    for kind in kinds:
        values: dict[str, AttributeValueTypeDef] = {":kind": s(kind), ":before": s(before)}
        condition = "#kind = :kind AND #since < :before"
        if after is not None:
            # A position never equals a bare time, so BETWEEN stops below `before`.
            condition = "#kind = :kind AND #since BETWEEN :after AND :before"
            values[":after"] = s(after)
        request: QueryInputTypeDef = {
            "TableName": table,
            "IndexName": RETENTION_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": {"#kind": RETENTION_KEY, "#since": RETENTION_SINCE},
            "ExpressionAttributeValues": values,
        }
        # One extra key tells whether a next page exists; one more for the cursor's own.
        found = dynamo.query_up_to(client, request, limit=limit + 2)
        listed += [i for i in found if text(i, RETENTION_SINCE) != after]
    listed.sort(key=lambda item: text(item, RETENTION_SINCE))
    next_cursor = None
    if len(listed) > limit:
        next_cursor = due.cursor_after(text(listed[limit - 1], RETENTION_SINCE))
    keys = [{"PK": item["PK"], "SK": item["SK"]} for item in listed[:limit]]
    stored = {(text(i, "PK"), text(i, "SK")): i for i in dynamo.batch_get(client, table, keys)}
    found_items = (stored.get((text(k, "PK"), text(k, "SK"))) for k in keys)
    return [item for item in found_items if item is not None], next_cursor
