"""The local notifier: every message kept in its own SQLite file in the data folder.

Nothing leaves the machine: the developer reads the messages at the local page and in
`bakso notify list` (docs/notifications.md). The file holds phone numbers and texts,
so retention erases a request's rows (`forget`); secure_delete (adapters/local/sqlite.py)
zeroes them in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ...ports import Notifier, SentMessage
from .sqlite import SqliteDatabase

MIGRATIONS = [
    """
    CREATE TABLE sent (
        key TEXT PRIMARY KEY,
        request_id TEXT,
        recipient TEXT NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX sent_newest ON sent (at);
    CREATE INDEX sent_request ON sent (request_id);
    """,
]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LocalNotifier(Notifier):
    """`send` keeps the message once per key: the same event told twice (a redelivered
    queue message) stays one row, as a provider's own de-duplication would keep it one
    message."""

    channel = "local"

    def __init__(self, path: Path, *, now: Callable[[], datetime] = _utc_now) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)
        self._now = now

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()

    def compact(self) -> None:
        self._db.checkpoint()

    def send(self, *, to: str, text: str, key: str, request_id: str | None) -> None:
        at = self._now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._db.connection().execute(
            "INSERT OR IGNORE INTO sent (key, request_id, recipient, text, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, request_id, to, text, at),
        )

    def sent(self, *, limit: int = 100) -> list[SentMessage]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT key, request_id, recipient, text, at FROM sent"
                " ORDER BY at DESC, rowid DESC LIMIT ?",
                (max(limit, 0),),
            )
            .fetchall()
        )
        return [
            SentMessage(key, request_id, to, text, at) for key, request_id, to, text, at in rows
        ]

    def forget(self, request_id: str) -> None:
        self._db.connection().execute("DELETE FROM sent WHERE request_id = ?", (request_id,))
