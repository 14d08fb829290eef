"""The IKM survey's store in the records table (ports/ikm.py).

An answer is `PK = IKMANSWER#<request id>, SK = ANSWER`; a desa-month tally is
`PK = IKM#<kabupaten>#<yyyy-mm>, SK = DESA#<desa>` (`ikm_n` respondents, `ikm_u1`..
`ikm_u9` sums). The answer's Put (only if absent) and the tally's ADD are one
transaction, so a tally never counts an answer twice nor misses one. A kabupaten-month
is one Query. Attribute names avoid the table's index keys (desa, kind, status...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.ikm import COUNT, Tally
from ...domain.refusals import STORE_BUSY
from ...domain.regions import kabupaten_of
from ...ports.ikm import AlreadyAnswered, IkmAnswer
from .dynamo import CHECK_FAILED, backoff, cancellation_reasons, integer, n, query_all, s
from .errors import StoreUnavailable, translated

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_ANSWER_SK = "ANSWER"


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

    def erase_comment(self, request_id: str) -> None:
        with translated("ikm erase_comment"):
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key=_answer_key(request_id),
                    UpdateExpression="REMOVE ikm_comment",
                    ConditionExpression="attribute_exists(PK)",
                )
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != CHECK_FAILED + "Exception":
                    raise

    def compact(self) -> None:
        """DynamoDB keeps no copy of a removed attribute to compact."""
