"""The notifications already sent (#18, docs/notifications.md): the worker's idempotency.

One record per notification key (`"<request id>:<version>"`), holding the key and the
time only, never the number or the text; it expires (DynamoDB's TTL, SQLite's sweep)
long after any redelivery of its queue message could arrive.
"""

from __future__ import annotations

from typing import Protocol


class NotificationLog(Protocol):
    """One GetItem / PutItem per call, keyed by the notification key (its own partition)."""

    def notification_sent(self, key: str, now: float) -> bool:
        """Whether `key` was marked sent and has not expired at `now` (epoch seconds)."""
        ...

    def mark_notification_sent(self, key: str, at: float, expires_at: float) -> None:
        """Record `key` as sent at `at` until `expires_at`; marking it again keeps it sent."""
        ...
