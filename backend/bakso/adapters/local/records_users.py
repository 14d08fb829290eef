"""Officers' accounts and login throttling in SQLite."""

from __future__ import annotations

from ...domain.model import LoginAttempts, User
from .records_rows import _USER_COLUMNS, SqliteTable, _user

# Expired rows deleted by each write of a new key (or session): more than one, so the
# sweep outpaces the creation of rows and the table stays bounded by what is live.
SWEEP_ROWS = 20


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
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user.username,
                user.role.value,
                user.desa,
                user.password_hash,
                int(user.active),
                user.session_epoch,
                user.created_at,
                user.kabupaten,
                user.provinsi,
            ),
        )

    def list_users(self) -> list[User]:
        rows = (
            self._db.connection()
            .execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")  # noqa: S608
            .fetchall()
        )
        return [_user(row) for row in rows]

    # Each throttle write is one statement, and SQLite runs one writer at a time, so
    # the condition and the write see the same row: no lost updates (the #13 race).
    def get_login_attempts(self, key: str, now: float) -> LoginAttempts | None:
        row = self._read_one(
            "SELECT key, failures, locked_until, expires_at FROM login_attempts"
            " WHERE key = ? AND expires_at > ?",
            key,
            now,
        )
        return LoginAttempts(*row) if row else None

    def swap_login_attempts(
        self, attempts: LoginAttempts, expected: LoginAttempts | None, now: float
    ) -> bool:
        db = self._db.connection()
        values = (attempts.failures, attempts.locked_until, attempts.expires_at)
        if expected is None:
            cursor = db.execute(
                "INSERT INTO login_attempts (key, failures, locked_until, expires_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                " failures = excluded.failures, locked_until = excluded.locked_until,"
                " expires_at = excluded.expires_at WHERE login_attempts.expires_at <= ?",
                (attempts.key, *values, now),
            )
            written = cursor.rowcount == 1
            if written:  # a new key: forget a few expired ones, so the table stays bounded
                db.execute(
                    "DELETE FROM login_attempts WHERE key IN (SELECT key FROM login_attempts"
                    " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
                    (now, SWEEP_ROWS),
                )
            return written
        cursor = db.execute(
            "UPDATE login_attempts SET failures = ?, locked_until = ?, expires_at = ?"
            " WHERE key = ? AND failures = ? AND locked_until = ? AND expires_at > ?",
            (*values, attempts.key, expected.failures, expected.locked_until, now),
        )
        return cursor.rowcount == 1

    def delete_login_attempts(self, key: str) -> None:
        self._db.connection().execute("DELETE FROM login_attempts WHERE key = ?", (key,))
