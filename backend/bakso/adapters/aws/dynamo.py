"""What the DynamoDB adapters share: attribute values, transaction outcomes, batched reads."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from ...domain.refusals import STORE_BUSY
from .errors import StoreUnavailable, error_code

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        KeysAndAttributesTypeDef,
        QueryInputTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]

# The table's TTL attribute (infra/bakso.yaml): DynamoDB deletes an item some
# time after the epoch second it holds.
TTL_ATTRIBUTE = "expires_at"
CHECK_FAILED = "ConditionalCheckFailed"
CONFLICT = "TransactionConflict"
BATCH_GET_MAX = 100  # keys per BatchGetItem call
_UNPROCESSED_RETRIES = 8


def s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def n(value: int | float) -> AttributeValueTypeDef:
    return {"N": repr(value) if isinstance(value, float) else str(value)}


def text(item: Item, name: str) -> str:
    return item[name]["S"]


def opt_text(item: Item, name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value is not None and "S" in value else None


def integer(item: Item, name: str) -> int:
    return int(item[name]["N"])


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def cancellation_reasons(error: ClientError) -> list[str]:
    """The per-item codes of a cancelled transaction; re-raises any other error.

    Only condition failures and conflicts with concurrent transactions are
    expected: the caller decides which mean "retry".
    """
    if error_code(error) != "TransactionCanceledException":
        raise error
    response: dict[str, Any] = dict(error.response)
    reasons = [
        str(reason.get("Code") or "None") for reason in response.get("CancellationReasons", [])
    ]
    if any(code not in {"None", CHECK_FAILED, CONFLICT} for code in reasons):
        raise error
    # Padded so callers can look up any item's reason even if a store lists fewer.
    return reasons + ["None"] * 8


def backoff(attempt: int) -> None:
    """Sleep before retry `attempt` (1, 2, ...); jitter keeps colliding writers out of step."""
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311


def batch_get(client: DynamoDBClient, table: str, keys: Sequence[Item]) -> list[Item]:
    """Every item that exists among `keys`, read consistently, in no particular order.

    BatchGetItem takes 100 keys a call and may leave some unprocessed under
    load: those are asked for again with backoff.
    """
    found: list[Item] = []
    unique = list({(text(k, "PK"), text(k, "SK")): k for k in keys}.values())
    for start in range(0, len(unique), BATCH_GET_MAX):
        request: dict[str, KeysAndAttributesTypeDef] = {
            table: {"Keys": list(unique[start : start + BATCH_GET_MAX]), "ConsistentRead": True}
        }
        for attempt in range(_UNPROCESSED_RETRIES):
            if attempt:
                backoff(attempt)
            response = client.batch_get_item(RequestItems=request)
            found.extend(response.get("Responses", {}).get(table, []))
            unprocessed = response.get("UnprocessedKeys") or {}
            request = cast("dict[str, KeysAndAttributesTypeDef]", dict(unprocessed))
            if not request:
                break
        else:
            raise StoreUnavailable(STORE_BUSY)
    return found


def query_up_to(
    client: DynamoDBClient, query: QueryInputTypeDef, *, limit: int, page: int | None = None
) -> list[Item]:
    """Up to `limit` items, following DynamoDB's pages (1 MB each) as needed.

    `page` is how many items to read per call; by default what is still missing.
    """
    items: list[Item] = []
    request = dict(query)
    while len(items) < limit:
        request["Limit"] = page or limit - len(items)
        response = client.query(**request)  # type: ignore[arg-type]
        items.extend(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            break
        request["ExclusiveStartKey"] = last
    return items[:limit]


def query_all(client: DynamoDBClient, query: QueryInputTypeDef) -> list[Item]:
    """Every item the query matches, following DynamoDB's pages."""
    items: list[Item] = []
    request = dict(query)
    while True:
        response = client.query(**request)  # type: ignore[arg-type]
        items.extend(response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last:
            return items
        request["ExclusiveStartKey"] = last
