"""What each queued message means. Handlers must tolerate redelivery."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from ..bootstrap import Services
from ..ports import Message
from ..services.batches import MSG_ACCEPT, MSG_BUILD
from ..services.requests import MSG_SUBMITTED
from ..services.returns import MESSAGES as RETURN_MESSAGES
from ..services.sasaran import MESSAGES as SASARAN_MESSAGES

log = logging.getLogger(__name__)


class UnknownMessage(Exception):
    pass


def handle(services: Services, body: dict[str, Any]) -> None:
    kind = body.get("type")
    if kind == MSG_SUBMITTED:
        services.requests.verify_submission(str(body["request_id"]), int(body["submission"]))
    elif kind == MSG_BUILD:
        services.batches.build_step(str(body["batch_id"]), int(body.get("step", 0)))
    elif kind == MSG_ACCEPT:
        after = body.get("after")
        services.batches.accept_chunk(
            str(body["batch_id"]),
            int(body["volume"]),
            str(after) if after is not None else None,
            str(body.get("by") or "sistem"),
        )
    elif kind in SASARAN_MESSAGES:
        services.sasaran.handle(body)
    elif kind in RETURN_MESSAGES:
        services.returns.handle(body)
    else:
        raise UnknownMessage(f"unknown message type {kind!r}")


def drain_once(services: Services, *, visibility_timeout: int = 120) -> int:
    """Handle what is visible now; return how many messages were handled successfully.

    A message whose handler raises is left unacked: the queue delivers it
    again after its visibility timeout and dead-letters it after the maximum.
    """
    handled = 0
    for message in services.queue.receive(visibility_timeout=visibility_timeout):
        if _handle_one(services, message):
            services.queue.ack(message)
            handled += 1
    return handled


def drain_until_idle(
    services: Services, *, visibility_timeout: int = 120, max_rounds: int = 10_000
) -> int:
    """Handle messages, and those they queue, until none is visible; return how many.

    A batch build is a chain of messages, each queuing the next: this runs it
    through (tests, `bakso worker --once`). A message that fails stays invisible
    until its timeout, so the loop ends.
    """
    total = 0
    for _ in range(max_rounds):
        handled = drain_once(services, visibility_timeout=visibility_timeout)
        if not handled:
            break
        total += handled
    return total


def _handle_one(services: Services, message: Message) -> bool:
    try:
        handle(services, message.body)
    except Exception:
        # Only ids reach the log: message bodies never carry personal data, but
        # exceptions from deeper layers might.
        log.exception("message %s failed (attempt %d)", message.id, message.attempts)
        return False
    return True


class LocalWorker(threading.Thread):
    """The in-process worker of the local default: polls the SQLite queue."""

    def __init__(
        self,
        services: Services,
        *,
        poll_seconds: float = 1.0,
        visibility_timeout: int = 120,
        cleanup_every: float = 6 * 3600,
    ):
        super().__init__(name="bakso-worker", daemon=True)
        self.services = services
        self.poll_seconds = poll_seconds
        self.visibility_timeout = visibility_timeout
        self.cleanup_every = cleanup_every
        self.stopping = threading.Event()

    def run(self) -> None:
        next_cleanup = time.monotonic()  # once at start, then periodically
        while not self.stopping.is_set():
            try:
                busy = drain_once(self.services, visibility_timeout=self.visibility_timeout)
                if time.monotonic() >= next_cleanup:
                    self.services.retention.purge()
                    next_cleanup = time.monotonic() + self.cleanup_every
            except Exception:
                log.exception("worker loop error")
                busy = 0
            if not busy:
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()
