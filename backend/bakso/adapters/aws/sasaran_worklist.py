"""Worklist rows and their follow-ups in DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ...domain import paging
from ...domain.regions import kabupaten_of
from ...domain.sasaran import Followup, SasaranRow, rolled_up
from ...ports import RowWrite, SasaranPage
from .dynamo import batch_get, dump, opt_text, s, text
from .errors import translated
from .sasaran_changes import SasaranChanges
from .sasaran_items import (
    SasaranTable,
    _name_key,
    _nik_key,
    _row,
    _row_conflict,
    _row_key,
    _Transaction,
)
from .tenant_keys import KABUPATEN, ROW

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class SasaranWorklist(SasaranChanges, SasaranTable):
    # Rows -----------------------------------------------------------------
    def get_row(self, sasaran_id: str) -> SasaranRow | None:
        with translated("sasaran.get_row"):
            item = self._get(_row_key(self._row_pk(sasaran_id)))
        return _row(item) if item else None

    def find_by_niks(self, niks: Sequence[str]) -> dict[str, SasaranRow]:
        wanted = set(niks)
        with translated("sasaran.find_by_niks"):
            pointers = batch_get(self.client, self.table, [_nik_key(nik) for nik in sorted(wanted)])
            for pointer in pointers:
                if (kabupaten := opt_text(pointer, KABUPATEN)) is not None:
                    self.keys.learn(ROW, text(pointer, "sasaran_id"), kabupaten)
            rows = self._rows({text(p, "sasaran_id") for p in pointers})
        return {row.nik: row for row in rows.values() if row.nik is not None and row.nik in wanted}

    def find_by_name_keys(self, keys: Sequence[str]) -> dict[str, list[SasaranRow]]:
        wanted = set(keys)
        with translated("sasaran.find_by_name_keys"):
            pointers = batch_get(self.client, self.table, [_name_key(k) for k in sorted(wanted)])
            ids = set()
            for entry in (i for p in pointers for i in p.get("ids", {}).get("SS", [])):
                kabupaten, _, sasaran_id = entry.rpartition("#")  # "<kabupaten>#<id>"
                if kabupaten:
                    self.keys.learn(ROW, sasaran_id, kabupaten)
                ids.add(sasaran_id)
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

            def build(revisions: Mapping[str, int]) -> _Transaction:
                tx = _Transaction()
                self._revise_into(tx, write, dict(stored), dict(revisions))
                self._add_counters(tx, rolled_up([write.deltas]), revisions)
                return tx

            tx, reasons = self._transact_revised(write.deltas, build)
        if reasons is not None:
            raise _row_conflict(tx.failed(reasons))

    # Follow-ups -----------------------------------------------------------
    def record_followup(self, followup: Followup, write: RowWrite) -> bool:
        with translated("sasaran.record_followup"):
            stored = self._stored([write])
            tx, reasons = self._transact_revised(
                write.deltas,
                lambda revisions: self._followup_tx(followup, write, stored, revisions),
            )
        if reasons is None:
            return True
        failed = tx.failed(reasons)
        if any(kind == "followup" for kind, _ in failed):
            return False
        raise _row_conflict(failed)

    def _followup_tx(
        self,
        followup: Followup,
        write: RowWrite,
        stored: Mapping[str, SasaranRow],
        revisions: Mapping[str, int],
    ) -> _Transaction:
        data = s(dump(followup.to_record()))
        pk = (
            self._write_pk(write)
            if write.row.id == followup.sasaran_id
            else self._row_pk(followup.sasaran_id)
        )
        sk = f"FU#{followup.at}#{followup.id}"
        tx = _Transaction()
        # By its id, a pointer to the follow-up under its row (#16: no data out of the
        # kabupaten's partitions); it also makes a replay of the same id a no-op.
        pointer = {"PK": s(f"FOLLOWUP#{followup.id}"), "SK": s("FOLLOWUP"), "row_pk": s(pk)}
        pointer |= {"row_sk": s(sk), KABUPATEN: s(kabupaten_of(write.row.desa))}
        tx.add(("followup", followup.id), self._put(pointer, "attribute_not_exists(PK)"))
        tx.add(
            ("followup", followup.id),
            self._put({"PK": s(pk), "SK": s(sk), "data": data}, "attribute_not_exists(PK)"),
        )
        self._revise_into(tx, write, dict(stored), dict(revisions))
        self._add_counters(tx, rolled_up([write.deltas]), revisions)
        return tx

    def get_followup(self, followup_id: str) -> Followup | None:
        with translated("sasaran.get_followup"):
            item = self._get({"PK": s(f"FOLLOWUP#{followup_id}"), "SK": s("FOLLOWUP")})
            if item is not None and "data" not in item:  # a pointer (#16), not a copy
                item = self._get({"PK": item["row_pk"], "SK": item["row_sk"]})
        return Followup.from_record(json.loads(text(item, "data"))) if item else None

    def list_followups(self, sasaran_id: str) -> list[Followup]:
        # "at" has one width (UTC, milliseconds), so key order is (at, id) order.
        with translated("sasaran.list_followups"):
            items = self._query_all(
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
                    "ExpressionAttributeValues": {
                        ":pk": s(self._row_pk(sasaran_id)),
                        ":prefix": s("FU#"),
                    },
                    "ConsistentRead": True,
                }
            )
        return [Followup.from_record(json.loads(text(item, "data"))) for item in items]
