"""The notifications already sent, in DynamoDB (ports/notification_log.py).

One item per notification key in its own partition (`NOTIFIED#<request id>:<version>`),
so writes spread over partitions; DynamoDB's TTL deletes it some time after expires_at,
and a read ignores one past it that TTL has not reached yet.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .dynamo import TTL_ATTRIBUTE
from .dynamo import n as _n
from .dynamo import s as _s
from .errors import translated
from .records_items import DynamoTable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


def _key(key: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": _s(f"NOTIFIED#{key}"), "SK": _s("NOTIFIED")}


class NotificationLogRecords(DynamoTable):
    def notification_sent(self, key: str, now: float) -> bool:
        with translated("notification_sent"):
            item = self._get(_key(key))
        return item is not None and float(item[TTL_ATTRIBUTE]["N"]) > now

    def mark_notification_sent(self, key: str, at: float, expires_at: float) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            **_key(key),
            "sent_at": _n(float(at)),
            TTL_ATTRIBUTE: _n(math.ceil(expires_at)),  # the TTL takes whole seconds
        }
        with translated("mark_notification_sent"):
            self.client.put_item(TableName=self.table, Item=item)
