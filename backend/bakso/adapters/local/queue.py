"""A work queue in its own SQLite file, with SQS's visibility timeout and dead letters.

Delivery is at least once, as on SQS: a message comes back when its handler
does not ack it in time, and handlers must tolerate that.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ...domain.errors import PayloadTooLarge
from ...domain.refusals import MESSAGE_TOO_LARGE
from ...ports import Message, Queue
from .sqlite import SqliteDatabase

# SQS's limit, kept here too so a message that works locally also fits there.
MAX_BODY_BYTES = 1 << 20

MIGRATIONS = [
    """
    CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ready', 'dead')),
        available_at REAL NOT NULL,
        attempts INTEGER NOT NULL,
        deliveries INTEGER NOT NULL,
        sent_at REAL NOT NULL
    );
    CREATE INDEX messages_ready ON messages (state, available_at);
    """,
]


def _receipt(message_id: str, deliveries: int) -> str:
    return f"{message_id}:{deliveries}"


class SqliteQueue(Queue):
    """`max_receives` plays SQS's maxReceiveCount: one more receive makes it a dead letter.

    Receipts carry a delivery number that never resets (not even on redrive),
    so an ack from a handler whose delivery was superseded is ignored.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_receives: int = 5,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)
        self._max_receives = max_receives
        self._now = now

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()

    def compact(self) -> None:
        self._db.checkpoint()

    def send(self, body: dict[str, Any]) -> None:
        encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(encoded.encode()) > MAX_BODY_BYTES:
            raise PayloadTooLarge(MESSAGE_TOO_LARGE)
        now = self._now()
        self._db.connection().execute(
            "INSERT INTO messages (id, body, state, available_at, attempts, deliveries, sent_at)"
            " VALUES (?, ?, 'ready', ?, 0, 0, ?)",
            (uuid.uuid4().hex, encoded, now, now),
        )

    def receive(self, *, max_messages: int = 10, visibility_timeout: int = 60) -> list[Message]:
        now = self._now()
        with self._db.transaction() as db:
            db.execute(
                "UPDATE messages SET state = 'dead'"
                " WHERE state = 'ready' AND available_at <= ? AND attempts >= ?",
                (now, self._max_receives),
            )
            rows = db.execute(
                "SELECT id, body, attempts, deliveries FROM messages"
                " WHERE state = 'ready' AND available_at <= ?"
                " ORDER BY available_at, sent_at LIMIT ?",
                (now, max_messages),
            ).fetchall()
            db.executemany(
                "UPDATE messages SET available_at = ?, attempts = attempts + 1,"
                " deliveries = deliveries + 1 WHERE id = ?",
                [(now + visibility_timeout, row[0]) for row in rows],
            )
        return [
            Message(
                id=message_id,
                body=json.loads(body),
                receipt=_receipt(message_id, deliveries + 1),
                attempts=attempts + 1,
            )
            for message_id, body, attempts, deliveries in rows
        ]

    def ack(self, message: Message) -> None:
        message_id, _, deliveries = message.receipt.rpartition(":")
        if not deliveries.isdigit():
            return
        self._db.connection().execute(
            "DELETE FROM messages WHERE id = ? AND deliveries = ?",
            (message_id, int(deliveries)),
        )

    def dead_letters(self) -> list[Message]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT id, body, attempts, deliveries FROM messages"
                " WHERE state = 'dead' ORDER BY sent_at, id"
            )
            .fetchall()
        )
        return [self._message(row) for row in rows]

    def redrive(self, message_id: str) -> bool:
        updated = (
            self._db.connection()
            .execute(
                "UPDATE messages SET state = 'ready', attempts = 0, available_at = ?"
                " WHERE id = ? AND state = 'dead'",
                (self._now(), message_id),
            )
            .rowcount
        )
        return updated == 1

    @staticmethod
    def _message(row: Sequence[Any]) -> Message:
        message_id, body, attempts, deliveries = row
        return Message(
            id=message_id,
            body=json.loads(body),
            receipt=_receipt(message_id, deliveries),
            attempts=attempts,
        )
