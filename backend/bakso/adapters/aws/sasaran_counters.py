"""Coverage counters in DynamoDB, one item per (level, code)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...domain.sasaran import rolled_up
from .dynamo import TTL_ATTRIBUTE, n, s, text
from .errors import translated
from .sasaran_items import APPLIED_TTL, SasaranTable, _counters, _Transaction

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class SasaranCounters(SasaranTable):
    # Counters -------------------------------------------------------------
    def counters(self, level: str, code: str) -> dict[str, int]:
        with translated("sasaran.counters"):
            item = self._get({"PK": s(f"COUNTERS#{level}"), "SK": s(code)})
        return _counters(item)

    def counters_under(self, level: str, prefix: str) -> dict[str, dict[str, int]]:
        with translated("sasaran.counters_under"):
            items = self._query_all(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                    "ExpressionAttributeValues": {
                        ":pk": s(f"COUNTERS#{level}"),
                        ":prefix": s(prefix),
                    },
                    "ConsistentRead": True,
                }
            )
        return {text(item, "SK"): _counters(item) for item in items}

    def apply_once(self, key: str, deltas: Mapping[str, Mapping[str, int]]) -> bool:
        tx = _Transaction()
        tx.add(
            ("applied", key),
            self._put(
                {
                    "PK": s(f"APPLIED#{key}"),
                    "SK": s("APPLIED"),
                    TTL_ATTRIBUTE: n(int(time.time()) + APPLIED_TTL),
                },
                "attribute_not_exists(PK)",
            ),
        )
        self._add_counters(tx, rolled_up([deltas]), {})  # request counts: no revision
        with translated("sasaran.apply_once"):
            return self._transact(tx) is None
