"""The notifier port: one short text to one phone number (docs/notifications.md).

Adapters: local (the messages kept in the data folder and listed for the developer),
Amazon SNS SMS, WhatsApp Business Cloud API. They only send and translate errors;
what to say, to whom and whether it was already said is the notification service's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


class SendFailed(Exception):
    """The provider did not take the message. `transient`: trying again later may work
    (a 5xx, a timeout, throttling); otherwise it never will (a number it refuses)."""

    def __init__(self, reason: str, *, transient: bool) -> None:
        super().__init__(reason)
        self.transient = transient


@dataclass(frozen=True)
class SentMessage:
    """A message as the local notifier keeps it (the developer's page, `bakso notify list`)."""

    key: str  # the event it tells of: "<request id>:<version>" (or a desa digest's key)
    request_id: str | None
    to: str  # E.164, "+62…"
    text: str
    at: str  # ISO-8601 UTC


class Notifier(ABC):
    channel: str  # "local", "sms" or "whatsapp": what the status page and receipt name

    @abstractmethod
    def send(self, *, to: str, text: str, key: str, request_id: str | None) -> None:
        """Send `text` to `to` (E.164). `key` names the event, for the provider's own
        de-duplication where it has one. Raises SendFailed."""

    @abstractmethod
    def sent(self, *, limit: int = 100) -> list[SentMessage]:
        """The newest messages this adapter keeps itself, newest first: the local one's
        store; the providers keep their own logs, so [] for SNS and WhatsApp."""

    @abstractmethod
    def forget(self, request_id: str) -> None:
        """Erase every copy of a request's messages this adapter keeps (retention)."""

    def compact(self) -> None:
        """Leave nothing just erased in the store's own files: local SQLite checkpoints
        its WAL with TRUNCATE (secure_delete zeroes only the main file). Called by
        retention after it erased anything; a no-op where a service keeps the data."""
        return None
