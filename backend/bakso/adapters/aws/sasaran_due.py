"""What retention finds due in the DynamoDB sasaran store, and the follow-up notes it erases.

Closed rows and unfinished imports are read from the `retention-due` index
(adapters/aws/due.py) that their ROW and IMPORT items enter and leave with
each write. The index is eventually consistent: the purge of a row is a
conditional write on its version, so an index copy that lags cannot undo a
newer change.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from ...domain.sasaran import Followup, ImportRun, SasaranRow
from ...ports import DuePage
from . import due
from .dynamo import dump, s, text
from .errors import error_code, translated
from .sasaran_items import SasaranTable, _row


class SasaranDue(SasaranTable):
    def closed_rows(self, *, before: str, cursor: str | None, limit: int) -> DuePage[SasaranRow]:
        with translated("sasaran.closed_rows"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.partitions(due.SASARAN, self.keys.codes),
                before=before,
                cursor=cursor,
                limit=limit,
            )
        return DuePage([_row(item) for item in items], next_cursor)

    def unfinished_imports(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ImportRun]:
        with translated("sasaran.unfinished_imports"):
            items, next_cursor = due.query(
                self.client,
                self.table,
                due.partitions(due.IMPORT, self.keys.codes),
                before=before,
                cursor=cursor,
                limit=limit,
            )
        runs = [ImportRun.from_record(json.loads(text(item, "data"))) for item in items]
        return DuePage(runs, next_cursor)

    def erase_followup_notes(self, sasaran_id: str) -> None:
        # Each follow-up is stored twice (under its row, and by its id): both lose the note.
        with translated("sasaran.erase_followup_notes"):
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
            for item in items:
                followup = Followup.from_record(json.loads(text(item, "data")))
                if not followup.note:
                    continue
                data = s(dump({**followup.to_record(), "note": ""}))
                # By its id only a pointer since #16: a copy there is from before.
                for key in (
                    {"PK": item["PK"], "SK": item["SK"]},
                    {"PK": s(f"FOLLOWUP#{followup.id}"), "SK": s("FOLLOWUP")},
                ):
                    try:
                        self.client.update_item(
                            TableName=self.table,
                            Key=key,
                            UpdateExpression="SET #data = :data",
                            ConditionExpression="attribute_exists(#data)",
                            ExpressionAttributeNames={"#data": "data"},
                            ExpressionAttributeValues={":data": data},
                        )
                    except ClientError as error:
                        if error_code(error) != "ConditionalCheckFailedException":
                            raise
