"""The work queue port: a SQLite queue locally, SQS on AWS."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    id: str
    body: dict[str, Any]
    receipt: str
    attempts: int


class Queue(ABC):
    @abstractmethod
    def send(self, body: dict[str, Any]) -> None: ...

    @abstractmethod
    def receive(self, *, max_messages: int = 10, visibility_timeout: int = 60) -> list[Message]:
        """Messages become invisible for `visibility_timeout` s; unacked ones come back."""

    @abstractmethod
    def ack(self, message: Message) -> None: ...

    @abstractmethod
    def dead_letters(self) -> list[Message]: ...

    def compact(self) -> None:
        """Leave nothing just erased in the store's own files: local SQLite checkpoints
        its WAL with TRUNCATE (secure_delete zeroes only the main file). Called by
        retention after it erased anything; a no-op where a service keeps the data."""
        return None

    @abstractmethod
    def redrive(self, message_id: str) -> bool: ...
