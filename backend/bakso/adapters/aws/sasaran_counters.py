"""Coverage counters in DynamoDB: an item per desa, kecamatan and kabupaten summed on read.

The layout, and why, is in sasaran_counter_items.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...domain.refusals import STORE_BUSY
from ...domain.sasaran import merge_counters, rolled_up
from .dynamo import TTL_ATTRIBUTE, n, s, text
from .errors import StoreUnavailable, translated
from .sasaran_counter_items import (
    COUNTER_PREFIX,
    FLOOR,
    LEGACY_LEVELS,
    MIGRATED_KEY,
    counters_of,
    desa_key,
    legacy_key,
)
from .sasaran_items import APPLIED_TTL, MAX_CONFLICT_RETRIES, SasaranTable, _Transaction

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

_DEPTH = {"kecamatan": 3, "kabupaten": 2}  # dotted parts of a code at each level
_MOVE_NAMES = 100  # counters moved per transaction: keeps each expression under 4 KB
_UPGRADE_PAGE = 100


class SasaranCounters(SasaranTable):
    # Counters -------------------------------------------------------------
    def counters(self, level: str, code: str) -> dict[str, int]:
        with translated("sasaran.counters"):
            if level == "desa":
                return self._summed([code]).get(code, {})
            return merge_counters(self._summed(self._desa_under(code + ".")).values())

    def counters_under(self, level: str, prefix: str) -> dict[str, dict[str, int]]:
        with translated("sasaran.counters_under"):
            found = self._summed(self._desa_under(prefix))
        if level == "desa":
            return found
        groups: dict[str, list[dict[str, int]]] = {}
        for desa, counters in found.items():
            scope = ".".join(desa.split(".")[: _DEPTH[level]])
            if scope.startswith(prefix):
                groups.setdefault(scope, []).append(counters)
        return {scope: merge_counters(items) for scope, items in sorted(groups.items())}

    def _desa_under(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.desa, prefix)
        end = start
        while end < len(self.desa) and self.desa[end].startswith(prefix):
            end += 1
        return self.desa[start:end]

    def _summed(self, desas: Iterable[str]) -> dict[str, dict[str, int]]:
        """The counters of each of these desa that has an item (both items, while the
        older layout may hold one)."""
        found = {}
        for desa, items in self._desa_items(desas).items():
            if items != (None, None):
                total = merge_counters(counters_of(item) for item in items)
                found[desa] = {name: value for name, value in total.items() if value}
        return found

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

    # The upgrade from the layout before #16 ------------------------------------
    def upgrade_counters(self, *, limit: int) -> tuple[int, bool]:
        moved = 0
        with translated("sasaran.upgrade_counters"):
            for level in LEGACY_LEVELS:
                while moved < limit:
                    # Every item handled leaves the partition: the next page is its start.
                    items = self._query(
                        {
                            "TableName": self.table,
                            "KeyConditionExpression": "PK = :pk",
                            "ExpressionAttributeValues": {":pk": s(f"COUNTERS#{level}")},
                            "ConsistentRead": True,
                        },
                        limit=min(_UPGRADE_PAGE, limit - moved),
                    )
                    if not items:
                        break
                    for item in items:
                        if level == "desa":
                            self._move_desa(text(item, "SK"))
                        else:  # sums of desa, which are read instead now
                            self.client.delete_item(
                                TableName=self.table, Key={"PK": item["PK"], "SK": item["SK"]}
                            )
                        moved += 1
                if moved >= limit:
                    return moved, False
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            self.client.put_item(TableName=self.table, Item={**MIGRATED_KEY, "at": s(stamp)})
        self._migration.migrated = True
        return moved, True

    def _move_desa(self, desa: str) -> None:
        """Move the desa's old item into its new one, up to 100 counters a transaction,
        each keeping the sum of the two items; the old item is deleted last."""
        refused = 0
        while refused < MAX_CONFLICT_RETRIES:
            old = self._get(legacy_key("desa", desa))
            if old is None:
                return
            names = sorted(name for name in old if name.startswith(COUNTER_PREFIX))
            tx = _Transaction()
            if names:
                chunk = names[:_MOVE_NAMES]
                self._move_chunk(tx, desa, {name: old[name] for name in chunk})
            else:
                self._finish_move(tx, desa, old.get(FLOOR), keep_floor=refused % 2 == 0)
            if self._transact(tx) is not None:  # a refused condition: read it again
                refused += 1
        raise StoreUnavailable(STORE_BUSY)

    def _move_chunk(
        self, tx: _Transaction, desa: str, values: Mapping[str, AttributeValueTypeDef]
    ) -> None:
        names = {f"#c{i}": name for i, name in enumerate(values)}
        placeholders = {f":c{i}": value for i, value in enumerate(values.values())}
        pairs = [f"#c{i} :c{i}" for i in range(len(values))]
        tx.add(
            ("counter", desa),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": desa_key(desa),
                    "UpdateExpression": "ADD " + ", ".join(pairs),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": placeholders,
                }
            },
        )
        # Each counter moves only from the value read: a second backfill running
        # beside this one cannot move it twice.
        unchanged = " AND ".join(f"#c{i} = :c{i}" for i in range(len(values)))
        tx.add(
            ("legacy", desa),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": legacy_key("desa", desa),
                    "UpdateExpression": "REMOVE " + ", ".join(names),
                    "ConditionExpression": unchanged,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": placeholders,
                }
            },
        )

    def _finish_move(
        self, tx: _Transaction, desa: str, floor: AttributeValueTypeDef | None, *, keep_floor: bool
    ) -> None:
        """Delete the emptied old item, carrying its tombstone floor over unless the new
        item's is higher already (then `keep_floor` false, on the next attempt)."""
        if floor is not None and keep_floor:
            update: Any = {
                "TableName": self.table,
                "Key": desa_key(desa),
                "UpdateExpression": "SET #floor = :floor",
                "ConditionExpression": "attribute_not_exists(#floor) OR #floor < :floor",
                "ExpressionAttributeNames": {"#floor": FLOOR},
                "ExpressionAttributeValues": {":floor": floor},
            }
            tx.add(("floor", desa), {"Update": update})
        tx.add(
            ("legacy", desa),
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": legacy_key("desa", desa),
                    "ConditionExpression": "attribute_exists(PK)",
                }
            },
        )
