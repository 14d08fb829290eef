"""Officers' accounts and login throttling in SQLite."""

from __future__ import annotations

from ...domain.model import LoginAttempts, User
from .records_rows import _USER_COLUMNS, SqliteTable, _user


class UserRecords(SqliteTable):
    # Officers and login throttling ------------------------------------------
    def get_user(self, username: str) -> User | None:
        row = self._read_one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?",  # noqa: S608
            username,
        )
        return _user(row) if row else None

    def save_user(self, user: User) -> None:
        self._db.connection().execute(
            f"INSERT OR REPLACE INTO users ({_USER_COLUMNS})"  # noqa: S608 - constant columns
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user.username,
                user.role.value,
                user.desa,
                user.password_hash,
                int(user.active),
                user.session_epoch,
                user.created_at,
            ),
        )

    def list_users(self) -> list[User]:
        rows = (
            self._db.connection()
            .execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")  # noqa: S608
            .fetchall()
        )
        return [_user(row) for row in rows]

    def get_login_attempts(self, key: str) -> LoginAttempts | None:
        row = self._read_one(
            "SELECT key, failures, locked_until FROM login_attempts WHERE key = ?", key
        )
        return LoginAttempts(key=row[0], failures=row[1], locked_until=row[2]) if row else None

    def save_login_attempts(self, attempts: LoginAttempts) -> None:
        self._db.connection().execute(
            "INSERT OR REPLACE INTO login_attempts (key, failures, locked_until) VALUES (?, ?, ?)",
            (attempts.key, attempts.failures, attempts.locked_until),
        )
