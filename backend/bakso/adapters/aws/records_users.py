"""Officers' accounts and login throttling in DynamoDB."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from ...domain.model import LoginAttempts, User
from .dynamo import TTL_ATTRIBUTE
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import s as _s
from .errors import error_code, translated
from .records_items import DynamoTable, _user

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    Item = Mapping[str, AttributeValueTypeDef]


class UserRecords(DynamoTable):
    # Officers and login throttling ------------------------------------------
    def get_user(self, username: str) -> User | None:
        with translated("get_user"):
            item = self._get({"PK": _s("USERS"), "SK": _s(f"USER#{username}")})
        return _user(item) if item else None

    def save_user(self, user: User) -> None:
        item: dict[str, AttributeValueTypeDef] = {
            "PK": _s("USERS"),
            "SK": _s(f"USER#{user.username}"),
            "username": _s(user.username),
            "role": _s(user.role.value),
            "password_hash": _s(user.password_hash),
            "active": {"BOOL": user.active},
            "session_epoch": _n(user.session_epoch),
            "created_at": _s(user.created_at),
        }
        if user.desa is not None:
            item["user_desa"] = _s(user.desa)  # not "desa": that key would index the officer
        # Prefixed like user_desa, so no index of the table ever picks an account up (#16).
        if user.kabupaten is not None:
            item["user_kabupaten"] = _s(user.kabupaten)
        if user.provinsi is not None:
            item["user_provinsi"] = _s(user.provinsi)
        with translated("save_user"):
            self.client.put_item(TableName=self.table, Item=item)

    def list_users(self) -> list[User]:
        with translated("list_users"):
            items = self._query_prefix("USERS", "USER#")
        return [_user(item) for item in items]

    # One conditional write per change, so no two writers can both count from the same
    # value (the #13 race); DynamoDB's TTL deletes a record some time after expires_at.
    def get_login_attempts(self, key: str, now: float) -> LoginAttempts | None:
        with translated("get_login_attempts"):
            item = self._get(_login_key(key))
        if item is None or float(item[TTL_ATTRIBUTE]["N"]) <= now:
            return None  # the TTL deletes lazily (up to days late): expired is gone
        return LoginAttempts(
            key=key,
            failures=_int(item, "failures"),
            locked_until=float(item["locked_until"]["N"]),
            expires_at=float(item[TTL_ATTRIBUTE]["N"]),
        )

    def swap_login_attempts(
        self, attempts: LoginAttempts, expected: LoginAttempts | None, now: float
    ) -> bool:
        values: dict[str, AttributeValueTypeDef] = {
            ":locked": _n(float(attempts.locked_until)),
            ":expires": _n(math.ceil(attempts.expires_at)),
            ":now": _n(float(now)),
        }
        with translated("swap_login_attempts"):
            try:
                if expected is None:
                    self.client.put_item(
                        TableName=self.table,
                        Item={
                            **_login_key(attempts.key),
                            "failures": _n(attempts.failures),
                            "locked_until": values[":locked"],
                            TTL_ATTRIBUTE: values[":expires"],
                        },
                        ConditionExpression="attribute_not_exists(PK) OR #ttl <= :now",
                        ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                        ExpressionAttributeValues={":now": values[":now"]},
                    )
                else:
                    self.client.update_item(
                        TableName=self.table,
                        Key=_login_key(attempts.key),
                        UpdateExpression=(
                            "ADD failures :delta SET locked_until = :locked, #ttl = :expires"
                        ),
                        ConditionExpression=(
                            "failures = :failures AND locked_until = :was_locked AND #ttl > :now"
                        ),
                        ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
                        ExpressionAttributeValues={
                            **values,
                            ":delta": _n(attempts.failures - expected.failures),
                            ":failures": _n(expected.failures),
                            ":was_locked": _n(float(expected.locked_until)),
                        },
                    )
            except ClientError as error:
                if error_code(error) == "ConditionalCheckFailedException":
                    return False
                raise
        return True

    def delete_login_attempts(self, key: str) -> None:
        with translated("delete_login_attempts"):
            self.client.delete_item(TableName=self.table, Key=_login_key(key))


def _login_key(key: str) -> dict[str, AttributeValueTypeDef]:
    # The key is a hash (services.throttle), so the partitions spread with the keys.
    return {"PK": _s(f"LOGIN#{key}"), "SK": _s("LOGIN")}
