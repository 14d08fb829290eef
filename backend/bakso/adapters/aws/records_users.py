"""Officers' accounts and login throttling in DynamoDB."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...domain.model import LoginAttempts, User
from .dynamo import TTL_ATTRIBUTE
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import s as _s
from .errors import translated
from .records_items import LOGIN_RECORD_TTL, DynamoTable, _user

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
        with translated("save_user"):
            self.client.put_item(TableName=self.table, Item=item)

    def list_users(self) -> list[User]:
        with translated("list_users"):
            items = self._query_prefix("USERS", "USER#")
        return [_user(item) for item in items]

    def get_login_attempts(self, key: str) -> LoginAttempts | None:
        with translated("get_login_attempts"):
            item = self._get({"PK": _s(f"LOGIN#{key}"), "SK": _s("LOGIN")})
        if item is None:
            return None
        return LoginAttempts(
            key=key, failures=_int(item, "failures"), locked_until=float(item["locked_until"]["N"])
        )

    def save_login_attempts(self, attempts: LoginAttempts) -> None:
        expires = int(max(attempts.locked_until, time.time())) + LOGIN_RECORD_TTL
        with translated("save_login_attempts"):
            self.client.put_item(
                TableName=self.table,
                Item={
                    "PK": _s(f"LOGIN#{attempts.key}"),
                    "SK": _s("LOGIN"),
                    "failures": _n(attempts.failures),
                    "locked_until": _n(float(attempts.locked_until)),
                    TTL_ATTRIBUTE: _n(expires),
                },
            )
