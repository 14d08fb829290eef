"""Partition keys that name the kabupaten (#16), and the pointers that find them by id.

A request, batch, return run, sasaran row or import lives under
`<KIND>#<kabupaten>#<id>`, so every item of a kabupaten's data (and what is stored
under it: scans, timeline, lines, follow-ups) is in a partition of that kabupaten.
The ports name these by id only, so each creation writes, in the same transaction,
a small global pointer `<KIND>ID#<id>` / `POINTER` holding the kabupaten, and a read
resolves an id through it: once per id and process, as an id never changes
kabupaten (a bounded cache; a pointer that is not found is never cached, since the
item may be created next).

Items written before (`<KIND>#<id>`, no pointer) are still found: an id without a
pointer resolves to that older key, and is written there again (docs/deploy-aws.md,
"Upgrading"). Pointers are read consistently, as the item they name.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ...domain.regions import kabupaten_of
from ...domain.tenants import folders
from . import dynamo
from .dynamo import s, text

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

REQUEST = "REQ"
BATCH = "BATCH"
RETURN = "RETURN"
IMPORT = "IMPORT"
ROW = "SASARAN"
POINTER_SK = "POINTER"
KABUPATEN = "kabupaten"  # the attribute of a pointer (and of a code claim) naming it
# Ids a process remembers the kabupaten of: ~100 bytes each, a few MB at most.
CACHE_SIZE = 50_000


def tenant_pk(kind: str, kabupaten: str, item_id: str) -> str:
    return f"{kind}#{kabupaten}#{item_id}"


def legacy_pk(kind: str, item_id: str) -> str:
    """The key of an item written before #16."""
    return f"{kind}#{item_id}"


def pointer_key(kind: str, item_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"{kind}ID#{item_id}"), "SK": s(POINTER_SK)}


def split_pk(kind: str, pk: str) -> tuple[str | None, str]:
    """(kabupaten, id) of a partition key of `kind`; kabupaten None for an older key."""
    rest = pk[len(kind) + 1 :]
    kabupaten, sep, item_id = rest.partition("#")
    return (kabupaten, item_id) if sep else (None, rest)


def packaged_default() -> str:
    """The default kabupaten when none is configured: the first packaged folder."""
    return folders((), ())[0].name


class TenantKeys:
    """Resolves ids to partition keys for one table; `codes` are the kabupaten served,
    the first the default (what "" on a batch, return or import means)."""

    def __init__(self, client: DynamoDBClient, table: str, codes: Iterable[str] = ()) -> None:
        self.client = client
        self.table = table
        self.codes = list(dict.fromkeys(codes)) or [packaged_default()]
        self.default = self.codes[0]
        self._known: OrderedDict[tuple[str, str], str] = OrderedDict()

    def of(self, kabupaten: str | None) -> str:
        """A model's kabupaten ("" or None: from before #16, the default's)."""
        return kabupaten or self.default

    def of_desa(self, desa: str) -> str:
        return kabupaten_of(desa)

    def learn(self, kind: str, item_id: str, kabupaten: str) -> None:
        known = self._known
        known[(kind, item_id)] = kabupaten
        known.move_to_end((kind, item_id))
        while len(known) > CACHE_SIZE:
            known.popitem(last=False)

    def learn_pk(self, kind: str, pk: str) -> str:
        """The id of an item read under `pk`, remembering its kabupaten."""
        kabupaten, item_id = split_pk(kind, pk)
        if kabupaten is not None:
            self.learn(kind, item_id, kabupaten)
        return item_id

    def pointer(self, kind: str, item_id: str, kabupaten: str) -> TransactWriteItemTypeDef:
        """The pointer's write, in the transaction that creates the item (learnt once that
        is written: a replay of an item from before #16 stays at its older key)."""
        return {
            "Put": {
                "TableName": self.table,
                "Item": {**pointer_key(kind, item_id), KABUPATEN: s(kabupaten)},
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def legacy_absent(self, kind: str, item_id: str, sk: str) -> TransactWriteItemTypeDef:
        """A check that no item of this id was written the older way (a replay of it)."""
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": {"PK": s(legacy_pk(kind, item_id)), "SK": s(sk)},
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    def pk(self, kind: str, item_id: str) -> str:
        """The partition of the item with this id: its kabupaten's, or the older key."""
        return self.pks(kind, [item_id])[item_id]

    def pks(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        """`pk` of each id: the ids not cached are looked up together (BatchGetItem)."""
        missing = sorted({i for i in ids if (kind, i) not in self._known})
        if missing:
            keys = [pointer_key(kind, i) for i in missing]
            for item in dynamo.batch_get(self.client, self.table, keys):
                item_id = text(item, "PK")[len(kind) + 3 :]
                self.learn(kind, item_id, text(item, KABUPATEN))
        found: dict[str, str] = {}
        for item_id in ids:
            kabupaten = self._known.get((kind, item_id))
            found[item_id] = (
                legacy_pk(kind, item_id)
                if kabupaten is None
                else tenant_pk(kind, kabupaten, item_id)
            )
        return found
