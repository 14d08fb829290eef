"""The work queue's dead letters for `bakso queue dead|redrive`: messages that kept failing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..ports import Queue


@dataclass(frozen=True)
class DeadLetter:
    """What an operator is shown of a dead message: never its body (it may name a request)."""

    id: str
    type: str | None
    attempts: int


class DeadLetterService:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def list(self) -> list[DeadLetter]:
        return [DeadLetter(m.id, _type_of(m.body), m.attempts) for m in self.queue.dead_letters()]

    def redrive(self, message_ids: Iterable[str]) -> int:
        """Put these dead letters back on the queue; returns how many were moved."""
        return sum(1 for message_id in message_ids if self.queue.redrive(message_id))


def _type_of(body: object) -> str | None:
    kind = body.get("type") if isinstance(body, dict) else getattr(body, "type", None)
    return kind if isinstance(kind, str) else None
