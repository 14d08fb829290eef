"""Sasaran in the records table: every read a GetItem, BatchGetItem or Query, never a Scan.

Items, by (PK, SK):

    SASARAN#<id>      ROW                 one worklist row (JSON in `data`)
    SASARAN#<id>      FU#<at>#<id>        one follow-up of the row; key order is recording order
    WORKLIST#<desa>   <sort key>          a copy of each row of the desa, in worklist order
    FOLLOWUP#<id>     FOLLOWUP            the same follow-up by its device-made id
    NIK#<nik>         NIK                 the row holding this NIK: a NIK is on one row at most
    NAMEKEY#<key>     NAMEKEY             the ids of the rows with this name key (a string set)
    IMPORT#<id>       IMPORT              one import run
    IMPORT#<id>       LINE#<line>         the report of one line
    IMPORT#<id>       CHUNK#<n>           the outcome counts of one applied chunk
    IMPORTS           <created_at>#<id>   the list of import runs (key order is age)
    COUNTERS#<level>  <code>              one scope's counters, a number attribute "c:<name>" each
    APPLIED#<key>     APPLIED             a change already counted; DynamoDB's TTL removes it

No read goes through an index, because every one must be consistent: a chunk
of an import looks up a thousand NIKs and name keys at once (pointer items,
BatchGetItem, 100 keys a call) and must see the rows the chunk before it has
just written; and a desa's worklist is served with its revision counter as
ETag, so a list read from a lagging index would be cached as current. The
worklist is therefore kept by hand, a copy of each row under WORKLIST#<desa>,
read by a consistent Query. The records indexes key on attribute names (desa,
status, desa_status, kind, newest, token, batch_id, seq, audit_target,
audit_actor) that no item here carries, so sasaran never shows up in a request
list.

A row write is one transaction: the row, conditional on its version; its
worklist copy (moved when its desa or sort key changes); its pointer items when
NIK or name key change; and ADDs to the counters of its desa, kecamatan and
kabupaten. Import lines go in groups, each group one
transaction with every line's result, row and pointers and the group's counter
deltas summed into one ADD per scope: a write is billed by the size of the
whole item, and the kabupaten's counter item is the largest there is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from ...domain import paging
from ...domain.errors import Conflict
from ...domain.refusals import NIK_TAKEN, STALE_SASARAN, STORE_BUSY
from ...domain.sasaran import (
    Followup,
    ImportResult,
    ImportRun,
    SasaranRow,
    ScopeDeltas,
    rolled_up,
    scopes,
)
from ...ports import ImportLineWrite, RowWrite, SasaranPage, SasaranStore
from . import dynamo
from .dynamo import (
    CHECK_FAILED,
    TTL_ATTRIBUTE,
    backoff,
    batch_get,
    cancellation_reasons,
    dump,
    n,
    s,
    text,
)
from .errors import StoreUnavailable, error_code, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        QueryInputTypeDef,
        TransactWriteItemTypeDef,
    )

    Item = Mapping[str, AttributeValueTypeDef]

# The indexes this store queries (none: see above). Together with records.INDEXES,
# exactly what infra/bakso.yaml defines (a test compares them).
INDEXES: dict[str, tuple[str, str | None]] = {}
COUNTER_PREFIX = "c:"
GROUP_LINES = 25  # import lines per transaction
TRANSACTION_MAX_ITEMS = 100  # DynamoDB's limit for TransactWriteItems
# A counted change is remembered longer than its message can live: 4 days in
# the queue, then up to 14 in the dead-letter queue before a redrive.
APPLIED_TTL = 35 * 24 * 3600
MAX_CONFLICT_RETRIES = 20

_LINE_WIDTH = 10
_LAST_LINE = f"LINE#{'9' * _LINE_WIDTH}"
_CHUNK = "CHUNK#"


def _row_pk(sasaran_id: str) -> str:
    return f"SASARAN#{sasaran_id}"


def _row_key(sasaran_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(_row_pk(sasaran_id)), "SK": s("ROW")}


def _worklist_key(desa: str, sort_key: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"WORKLIST#{desa}"), "SK": s(sort_key)}


def _nik_key(nik: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"NIK#{nik}"), "SK": s("NIK")}


def _name_key(key: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"NAMEKEY#{key}"), "SK": s("NAMEKEY")}


def _import_key(import_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": s(f"IMPORT#{import_id}"), "SK": s("IMPORT")}


def _line_sk(line: int) -> str:
    return f"LINE#{line:0{_LINE_WIDTH}d}"


def _row(item: Item) -> SasaranRow:
    return SasaranRow.from_record(json.loads(text(item, "data")))


def _counters(item: Item | None) -> dict[str, int]:
    if item is None:
        return {}
    found = {
        name[len(COUNTER_PREFIX) :]: int(value["N"])
        for name, value in item.items()
        if name.startswith(COUNTER_PREFIX)
    }
    return {name: value for name, value in found.items() if value}


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


class DynamoSasaranStore(SasaranStore):
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client  # public so tests can hook the client's events
        self.table = table

    # Rows -----------------------------------------------------------------
    def get_row(self, sasaran_id: str) -> SasaranRow | None:
        with translated("sasaran.get_row"):
            item = self._get(_row_key(sasaran_id))
        return _row(item) if item else None

    def find_by_niks(self, niks: Sequence[str]) -> dict[str, SasaranRow]:
        wanted = set(niks)
        with translated("sasaran.find_by_niks"):
            pointers = batch_get(self.client, self.table, [_nik_key(nik) for nik in sorted(wanted)])
            rows = self._rows({text(p, "sasaran_id") for p in pointers})
        return {row.nik: row for row in rows.values() if row.nik is not None and row.nik in wanted}

    def find_by_name_keys(self, keys: Sequence[str]) -> dict[str, list[SasaranRow]]:
        wanted = set(keys)
        with translated("sasaran.find_by_name_keys"):
            pointers = batch_get(self.client, self.table, [_name_key(k) for k in sorted(wanted)])
            ids = {i for p in pointers for i in p.get("ids", {}).get("SS", [])}
            rows = self._rows(ids)
        found: dict[str, list[SasaranRow]] = {}
        for row in sorted(rows.values(), key=lambda r: r.id):
            if row.name_key in wanted:
                found.setdefault(row.name_key, []).append(row)
        return found

    def list_rows(self, desa: str, *, cursor: str | None, limit: int) -> SasaranPage:
        limit = paging.page_size(limit)
        values: dict[str, AttributeValueTypeDef] = {":pk": s(f"WORKLIST#{desa}")}
        condition = "PK = :pk"
        if cursor:
            values[":after"] = s(paging.decode_key(cursor))
            condition += " AND SK > :after"
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
        }
        with translated("sasaran.list_rows"):
            # One extra item tells whether a next page exists without a second query.
            items = self._query(query, limit=limit + 1)
        next_cursor = (
            paging.encode_key(text(items[limit - 1], "SK")) if len(items) > limit else None
        )
        return SasaranPage([_row(item) for item in items[:limit]], next_cursor)

    def save_row(self, write: RowWrite) -> None:
        with translated("sasaran.save_row"):
            stored = self._stored([write])
            tx = _Transaction()
            self._add_row(tx, write, stored.get(write.row.id))
            self._add_counters(tx, rolled_up([write.deltas]))
            reasons = self._transact(tx)
        if reasons is not None:
            raise _row_conflict(tx.failed(reasons))

    # Follow-ups -----------------------------------------------------------
    def record_followup(self, followup: Followup, write: RowWrite) -> bool:
        data = s(dump(followup.to_record()))
        with translated("sasaran.record_followup"):
            stored = self._stored([write])
            tx = _Transaction()
            tx.add(
                ("followup", followup.id),
                self._put(
                    {"PK": s(f"FOLLOWUP#{followup.id}"), "SK": s("FOLLOWUP"), "data": data},
                    "attribute_not_exists(PK)",
                ),
            )
            tx.add(
                ("followup", followup.id),
                self._put(
                    {
                        "PK": s(_row_pk(followup.sasaran_id)),
                        "SK": s(f"FU#{followup.at}#{followup.id}"),
                        "data": data,
                    },
                    "attribute_not_exists(PK)",
                ),
            )
            self._add_row(tx, write, stored.get(write.row.id))
            self._add_counters(tx, rolled_up([write.deltas]))
            reasons = self._transact(tx)
        if reasons is None:
            return True
        failed = tx.failed(reasons)
        if any(kind == "followup" for kind, _ in failed):
            return False
        raise _row_conflict(failed)

    def get_followup(self, followup_id: str) -> Followup | None:
        with translated("sasaran.get_followup"):
            item = self._get({"PK": s(f"FOLLOWUP#{followup_id}"), "SK": s("FOLLOWUP")})
        return Followup(**json.loads(text(item, "data"))) if item else None

    def list_followups(self, sasaran_id: str) -> list[Followup]:
        # "at" has one width (UTC, milliseconds), so key order is (at, id) order.
        with translated("sasaran.list_followups"):
            items = self._query_all(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                    "ExpressionAttributeValues": {
                        ":pk": s(_row_pk(sasaran_id)),
                        ":prefix": s("FU#"),
                    },
                    "ConsistentRead": True,
                }
            )
        return [Followup(**json.loads(text(item, "data"))) for item in items]

    # Imports --------------------------------------------------------------
    def create_import(self, run: ImportRun) -> bool:
        tx = _Transaction()
        tx.add(
            ("import", run.id),
            self._put(
                {**_import_key(run.id), "data": s(dump(run.to_record()))},
                "attribute_not_exists(PK)",
            ),
        )
        tx.add(
            ("listing", run.id),
            self._put(
                {
                    "PK": s("IMPORTS"),
                    "SK": s(f"{run.created_at}#{run.id}"),
                    "import_id": s(run.id),
                },
                "attribute_not_exists(PK)",
            ),
        )
        with translated("sasaran.create_import"):
            return self._transact(tx) is None

    def save_import(self, run: ImportRun) -> None:
        with translated("sasaran.save_import"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item={**_import_key(run.id), "data": s(dump(run.to_record()))},
                    ConditionExpression="attribute_exists(PK)",
                )
            except ClientError as error:
                # Like the SQLite store: saving an import that does not exist changes nothing.
                if error_code(error) != "ConditionalCheckFailedException":
                    raise

    def get_import(self, import_id: str) -> ImportRun | None:
        with translated("sasaran.get_import"):
            item = self._get(_import_key(import_id))
        return ImportRun.from_record(json.loads(text(item, "data"))) if item else None

    def list_imports(self, *, limit: int) -> list[ImportRun]:
        if limit < 1:
            return []
        with translated("sasaran.list_imports"):
            listed = self._query(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk",
                    "ExpressionAttributeValues": {":pk": s("IMPORTS")},
                    "ScanIndexForward": False,
                    "ConsistentRead": True,
                },
                limit=limit,
            )
            ids = [text(item, "import_id") for item in listed]
            items = batch_get(self.client, self.table, [_import_key(i) for i in ids])
        runs = {
            run.id: run
            for run in (ImportRun.from_record(json.loads(text(i, "data"))) for i in items)
        }
        return [runs[i] for i in ids if i in runs]

    def apply_import_lines(self, lines: Sequence[ImportLineWrite]) -> None:
        if not lines:
            return
        import_id = lines[0].result.import_id
        numbers = [line.result.line for line in lines]
        with translated("sasaran.apply_import_lines"):
            done = self._stored_lines(import_id, min(numbers), max(numbers))
            todo = [line for line in lines if line.result.line not in done]
            stored = self._stored([line.write for line in todo if line.write is not None])
            # Every row version is checked before anything is written, so a
            # stale plan writes nothing (as the SQLite store rolls back all).
            for line in todo:
                if line.write is not None and line.write.expected_version:
                    current = stored.get(line.write.row.id)
                    if current is None or current.version != line.write.expected_version:
                        raise Conflict(STALE_SASARAN)
            for group in self._groups(todo, stored):
                self._write_lines(import_id, group, stored)

    def import_results(self, import_id: str, *, after_line: int, limit: int) -> list[ImportResult]:
        if limit < 1:
            return []
        with translated("sasaran.import_results"):
            items = self._query(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
                    "ExpressionAttributeValues": {
                        ":pk": s(f"IMPORT#{import_id}"),
                        ":low": s(_line_sk(max(after_line, 0) + 1)),
                        ":high": s(_LAST_LINE),
                    },
                    "ConsistentRead": True,
                },
                limit=limit,
            )
        return [ImportResult(**json.loads(text(item, "data"))) for item in items]

    def record_chunk(self, import_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with translated("sasaran.record_chunk"):
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": s(f"IMPORT#{import_id}"),
                    "SK": s(f"{_CHUNK}{chunk:06d}"),
                    "counts": s(dump(dict(counts))),
                },
            )

    def chunk_counts(self, import_id: str) -> dict[int, dict[str, int]]:
        with translated("sasaran.chunk_counts"):
            items = self._query_all(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                    "ExpressionAttributeValues": {
                        ":pk": s(f"IMPORT#{import_id}"),
                        ":prefix": s(_CHUNK),
                    },
                    "ConsistentRead": True,
                }
            )
        return {
            int(text(item, "SK")[len(_CHUNK) :]): json.loads(text(item, "counts")) for item in items
        }

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
        self._add_counters(tx, rolled_up([deltas]))
        with translated("sasaran.apply_once"):
            return self._transact(tx) is None

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

    def _add_row(self, tx: _Transaction, write: RowWrite, stored: SasaranRow | None) -> None:
        """The row, its worklist copy and the pointer items that change with it.

        `stored` is the row as read before; None for a new one.
        """
        row = write.row
        data = s(dump(row.to_record()))
        item = {**_row_key(row.id), "data": data, "version": n(row.version)}
        if write.expected_version == 0:
            tx.add(("row", row.id), self._put(item, "attribute_not_exists(PK)"))
        else:
            put = self._put(item, "#version = :expected")
            put["Put"]["ExpressionAttributeNames"] = {"#version": "version"}
            put["Put"]["ExpressionAttributeValues"] = {":expected": n(write.expected_version)}
            tx.add(("row", row.id), put)
        # The copies and pointers follow the stored row; if it changed since it
        # was read, the version condition above cancels the whole transaction.
        if stored is not None and (stored.desa, stored.sort_key) != (row.desa, row.sort_key):
            tx.add(
                ("worklist", row.id),
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": _worklist_key(stored.desa, stored.sort_key),
                    }
                },
            )
        tx.add(
            ("worklist", row.id),
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {**_worklist_key(row.desa, row.sort_key), "data": data},
                }
            },
        )
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
                tx.add(
                    ("nik", row.id),
                    self._put(
                        {**_nik_key(row.nik), "sasaran_id": s(row.id)}, "attribute_not_exists(PK)"
                    ),
                )
        before_key = stored.name_key if stored else ""
        if row.name_key != before_key:
            for key, action in ((before_key, "DELETE"), (row.name_key, "ADD")):
                if key:
                    tx.add(
                        ("name", row.id),
                        {
                            "Update": {
                                "TableName": self.table,
                                "Key": _name_key(key),
                                "UpdateExpression": f"{action} ids :ids",
                                "ExpressionAttributeValues": {":ids": {"SS": [row.id]}},
                            }
                        },
                    )

    def _add_counters(self, tx: _Transaction, total: ScopeDeltas) -> None:
        """One ADD per scope of the per-scope deltas (domain.sasaran.rolled_up)."""
        for (level, code), changes in total.items():
            names: dict[str, str] = {}
            values: dict[str, AttributeValueTypeDef] = {}
            adds: list[str] = []
            for i, (name, value) in enumerate(sorted(changes.items())):
                names[f"#c{i}"] = COUNTER_PREFIX + name
                values[f":c{i}"] = n(value)
                adds.append(f"#c{i} :c{i}")
            tx.add(
                ("counter", code),
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"PK": s(f"COUNTERS#{level}"), "SK": s(code)},
                        "UpdateExpression": "ADD " + ", ".join(adds),
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values,
                    }
                },
            )

    def _line_transaction(
        self, line: ImportLineWrite, stored: Mapping[str, SasaranRow]
    ) -> _Transaction:
        tx = _Transaction()
        result = line.result
        tx.add(
            ("result", result.line),
            self._put(
                {
                    "PK": s(f"IMPORT#{result.import_id}"),
                    "SK": s(_line_sk(result.line)),
                    "data": s(dump(result.to_record())),
                },
                "attribute_not_exists(PK)",
            ),
        )
        if line.write is not None:
            self._add_row(tx, line.write, stored.get(line.write.row.id))
        return tx

    def _groups(
        self, lines: Sequence[ImportLineWrite], stored: Mapping[str, SasaranRow]
    ) -> list[list[ImportLineWrite]]:
        """Consecutive lines that fit one transaction: no item twice, at most 100 items."""
        groups: list[list[ImportLineWrite]] = []
        group: list[ImportLineWrite] = []
        keys: set[tuple[str, str]] = set()
        counted: set[tuple[str, str]] = set()
        items = 0
        for line in lines:
            tx = self._line_transaction(line, stored)
            line_keys = tx.keys()
            line_scopes = {
                scope
                for desa in (line.write.deltas if line.write else {})
                for scope in scopes(desa)
            }
            size = items + len(tx.ops) + len(counted | line_scopes)
            if group and (
                len(group) >= GROUP_LINES or keys & line_keys or size > TRANSACTION_MAX_ITEMS
            ):
                groups.append(group)
                group, keys, counted, items = [], set(), set(), 0
            group.append(line)
            keys |= line_keys
            counted |= line_scopes
            items += len(tx.ops)
        if group:
            groups.append(group)
        return groups

    def _write_lines(
        self, import_id: str, group: list[ImportLineWrite], stored: Mapping[str, SasaranRow]
    ) -> None:
        pending = group
        for _ in range(GROUP_LINES + 1):
            tx = _Transaction()
            for line in pending:
                part = self._line_transaction(line, stored)
                for label, op in zip(part.labels, part.ops, strict=True):
                    tx.add(label, op)
            self._add_counters(tx, rolled_up(line.write.deltas for line in pending if line.write))
            reasons = self._transact(tx)
            if reasons is None:
                return
            failed = tx.failed(reasons)
            if not any(kind == "result" for kind, _ in failed):
                raise _row_conflict(failed)
            # Another delivery of this chunk stored some of these lines meanwhile.
            numbers = [line.result.line for line in pending]
            done = self._stored_lines(import_id, min(numbers), max(numbers))
            pending = [line for line in pending if line.result.line not in done]
            if not pending:
                return
        raise Conflict(STALE_SASARAN)

    # Reading --------------------------------------------------------------
    def _stored(self, writes: Iterable[RowWrite]) -> dict[str, SasaranRow]:
        """The stored rows these writes update (creates read nothing), by id."""
        return self._rows({w.row.id for w in writes if w.expected_version})

    def _rows(self, ids: Iterable[str]) -> dict[str, SasaranRow]:
        items = batch_get(self.client, self.table, [_row_key(i) for i in sorted(set(ids))])
        rows = (_row(item) for item in items)
        return {row.id: row for row in rows}

    def _stored_lines(self, import_id: str, low: int, high: int) -> set[int]:
        items = self._query_all(
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": s(f"IMPORT#{import_id}"),
                    ":low": s(_line_sk(low)),
                    ":high": s(_line_sk(high)),
                },
                "ProjectionExpression": "SK",
                "ConsistentRead": True,
            }
        )
        return {int(text(item, "SK")[len("LINE#") :]) for item in items}

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
