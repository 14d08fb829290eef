"""Moving the log from before #16 (partition AUDIT) into the default kabupaten's AUDIT#<code>.

`bakso audit move-legacy`, once after the upgrade, while the functions keep writing:

1. copy every entry, in seq order, into AUDIT#<code> with that chain's index keys (a
   copy is conditional on not existing: a run stopped half-way goes on where it was);
2. when every entry up to the old head is copied, one transaction puts the head into
   AUDIT#<code> and deletes the old one, conditional on its seq: an append that moved
   it meanwhile makes the step fail, and the next run copies that entry too. From then
   on every process finds the chain in AUDIT#<code> (an append that read the old head
   fails its condition and is retried there);
3. delete the old entries (no reader looks at them any more).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from .dynamo import n as _n
from .dynamo import s as _s
from .errors import error_code, translated
from .records_audit_chain import HEAD_SK, AuditChain, AuditLayout
from .records_items import _ENTRY_WIDTH, _audit_entry, _entry_sk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, QueryInputTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class AuditMoveRecords(AuditChain):
    def move_legacy_audit(self, limit: int) -> tuple[int, bool]:
        chain = self.audit_keys.legacy_chain
        old, new = AuditLayout.legacy(chain), AuditLayout.of(chain)
        with translated("move_legacy_audit"):
            head = self._get(old.key(HEAD_SK))
            if head is None:
                return self._delete_old(old, limit)
            copied = self._last_seq(new)
            page = self._entries_after(old, copied, limit)
            for item in page:
                self._copy(new, item)
            if page:
                copied = int(page[-1]["seq"]["N"])
            if len(page) == limit:
                return len(page), False
            if not self._switch(old, new, head, copied):
                return len(page), False  # an append moved the old head: run again
            self._legacy_moved = True
            moved, done = self._delete_old(old, limit)
            return len(page) + moved, done

    def _last_seq(self, layout: AuditLayout) -> int:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :entry)",
            "ExpressionAttributeValues": {":pk": _s(layout.partition), ":entry": _s("ENTRY#")},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        items = self._query(query, limit=1)
        return int(items[0]["seq"]["N"]) if items else 0

    def _entries_after(self, layout: AuditLayout, after: int, limit: int) -> list[Item]:
        query: QueryInputTypeDef = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {
                ":pk": _s(layout.partition),
                ":low": _s(_entry_sk(after + 1)),
                ":high": _s(_entry_sk(10**_ENTRY_WIDTH - 1)),
            },
            "ConsistentRead": True,
        }
        return self._query(query, limit=limit)

    def _copy(self, new: AuditLayout, item: Item) -> None:
        entry = _audit_entry(item)
        try:
            self.client.put_item(
                TableName=self.table,
                Item=self._entry_item(new, entry),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise  # copied by a run that stopped before going on: nothing to do

    def _switch(self, old: AuditLayout, new: AuditLayout, head: Item, copied: int) -> bool:
        moved = {**head, **new.key(HEAD_SK)}
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": moved,
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": old.key(HEAD_SK),
                            "ConditionExpression": "#seq = :seq",
                            "ExpressionAttributeNames": {"#seq": "seq"},
                            "ExpressionAttributeValues": {":seq": _n(copied)},
                        }
                    },
                ]
            )
        except ClientError as error:
            if error_code(error) != "TransactionCanceledException":
                raise
            return False
        return True

    def _delete_old(self, old: AuditLayout, limit: int) -> tuple[int, bool]:
        page = self._entries_after(old, 0, limit)
        for item in page:
            self.client.delete_item(TableName=self.table, Key={"PK": item["PK"], "SK": item["SK"]})
        return len(page), len(page) < limit
