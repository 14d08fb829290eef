"""The service-time histograms in DynamoDB (ports/service_times.py).

    STIMES#<kab>#<yyyy-mm-dd> DESA#<desa>   one desa's counts of that completion day:
                                            `st_s<days>` (to SELESAI), `st_d<days>` (to
                                            DISERAHKAN), numbers added with ADD
    STCOUNTED#<request id>    <status>      the marker: that move is counted

A partition per kabupaten and day (never one every desa shares for ever); a page view
Queries at most WINDOW_DAYS of them. The marker's conditional Put and the ADD are one
transaction: a replay fails the condition and adds nothing. The attributes are named so
no index (`desa`, `kind`, ...) ever picks an item up.

Both items carry the table's TTL (`expires_at`): a week after their day has left the
page's window, DynamoDB deletes them, so the histograms and markers do not grow for ever.
The marker goes with the bucket it counted into, so a move cannot be counted twice
within any window the page shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.errors import StoreUnavailable
from ...domain.refusals import STORE_BUSY
from ...domain.service_times import WINDOW_DAYS, DayCounts
from .dynamo import CHECK_FAILED, TTL_ATTRIBUTE, backoff, cancellation_reasons
from .dynamo import n as _n
from .dynamo import s as _s
from .errors import translated
from .records_items import MAX_CONTENTION_RETRIES, DynamoTable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

PREFIX = {"SELESAI": "st_s", "DISERAHKAN": "st_d"}
KEPT_AFTER_WINDOW = timedelta(days=7)


def expiry(day: str) -> int:
    """When DynamoDB may delete a day's counts and markers: a week after the window."""
    end = date.fromisoformat(day) + timedelta(days=WINDOW_DAYS) + KEPT_AFTER_WINDOW
    return int(datetime.combine(end, time(), UTC).timestamp())


class ServiceTimeRecords(DynamoTable):
    def count_service_time(
        self, request_id: str, status: str, kabupaten: str, desa: str, day: str, days: int
    ) -> bool:
        expires = _n(expiry(day))
        marker: dict[str, AttributeValueTypeDef] = {
            "PK": _s(f"STCOUNTED#{request_id}"),
            "SK": _s(status),
            TTL_ATTRIBUTE: expires,
        }
        add: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table,
                "Key": {"PK": _s(f"STIMES#{kabupaten}#{day}"), "SK": _s(f"DESA#{desa}")},
                "UpdateExpression": "SET st_desa = :desa, #ttl = :expires ADD #n :one",
                "ExpressionAttributeNames": {
                    "#n": f"{PREFIX[status]}{days}",
                    "#ttl": TTL_ATTRIBUTE,
                },
                "ExpressionAttributeValues": {
                    ":desa": _s(desa),
                    ":one": _n(1),
                    ":expires": expires,
                },
            }
        }
        with translated("count_service_time"):
            for attempt in range(MAX_CONTENTION_RETRIES):
                if attempt:
                    backoff(attempt)
                try:
                    self.client.transact_write_items(
                        TransactItems=[self._put(marker, "attribute_not_exists(PK)"), add]
                    )
                    return True
                except ClientError as error:
                    reasons = cancellation_reasons(error)
                    if reasons[0] == CHECK_FAILED:
                        return False
                    # Another completion of the same desa and day at once: try again.
        raise StoreUnavailable(STORE_BUSY)

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]:
        with translated("service_time_day"):
            items = self._query_prefix(f"STIMES#{kabupaten}#{day}", "DESA#")
        found = []
        for item in items:
            counts = DayCounts(item["st_desa"]["S"], day)
            for name, value in item.items():
                for status, prefix in PREFIX.items():
                    if name.startswith(prefix) and name[len(prefix) :].isdigit():
                        target = counts.selesai if status == "SELESAI" else counts.diserahkan
                        target[int(name[len(prefix) :])] = int(value["N"])
            found.append(counts)
        return sorted(found, key=lambda c: c.desa)
