"""Import runs in DynamoDB: the run, each line's result with its row write, chunk counts."""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain import due as positions
from ...domain.errors import Conflict
from ...domain.refusals import STALE_SASARAN
from ...domain.sasaran import ImportResult, ImportRun, SasaranRow, rolled_up
from ...ports import ImportLineWrite
from . import due
from .dynamo import batch_get, dump, s, text
from .errors import error_code, translated
from .sasaran_items import (
    _CHUNK,
    _LAST_LINE,
    GROUP_LINES,
    TRANSACTION_MAX_ITEMS,
    SasaranTable,
    _import_key,
    _line_sk,
    _row_conflict,
    _Transaction,
)
from .tenant_keys import IMPORT, tenant_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

_LISTING = "IMPORTS"  # the list of import runs; before #16 one partition for all


def _listing_pk(kabupaten: str) -> str:
    return f"{_LISTING}#{kabupaten}"


class SasaranImports(SasaranTable):
    # Imports --------------------------------------------------------------
    def create_import(self, run: ImportRun) -> bool:
        # Under its kabupaten's key with its pointer (tenant_keys), listed by kabupaten.
        kabupaten = self.keys.of(run.kabupaten)
        tx = _Transaction()
        tx.add(
            ("import", run.id),
            self._put(
                self._import_item(run, tenant_pk(IMPORT, kabupaten, run.id)),
                "attribute_not_exists(PK)",
            ),
        )
        tx.add(("import", run.id), self.keys.pointer(IMPORT, run.id, kabupaten))
        tx.add(("import", run.id), self.keys.legacy_absent(IMPORT, run.id, "IMPORT"))
        tx.add(
            ("listing", run.id),
            self._put(
                {
                    "PK": s(_listing_pk(kabupaten)),
                    "SK": s(f"{run.created_at}#{run.id}"),
                    "import_id": s(run.id),
                },
                "attribute_not_exists(PK)",
            ),
        )
        with translated("sasaran.create_import"):
            if self._transact(tx) is not None:
                return False
        self.keys.learn(IMPORT, run.id, kabupaten)
        return True

    def save_import(self, run: ImportRun) -> None:
        with translated("sasaran.save_import"):
            try:
                self.client.put_item(
                    TableName=self.table,
                    Item=self._import_item(run, self._import_pk(run.id)),
                    ConditionExpression="attribute_exists(PK)",
                )
            except ClientError as error:
                # Like the SQLite store: saving an import that does not exist changes nothing.
                if error_code(error) != "ConditionalCheckFailedException":
                    raise

    def _import_item(self, run: ImportRun, pk: str) -> dict[str, AttributeValueTypeDef]:
        return {
            **_import_key(pk),
            "data": s(dump(run.to_record())),
            **due.attributes(
                due.keyed(due.IMPORT, self.keys.of(run.kabupaten)),
                positions.import_position(run),
            ),
        }

    def get_import(self, import_id: str) -> ImportRun | None:
        with translated("sasaran.get_import"):
            item = self._get(_import_key(self._import_pk(import_id)))
        return ImportRun.from_record(json.loads(text(item, "data"))) if item else None

    def list_imports(self, *, limit: int, kabupaten: str | None = None) -> list[ImportRun]:
        """Newest first: of `kabupaten`, or of every kabupaten served (None)."""
        if limit < 1:
            return []
        codes = self.keys.codes if kabupaten is None else [kabupaten]
        # Runs from before #16 (the default kabupaten's) are listed under the bare IMPORTS.
        partitions = [_listing_pk(code) for code in codes]
        if self.keys.default in codes:
            partitions.append(_LISTING)
        with translated("sasaran.list_imports"):
            listed: list[Item] = []
            for partition in partitions:
                listed += self._query(
                    {
                        "TableName": self.table,
                        "KeyConditionExpression": "PK = :pk",
                        "ExpressionAttributeValues": {":pk": s(partition)},
                        "ScanIndexForward": False,
                        "ConsistentRead": True,
                    },
                    limit=limit,
                )
            listed = sorted(listed, key=lambda item: text(item, "SK"), reverse=True)[:limit]
            ids = [text(item, "import_id") for item in listed]
            for item, import_id in zip(listed, ids, strict=True):
                if (listing := text(item, "PK")) != _LISTING:  # names the kabupaten
                    self.keys.learn(IMPORT, import_id, listing.removeprefix(f"{_LISTING}#"))
            pks = self.keys.pks(IMPORT, ids)
            items = batch_get(self.client, self.table, [_import_key(pks[i]) for i in ids])
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
                        ":pk": s(self._import_pk(import_id)),
                        ":low": s(_line_sk(max(after_line, 0) + 1)),
                        ":high": s(_LAST_LINE),
                    },
                    "ConsistentRead": True,
                },
                limit=limit,
            )
        return [ImportResult.from_record(json.loads(text(item, "data"))) for item in items]

    def record_chunk(self, import_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with translated("sasaran.record_chunk"):
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": s(self._import_pk(import_id)),
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
                        ":pk": s(self._import_pk(import_id)),
                        ":prefix": s(_CHUNK),
                    },
                    "ConsistentRead": True,
                }
            )
        return {
            int(text(item, "SK")[len(_CHUNK) :]): json.loads(text(item, "counts")) for item in items
        }

    def _line_transaction(
        self,
        line: ImportLineWrite,
        stored: MutableMapping[str, SasaranRow],
        counters: MutableMapping[str, int],
    ) -> _Transaction:
        tx = _Transaction()
        result = line.result
        tx.add(
            ("result", result.line),
            self._put(
                {
                    "PK": s(self._import_pk(result.import_id)),
                    "SK": s(_line_sk(result.line)),
                    "data": s(dump(result.to_record())),
                },
                "attribute_not_exists(PK)",
            ),
        )
        if line.write is not None:
            self._revise_into(tx, line.write, stored, counters)
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
        # Only to count items: revisions from 0 keep the change items' keys apart.
        sizing, counters = dict(stored), dict[str, int]()
        for line in lines:
            tx = self._line_transaction(line, sizing, counters)
            line_keys = tx.keys()
            # Per desa its counter item and, while the older layout is read, a check of
            # its old one (sasaran_counter_items).
            line_scopes = {
                (kind, desa)
                for desa in (line.write.deltas if line.write else {})
                for kind in ("counter", "legacy")
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
        self, import_id: str, group: list[ImportLineWrite], stored: dict[str, SasaranRow]
    ) -> None:
        pending = group
        for _ in range(GROUP_LINES + 1):
            written = dict(stored)
            build = partial(self._group_transaction, pending, stored, written)
            desas = {d for line in pending if line.write for d in line.write.deltas}
            tx, reasons = self._transact_revised(desas, build)
            if reasons is None:
                stored.update(written)  # the next group of this chunk follows these rows
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

    def _group_transaction(
        self,
        pending: Sequence[ImportLineWrite],
        stored: Mapping[str, SasaranRow],
        written: dict[str, SasaranRow],
        revisions: Mapping[str, int],
    ) -> _Transaction:
        """The lines' transaction on these revisions; `written` gets the rows as written."""
        tx = _Transaction()
        written.clear()
        written.update(stored)
        counters = dict(revisions)
        for line in pending:
            part = self._line_transaction(line, written, counters)
            for label, op in zip(part.labels, part.ops, strict=True):
                tx.add(label, op)
        deltas = [line.write.deltas for line in pending if line.write]
        self._add_counters(tx, rolled_up(deltas), revisions)
        return tx

    def _stored_lines(self, import_id: str, low: int, high: int) -> set[int]:
        items = self._query_all(
            {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
                "ExpressionAttributeValues": {
                    ":pk": s(self._import_pk(import_id)),
                    ":low": s(_line_sk(low)),
                    ":high": s(_line_sk(high)),
                },
                "ProjectionExpression": "SK",
                "ConsistentRead": True,
            }
        )
        return {int(text(item, "SK")[len("LINE#") :]) for item in items}
