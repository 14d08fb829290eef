"""What retention finds due in DynamoDB: the sparse GSI `retention-due` (bakso.ports.due).

The requests' retention (records_retention) keys it by "<desa>#<clock>"; the
rest of retention shares it with one hash value per kind below (no desa code
is a word, so the partitions never meet): an item carries `retention_key` =
its kind and `retention_since` = bakso.domain.due's position while it is
indexed, and neither once it is not. A due read is one range Query
(`retention_since < before`), oldest first, then a consistent BatchGetItem of
the items it names: the index holds keys only and is eventually consistent,
and every caller acts on the item as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def query(
    client: DynamoDBClient,
    table: str,
    kind: str,
    *,
    before: str,
    cursor: str | None,
    limit: int,
    key_of: Callable[[str], dict[str, AttributeValueTypeDef]],
) -> tuple[list[Item], str | None]:
    """Up to `limit` items of `kind` indexed below `before`, after `cursor`, oldest first.

    `key_of(ref)` is the table key of the item a position's ref names. An item
    gone since the index was written is left out.
    """
    request: QueryInputTypeDef = {
        "TableName": table,
        "IndexName": RETENTION_INDEX,
        "KeyConditionExpression": "#kind = :kind AND #since < :before",
        "ExpressionAttributeNames": {"#kind": RETENTION_KEY, "#since": RETENTION_SINCE},
        "ExpressionAttributeValues": {":kind": s(kind), ":before": s(before)},
    }
    if cursor is not None:
        position = due.position_after(cursor)
        request["ExclusiveStartKey"] = {
            **key_of(position.partition("#")[2]),
            RETENTION_KEY: s(kind),
            RETENTION_SINCE: s(position),
        }
    # One extra key tells whether a next page exists without a second query.
    listed = dynamo.query_up_to(client, request, limit=limit + 1)
    next_cursor = None
    if len(listed) > limit:
        next_cursor = due.cursor_after(text(listed[limit - 1], RETENTION_SINCE))
    keys = [{"PK": item["PK"], "SK": item["SK"]} for item in listed[:limit]]
    stored = {(text(i, "PK"), text(i, "SK")): i for i in dynamo.batch_get(client, table, keys)}
    found = (stored.get((text(k, "PK"), text(k, "SK"))) for k in keys)
    return [item for item in found if item is not None], next_cursor
