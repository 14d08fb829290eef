"""Officers' sessions in DynamoDB: one item per login, keyed by the hash of its id.

The key is the hash itself, not a constant partition, so sessions spread over
partitions; DynamoDB's TTL deletes an item some time after its expires_at.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.model import OfficerSession
from .dynamo import TTL_ATTRIBUTE
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import error_code, translated
from .records_items import DynamoTable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


def _key(id_hash: str) -> dict[str, AttributeValueTypeDef]:
    return {"PK": _s(f"SESSION#{id_hash}"), "SK": _s("SESSION")}


def _pointer(username: str, id_hash: str) -> dict[str, AttributeValueTypeDef]:
    # One small item per session in the officer's own partition, so that revoking all
    # of an officer's sessions is one consistent Query (an index would lag behind).
    return {"PK": _s(f"SESSIONS#{username}"), "SK": _s(f"SESSION#{id_hash}")}


class SessionRecords(DynamoTable):
    def create_session(self, session: OfficerSession, now: float) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            **_key(session.id_hash),
            "username": _s(session.username),
            "epoch": _n(session.epoch),
            "created_at": _n(float(session.created_at)),
            "last_seen": _n(float(session.last_seen)),
            "expires_exact": _n(float(session.expires_at)),
            TTL_ATTRIBUTE: _n(math.ceil(session.expires_at)),  # the TTL takes whole seconds
            "revoked": {"BOOL": session.revoked},
        }
        with translated("create_session"):
            # The pointer first: a session that exists always has one to revoke it by.
            self._put_pointer(session.username, session.id_hash, session.expires_at)
            self.client.put_item(TableName=self.table, Item=item)

    def _put_pointer(self, username: str, id_hash: str, expires_at: float) -> None:
        # The pointer's TTL follows the session's (touch moves both): DynamoDB deletes
        # late, never early, so a live session's pointer is always still there.
        self.client.put_item(
            TableName=self.table,
            Item={**_pointer(username, id_hash), TTL_ATTRIBUTE: _n(math.ceil(expires_at))},
        )

    def get_session(self, id_hash: str) -> OfficerSession | None:
        with translated("get_session"):
            item = self._get(_key(id_hash))
        if item is None:
            return None
        return OfficerSession(
            id_hash=id_hash,
            username=_str(item, "username"),
            epoch=_int(item, "epoch"),
            created_at=float(item["created_at"]["N"]),
            last_seen=float(item["last_seen"]["N"]),
            expires_at=float(item["expires_exact"]["N"]),
            revoked=bool(item["revoked"]["BOOL"]),
        )

    def touch_session(self, id_hash: str, last_seen: float, expires_at: float) -> None:
        username = self._update(
            id_hash,
            "SET last_seen = :seen, expires_exact = :exact, #ttl = :ttl",
            {
                ":seen": _n(float(last_seen)),
                ":exact": _n(float(expires_at)),
                ":ttl": _n(math.ceil(expires_at)),
            },
            {"#ttl": TTL_ATTRIBUTE},
        )
        if username is not None:
            with translated("touch_session"):
                self._put_pointer(username, id_hash, expires_at)

    def revoke_session(self, id_hash: str) -> None:
        self._update(id_hash, "SET revoked = :yes", {":yes": {"BOOL": True}}, {})

    def revoke_user_sessions(self, username: str) -> None:
        with translated("revoke_user_sessions"):
            pointers = self._query_prefix(f"SESSIONS#{username}", "SESSION#")
        for pointer in pointers:
            id_hash = _str(pointer, "SK").removeprefix("SESSION#")
            if self._update(id_hash, "SET revoked = :yes", {":yes": {"BOOL": True}}, {}) is None:
                with translated("revoke_user_sessions"):  # the session is gone: so goes this
                    self.client.delete_item(TableName=self.table, Key=_pointer(username, id_hash))

    def _update(
        self,
        id_hash: str,
        expression: str,
        values: dict[str, AttributeValueTypeDef],
        names: dict[str, str],
    ) -> str | None:
        """Update the session if it is still there (an update must not create a stub item).

        Returns the session's username, or None if it was gone.
        """
        with translated("update_session"):
            try:
                response = self.client.update_item(
                    TableName=self.table,
                    Key=_key(id_hash),
                    UpdateExpression=expression,
                    ConditionExpression="attribute_exists(#pk)",
                    ExpressionAttributeValues=values,
                    ExpressionAttributeNames={**names, "#pk": "PK"},
                    ReturnValues="ALL_NEW",
                )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                return None
        return _str(response["Attributes"], "username")
