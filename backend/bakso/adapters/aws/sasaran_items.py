"""What the DynamoDB sasaran mixins share: keys, transactions, the row write.

The item layout is in bakso.adapters.aws.sasaran.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain import due as positions
from ...domain.errors import Conflict
from ...domain.refusals import NIK_TAKEN, STALE_SASARAN, STORE_BUSY
from ...domain.regions import kabupaten_of
from ...domain.sasaran import Revised, SasaranRow, ScopeDeltas, revise
from ...ports import RowWrite
from . import due, dynamo
from .dynamo import CHECK_FAILED, backoff, batch_get, cancellation_reasons, dump, n, s, text
from .errors import StoreUnavailable
from .sasaran_counter_items import (
    MIGRATED_KEY,
    MigrationState,
    Revisions,
    counter_updates,
    counters_of,
    desa_key,
    desa_of,
    legacy_key,
)
from .tenant_keys import IMPORT, KABUPATEN, ROW, TenantKeys, packaged_default, split_pk, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]

GROUP_LINES = 25  # import lines per transaction
TRANSACTION_MAX_ITEMS = 100  # DynamoDB's limit for TransactWriteItems
# A counted change is remembered longer than its message can live: 4 days in
# the queue, then up to 14 in the dead-letter queue before a redrive.
APPLIED_TTL = 35 * 24 * 3600
MAX_CONFLICT_RETRIES = 20
REVISION_WIDTH = 12  # digits of a revision in a CHANGES# sort key

_LINE_WIDTH = 10
_LAST_LINE = f"LINE#{'9' * _LINE_WIDTH}"
_CHUNK = "CHUNK#"


def _row_key(pk: str) -> dict[str, AttributeValueTypeDef]:
    """A row's key in its partition (`SasaranTable._row_pk`)."""
    return {"PK": s(pk), "SK": s("ROW")}


def _name_entry(pk: str, sasaran_id: str) -> str:
    """A row's entry in a NAMEKEY set: "<kabupaten>#<id>", so a lookup needs no pointer
    (a row from before #16, at its older key: its bare id)."""
    kabupaten, _ = split_pk(ROW, pk)
    return f"{kabupaten}#{sasaran_id}" if kabupaten else sasaran_id


def _worklist_key(desa: str, sort_key: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"WORKLIST#{desa}"), "SK": s(sort_key)}


def _change_key(desa: str, revision: int) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"CHANGES#{desa}"), "SK": s(f"{revision:0{REVISION_WIDTH}d}")}


def _nik_key(nik: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"NIK#{nik}"), "SK": s("NIK")}


def _name_key(key: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"NAMEKEY#{key}"), "SK": s("NAMEKEY")}


def _import_key(pk: str) -> dict[str, AttributeValueTypeDef]:
    """An import run's key in its partition (`SasaranTable._import_pk`)."""
    return {"PK": s(pk), "SK": s("IMPORT")}


def _line_sk(line: int) -> str:
    return f"LINE#{line:0{_LINE_WIDTH}d}"


def _row(item: Item) -> SasaranRow:
    return SasaranRow.from_record(json.loads(text(item, "data")))


def _op_key(op: TransactWriteItemTypeDef) -> tuple[str, str]:
    body: Any = op.get("Put") or op.get("Update") or op.get("Delete") or op.get("ConditionCheck")
    key = body["Item"] if "Put" in op else body["Key"]
    return text(key, "PK"), text(key, "SK")


@dataclass
class _Transaction:
    """Items of one TransactWriteItems, each labelled with what its condition failing means."""

    ops: list[TransactWriteItemTypeDef] = field(default_factory=list)
    labels: list[tuple[str, object]] = field(default_factory=list)

    def add(self, label: tuple[str, object], op: TransactWriteItemTypeDef) -> None:
        self.ops.append(op)
        self.labels.append(label)

    def keys(self) -> set[tuple[str, str]]:
        return {_op_key(op) for op in self.ops}

    def failed(self, reasons: Sequence[str]) -> set[tuple[str, object]]:
        return {label for label, r in zip(self.labels, reasons, strict=False) if r == CHECK_FAILED}


def _row_conflict(failed: set[tuple[str, object]]) -> Conflict:
    kinds = {kind for kind, _ in failed}
    if kinds & {"row", "nik_old"} or "nik" not in kinds:
        return Conflict(STALE_SASARAN)
    return Conflict(NIK_TAKEN)


