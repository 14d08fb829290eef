"""Coverage counter items in DynamoDB: one partition per desa, rolled up on read.

    COUNTERS#<desa>         COUNTERS    the desa's counters, a number attribute "c:<name>" each,
                                        its revision ("c:revision") and `tombstone_floor`
    MIGRATION#counters      MIGRATION   written once no counter is left in the older layout

Kecamatan and kabupaten have no items of their own: their figures are the sums
of their desa, read with BatchGetItem (100 keys a call: a kabupaten of ~250 desa
is 3 calls, a province of ~1,200 about 12) from the region list. So every
counter write lands in the partition of the desa it counts, and no write of
any desa shares a key with another desa's (issue #16, "no hot keys"). Sharded
kecamatan/kabupaten aggregates would save reads but keep ~1 write per change
on a partition shared by the whole kabupaten and cost an extra item in every
transaction; coverage is read by a few officers, counters are written on every
scan and status change, so the reads pay.

The older layout (before #16) kept every scope of a level in one partition:

    COUNTERS#desa | COUNTERS#kecamatan | COUNTERS#kabupaten    <code>

Until `bakso sasaran counters-backfill` has moved every old desa item (and
dropped the old kecamatan/kabupaten items, which are sums) and written the
MIGRATION item, a desa's figures are read from both items and added up: the
old item no longer changes except by the backfill, which moves counters from
it to the new one in transactions that keep the sum. A row write then checks
that the old item's revision is still what its revisions were decided from
(a ConditionCheck), so a move in between makes it decide again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .dynamo import n, s

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

COUNTER_PREFIX = "c:"
REVISION = COUNTER_PREFIX + "revision"
FLOOR = "tombstone_floor"  # on a desa's COUNTERS item (not a "c:" counter: not rolled up)
LEGACY_LEVELS = ("desa", "kecamatan", "kabupaten")
MIGRATED_KEY: dict[str, AttributeValueTypeDef] = {
    "PK": s("MIGRATION#counters"),
    "SK": s("MIGRATION"),
}
# While not migrated, how long a process trusts that answer before asking again.
MIGRATION_RECHECK_SECONDS = 300.0


def desa_key(desa: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"COUNTERS#{desa}"), "SK": s("COUNTERS")}


def legacy_key(level: str, code: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"COUNTERS#{level}"), "SK": s(code)}


def desa_of(item: Item) -> tuple[str, bool]:
    """The desa a counter item counts, and whether it is in the older layout."""
    pk = item["PK"]["S"]
    if pk == "COUNTERS#desa":
        return item["SK"]["S"], True
    return pk.removeprefix("COUNTERS#"), False


def counters_of(item: Item | None) -> dict[str, int]:
    if item is None:
        return {}
    found = {
        name[len(COUNTER_PREFIX) :]: int(value["N"])
        for name, value in item.items()
        if name.startswith(COUNTER_PREFIX)
    }
    return {name: value for name, value in found.items() if value}


def floor_of(item: Item | None) -> int:
    return int(item[FLOOR]["N"]) if item and FLOOR in item else 0


class Revisions(dict[str, int]):
    """Each desa's revision (new item + old item), and what each item holds of it,
    for the conditions of the write decided from it."""

    def __init__(self, own: Mapping[str, int], legacy: Mapping[str, int]) -> None:
        super().__init__({d: own[d] + legacy.get(d, 0) for d in own})
        self.own = dict(own)
        self.legacy = dict(legacy)  # desa → its old item's revision (0: none), if it has one


class MigrationState:
    """Whether the older layout may still hold counters; once migrated, for good."""

    def __init__(self) -> None:
        self.migrated = False
        self.checked_until = 0.0

    def legacy(self, read_marker: Any) -> bool:
        if self.migrated:
            return False
        now = time.monotonic()
        if now < self.checked_until:
            return True
        if read_marker() is not None:
            self.migrated = True
            return False
        self.checked_until = now + MIGRATION_RECHECK_SECONDS
        return True


def counter_updates(
    table: str,
    scope_deltas: Mapping[tuple[str, str], Mapping[str, int]],
    revisions: Mapping[str, int],
) -> Iterable[tuple[tuple[str, object], TransactWriteItemTypeDef]]:
    """One ADD per desa of its deltas (the kecamatan and kabupaten scopes are left
    out: they are summed on read).

    A desa's revision is added only if it still is what `revisions` says it was
    when the rows' revisions were decided: writes to one desa take their
    revisions in turn, and a row is never committed after a higher one.
    """
    own = revisions.own if isinstance(revisions, Revisions) else revisions
    legacy = revisions.legacy if isinstance(revisions, Revisions) else {}
    for (level, code), changes in scope_deltas.items():
        if level != "desa":
            continue
        names: dict[str, str] = {}
        values: dict[str, AttributeValueTypeDef] = {}
        adds: list[str] = []
        for i, (name, value) in enumerate(sorted(changes.items())):
            names[f"#c{i}"] = COUNTER_PREFIX + name
            values[f":c{i}"] = n(value)
            adds.append(f"#c{i} :c{i}")
        update: Any = {
            "TableName": table,
            "Key": desa_key(code),
            "UpdateExpression": "ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        label: tuple[str, object] = ("counter", code)
        if "revision" in changes and code in own:
            names["#rev"] = REVISION
            if own[code]:
                values[":rev"] = n(own[code])
                update["ConditionExpression"] = "#rev = :rev"
            else:
                update["ConditionExpression"] = "attribute_not_exists(#rev)"
            label = ("revision", code)
            if code in legacy:
                yield label, _legacy_check(table, code, legacy[code])
        yield label, {"Update": update}


def _legacy_check(table: str, desa: str, revision: int) -> TransactWriteItemTypeDef:
    check: Any = {
        "TableName": table,
        "Key": legacy_key("desa", desa),
        "ExpressionAttributeNames": {"#rev": REVISION},
    }
    if revision:
        check["ConditionExpression"] = "#rev = :rev"
        check["ExpressionAttributeValues"] = {":rev": n(revision)}
    else:
        check["ConditionExpression"] = "attribute_exists(PK) AND attribute_not_exists(#rev)"
    return {"ConditionCheck": check}
