"""The IKM survey's store in the records table (ports/ikm.py).

An answer is `PK = IKMANSWER#<request id>, SK = ANSWER`; a desa-month tally is
`PK = IKM#<kabupaten>#<yyyy-mm>, SK = DESA#<desa>` (`ikm_n` respondents, `ikm_u1`..
`ikm_u9` sums). The answer's Put (only if absent) and the tally's ADD are one
transaction, so a tally never counts an answer twice nor misses one. A kabupaten-month
is one Query. A comment is also written, in the same transaction, to the month's list
`PK = IKMSARAN#<kabupaten>#<yyyy-mm>, SK = <yyyy-mm-dd>#<random>`: Dukcapil reads it
newest day first without ever learning the request or the time of day (the cursor is
the SK; the answer keeps it, so retention can delete the entry).
Attribute names avoid the table's index keys (desa, kind, status...).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.ikm import COUNT, Tally
from ...domain.refusals import STORE_BUSY
from ...domain.regions import kabupaten_of
from ...ports.ikm import AlreadyAnswered, CommentPage, IkmAnswer, IkmComment
from .dynamo import (
    CHECK_FAILED,
    backoff,
    cancellation_reasons,
    integer,
    n,
    query_all,
    query_up_to,
    s,
)
from .errors import StoreUnavailable, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_ANSWER_SK = "ANSWER"
_CURSOR = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}#[0-9a-f]{8}$")


def _answer_key(request_id: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": f"IKMANSWER#{request_id}"}, "SK": {"S": _ANSWER_SK}}


class DynamoIkmStore:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self.client = client
        self.table = table

    def add_answer(self, answer: IkmAnswer) -> None:
        kabupaten = kabupaten_of(answer.desa)
        item = {
            **_answer_key(answer.request_id),
            "ikm_desa": s(answer.desa),
            "ikm_month": s(answer.month),
            "ikm_at": s(answer.at),
            "ikm_comment": s(answer.comment),
            **{f"ikm_u{i + 1}": n(v) for i, v in enumerate(answer.scores)},
        }
        comment_item = None
        if answer.comment:
            sort_key = f"{answer.day}#{secrets.token_hex(4)}"
            item["ikm_saran"] = s(sort_key)
            comment_item = {
                "PK": s(f"IKMSARAN#{kabupaten}#{answer.month}"),
                "SK": s(sort_key),
                "ikm_desa": s(answer.desa),
                "ikm_day": s(answer.day),  # the day only: the time could point at a request
                "ikm_comment": s(answer.comment),
            }
        adds = ", ".join(["ikm_n :one", *(f"ikm_u{i} :u{i}" for i in range(1, COUNT + 1))])
        values = {":one": n(1), **{f":u{i + 1}": n(v) for i, v in enumerate(answer.scores)}}
        transaction = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {
                        "PK": s(f"IKM#{kabupaten}#{answer.month}"),
                        "SK": s(f"DESA#{answer.desa}"),
                    },
                    "UpdateExpression": f"SET ikm_desa = :desa ADD {adds}",
                    "ExpressionAttributeValues": {**values, ":desa": s(answer.desa)},
                }
            },
        ]
        if comment_item is not None:
            transaction.append({"Put": {"TableName": self.table, "Item": comment_item}})
        for attempt in range(1, 9):
            with translated("ikm add_answer"):
                try:
                    self.client.transact_write_items(TransactItems=transaction)  # type: ignore[arg-type]
                    return
                except ClientError as error:
                    reasons = cancellation_reasons(error)
                    if reasons[0] == CHECK_FAILED:
                        raise AlreadyAnswered(answer.request_id) from None
            backoff(attempt)  # a concurrent transaction on the same tally: try again
        raise StoreUnavailable(STORE_BUSY)

    def answered(self, request_id: str) -> bool:
        return self.comment(request_id) is not None

    def comment(self, request_id: str) -> str | None:
        with translated("ikm comment"):
            found = self.client.get_item(
                TableName=self.table,
                Key=_answer_key(request_id),
                ConsistentRead=True,
                ProjectionExpression="ikm_comment",
            ).get("Item")
        if found is None:
            return None
        value = found.get("ikm_comment")
        return value["S"] if value and "S" in value else ""

    def tallies(self, kabupaten: str, month: str) -> dict[str, Tally]:
        with translated("ikm tallies"):
            items = query_all(
                self.client,
                {
                    "TableName": self.table,
                    "KeyConditionExpression": "PK = :pk",
                    "ExpressionAttributeValues": {":pk": s(f"IKM#{kabupaten}#{month}")},
                },
            )
        return {
            item["ikm_desa"]["S"]: Tally(
                integer(item, "ikm_n"),
                tuple(integer(item, f"ikm_u{i}") for i in range(1, COUNT + 1)),
            )
            for item in items
        }

    def comments(
        self, kabupaten: str, month: str, *, limit: int, after: str | None = None
    ) -> CommentPage:
        if after is not None and not _CURSOR.match(after):
            raise ValueError("not a cursor of this store")
        condition, values = "PK = :pk", {":pk": s(f"IKMSARAN#{kabupaten}#{month}")}
        if after is not None:
            condition, values[":after"] = condition + " AND SK < :after", s(after)
        with translated("ikm comments"):
            items = query_up_to(
                self.client,
                {
                    "TableName": self.table,
                    "KeyConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                    "ScanIndexForward": False,
                },
                limit=limit + 1,
            )
        page = [
            IkmComment(i["ikm_desa"]["S"], i["ikm_day"]["S"], i["ikm_comment"]["S"])
            for i in items[:limit]
        ]
        return CommentPage(page, items[limit - 1]["SK"]["S"] if len(items) > limit else None)

    def erase_comment(self, request_id: str) -> None:
        with translated("ikm erase_comment"):
            found = self.client.get_item(
                TableName=self.table,
                Key=_answer_key(request_id),
                ConsistentRead=True,
                ProjectionExpression="ikm_desa, ikm_month, ikm_saran",
            ).get("Item")
            if found is None:
                return
            if "ikm_saran" in found:  # the month's list first: the answer still points to it
                kabupaten = kabupaten_of(found["ikm_desa"]["S"])
                self.client.delete_item(
                    TableName=self.table,
                    Key={
                        "PK": s(f"IKMSARAN#{kabupaten}#{found['ikm_month']['S']}"),
                        "SK": found["ikm_saran"],
                    },
                )
            self.client.update_item(
                TableName=self.table,
                Key=_answer_key(request_id),
                UpdateExpression="REMOVE ikm_comment, ikm_saran",
            )

    def compact(self) -> None:
        """DynamoDB keeps no copy of a removed attribute to compact."""