class SasaranTable:
    """The table, its transactions and the row write every sasaran mixin builds on."""

    def __init__(
        self,
        client: DynamoDBClient,
        table: str,
        desa: Iterable[str] = (),
        kabupaten: Iterable[str] = (),
    ) -> None:
        self.client = client  # public so tests can hook the client's events
        self.table = table
        self.desa = sorted(set(desa))  # the desa served: what kecamatan and kabupaten sum
        # The kabupaten served, the default first (tenant_keys); none given: of the desa.
        codes = list(kabupaten) or [packaged_default(), *(kabupaten_of(d) for d in self.desa)]
        self.keys = TenantKeys(client, table, codes)
        self._migration = MigrationState()

    # Writing --------------------------------------------------------------
    def _transact(self, tx: _Transaction) -> list[str] | None:
        """Run the transaction: None once written, else each item's reason for refusing it.

        Losing a race with another transaction on the same items is retried;
        only failed conditions are returned.
        """
        for attempt in range(MAX_CONFLICT_RETRIES):
            if attempt:
                backoff(attempt)
            try:
                self.client.transact_write_items(TransactItems=tx.ops)
            except ClientError as error:
                reasons = cancellation_reasons(error)[: len(tx.ops)]
                if CHECK_FAILED in reasons:
                    return reasons
                continue
            return None
        raise StoreUnavailable(STORE_BUSY)

    def _add_row(
        self, tx: _Transaction, write: RowWrite, stored: SasaranRow | None, revised: Revised
    ) -> None:
        """The row, its worklist copy, its change item and tombstone (domain.sasaran.changes)
        and the pointer items that change with it.

        `stored` is the row as read before; None for a new one.
        """
        row = revised.row
        data = s(dump(row.to_record()))
        kabupaten = kabupaten_of(row.desa)
        pk = self._write_pk(write)
        item = {
            **_row_key(pk),
            "data": data,
            "version": n(row.version),
            **due.attributes(due.keyed(due.SASARAN, kabupaten), positions.row_position(row)),
        }
        if write.expected_version == 0:
            tx.add(("row", row.id), self._put(item, "attribute_not_exists(PK)"))
            tx.add(("row", row.id), self.keys.pointer(ROW, row.id, kabupaten))
        else:
            put = self._put(item, "#version = :expected")
            put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
            put["Put"]["ExpressionAttributeValues"] = {":expected": n(write.expected_version)}
            tx.add(("row", row.id), put)
        # The copies and pointers follow the stored row; if it changed since it
        # was read, the version condition above cancels the whole transaction.
        # A purged row leaves the desa's worklist: nothing is left there to act on.
        moved = stored is not None and (stored.desa, stored.sort_key) != (row.desa, row.sort_key)
        if stored is not None and (moved or row.purged_at):
            tx.add(
                ("worklist", row.id),
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": _worklist_key(stored.desa, stored.sort_key),
                    }
                },
            )
        if not row.purged_at:
            tx.add(
                ("worklist", row.id),
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {**_worklist_key(row.desa, row.sort_key), "data": data},
                    }
                },
            )
        self._add_change(tx, revised, data)
        before_nik = stored.nik if stored else None
        if row.nik != before_nik:
            if before_nik:
                tx.add(
                    ("nik_old", row.id),
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": _nik_key(before_nik),
                            "ConditionExpression": "sasaran_id = :id",
                            "ExpressionAttributeValues": {":id": s(row.id)},
                        }
                    },
                )
            if row.nik:
                pointer = {**_nik_key(row.nik), "sasaran_id": s(row.id)}
                if (where := split_pk(ROW, pk)[0]) is not None:
                    pointer[KABUPATEN] = s(where)
                tx.add(("nik", row.id), self._put(pointer, "attribute_not_exists(PK)"))
        before_key = stored.name_key if stored else ""
        if row.name_key != before_key:
            entry = _name_entry(pk, row.id)
            # Deleting both forms: a set written before #16 holds the bare id.
            for key, action, entries in (
                (before_key, "DELETE", sorted({entry, row.id})),
                (row.name_key, "ADD", [entry]),
            ):
                if key:
                    tx.add(
                        ("name", row.id),
                        {
                            "Update": {
                                "TableName": self.table,
                                "Key": _name_key(key),
                                "UpdateExpression": f"{action} ids :ids",
                                "ExpressionAttributeValues": {":ids": {"SS": entries}},
                            }
                        },
                    )

    def _add_change(self, tx: _Transaction, revised: Revised, data: AttributeValueTypeDef) -> None:
        """The row's copy under CHANGES#<desa> at its revision, the one it replaces deleted,
        and its tombstone in the desa it left."""
        row = revised.row
        if revised.superseded is not None:
            tx.add(
                ("change", row.id),
                {"Delete": {"TableName": self.table, "Key": _change_key(*revised.superseded)}},
            )
        if revised.live and row.revision:
            tx.add(
                ("change", row.id),
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {**_change_key(row.desa, row.revision), "data": data},
                    }
                },
            )
        gone = revised.tombstone
        if gone is not None:
            ref = f"{gone.desa}/{gone.revision:0{REVISION_WIDTH}d}"
            tx.add(
                ("change", row.id),
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            **_change_key(gone.desa, gone.revision),
                            "removed": s(gone.id),
                            "removed_at": s(gone.removed_at),
                            **due.attributes(
                                due.keyed(due.TOMBSTONE, kabupaten_of(gone.desa)),
                                positions.due_position(gone.removed_at, ref),
                            ),
                        },
                    }
                },
            )

    def _add_counters(
        self, tx: _Transaction, total: ScopeDeltas, revisions: Mapping[str, int]
    ) -> None:
        """The counter writes of these per-scope deltas (sasaran_counter_items)."""
        for label, op in counter_updates(self.table, total, revisions):
            tx.add(label, op)

    def _legacy_layout(self) -> bool:
        """Whether counters may still be in the layout before #16 (read both then)."""
        return self._migration.legacy(lambda: self._get(MIGRATED_KEY))

    def _desa_items(self, desas: Iterable[str]) -> dict[str, tuple[Item | None, Item | None]]:
        """Each desa's counter item and, while the older layout may hold one, its old item."""
        codes = sorted(set(desas))
        keys = [desa_key(code) for code in codes]
        if self._legacy_layout():
            keys += [legacy_key("desa", code) for code in codes]
        found: dict[str, list[Item | None]] = {code: [None, None] for code in codes}
        for item in batch_get(self.client, self.table, keys):
            desa, old = desa_of(item)
            found[desa][1 if old else 0] = item
        return {code: (new, old) for code, (new, old) in found.items()}

    def _revisions(self, desas: Iterable[str]) -> Revisions:
        """Each desa's revision counter as stored now (consistent)."""
        items = self._desa_items(desas)
        own = {code: counters_of(new).get("revision", 0) for code, (new, _) in items.items()}
        legacy = {
            code: counters_of(old).get("revision", 0)
            for code, (_, old) in items.items()
            if old is not None
        }
        return Revisions(own, legacy)

    def _revise_into(
        self,
        tx: _Transaction,
        write: RowWrite,
        stored: MutableMapping[str, SasaranRow],
        counters: MutableMapping[str, int],
    ) -> None:
        """Decide the write's revisions (domain.sasaran.revise) and add its items; `stored`
        then holds the row as written, for a later write of it in the same transaction."""
        before = stored.get(write.row.id)
        revised = revise(write.row, write.deltas, before, counters)
        self._add_row(tx, write, before, revised)
        stored[write.row.id] = revised.row

    def _transact_revised(
        self, desas: Iterable[str], build: Callable[[Mapping[str, int]], _Transaction]
    ) -> tuple[_Transaction, list[str] | None]:
        """Build (from the desas' revisions as read now) and run a transaction of row writes;
        built again on fresh revisions while only a revision condition failed (another
        write took them)."""
        desas = set(desas)
        for attempt in range(MAX_CONFLICT_RETRIES):
            if attempt:
                backoff(attempt)
            tx = build(self._revisions(desas))
            reasons = self._transact(tx)
            if reasons is None or {kind for kind, _ in tx.failed(reasons)} != {"revision"}:
                return tx, reasons
        raise StoreUnavailable(STORE_BUSY)

    # Reading --------------------------------------------------------------
    def _stored(self, writes: Iterable[RowWrite]) -> dict[str, SasaranRow]:
        """The stored rows these writes update (creates read nothing), by id."""
        return self._rows({w.row.id for w in writes if w.expected_version})

    def _rows(self, ids: Iterable[str]) -> dict[str, SasaranRow]:
        pks = self.keys.pks(ROW, sorted(set(ids)))
        items = batch_get(self.client, self.table, [_row_key(pk) for pk in pks.values()])
        rows = (_row(item) for item in items)
        return {row.id: row for row in rows}

    def _row_pk(self, sasaran_id: str) -> str:
        return self.keys.pk(ROW, sasaran_id)

    def _write_pk(self, write: RowWrite) -> str:
        """A new row's under its kabupaten's key (with its pointer), a stored one's where it is."""
        if write.expected_version == 0:
            return tenant_pk(ROW, kabupaten_of(write.row.desa), write.row.id)
        return self._row_pk(write.row.id)

    def _import_pk(self, import_id: str) -> str:
        return self.keys.pk(IMPORT, import_id)

    def _get(self, key: Mapping[str, AttributeValueTypeDef]) -> Item | None:
        response = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
        return response.get("Item")

    def _query(self, query: QueryInputTypeDef, *, limit: int) -> list[Item]:
        return dynamo.query_up_to(self.client, query, limit=limit)

    def _query_all(self, query: QueryInputTypeDef) -> list[Item]:
        return dynamo.query_all(self.client, query)

    def _put(
        self, item: Mapping[str, AttributeValueTypeDef], condition: str
    ) -> TransactWriteItemTypeDef:
        return {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": condition}}
