"""The notifications already sent, in SQLite: one row per key (ports/notification_log.py)."""

from __future__ import annotations

from .records_rows import SqliteTable
from .records_users import SWEEP_ROWS


class NotificationLogRecords(SqliteTable):
    def notification_sent(self, key: str, now: float) -> bool:
        row = self._read_one(
            "SELECT 1 FROM notifications_sent WHERE key = ? AND expires_at > ?", key, now
        )
        return row is not None

    def mark_notification_sent(self, key: str, at: float, expires_at: float) -> None:
        db = self._db.connection()
        db.execute(
            "INSERT INTO notifications_sent (key, sent_at, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)",
            (key, at, expires_at),
        )
        # A few expired rows go with each write, so the table stays bounded (as DynamoDB's TTL).
        db.execute(
            "DELETE FROM notifications_sent WHERE key IN (SELECT key FROM notifications_sent"
            " WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
            (at, SWEEP_ROWS),
        )
