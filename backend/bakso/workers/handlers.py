"""What each queued message means. Handlers must tolerate redelivery."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from .. import messages
from ..bootstrap import Services
from ..domain import localtime
from ..domain.regions import kabupaten_of
from ..messages import (
    BatchAccept,
    BatchBuildStep,
    NotifyResident,
    RequestSubmitted,
    ReturnChunk,
    ReturnPrepare,
    SasaranImportChunk,
    SasaranImportParse,
    SasaranRequestChange,
    ServiceTimeCount,
)
from ..ports import Message

log = logging.getLogger(__name__)


def _verify_submission(services: Services, message: RequestSubmitted) -> None:
    services.requests.verify_submission(message.request_id, message.submission)


def _build_step(services: Services, message: BatchBuildStep) -> None:
    services.batches.build_step(message.batch_id, message.step)


def _accept_chunk(services: Services, message: BatchAccept) -> None:
    services.batches.accept_chunk(message.batch_id, message.volume, message.after, message.by)


def _prepare_return(services: Services, message: ReturnPrepare) -> None:
    services.returns.prepare(message.return_id)


def _apply_return_chunk(services: Services, message: ReturnChunk) -> None:
    services.returns.apply_chunk(message.return_id, message.chunk)


def _parse_import(services: Services, message: SasaranImportParse) -> None:
    services.sasaran.parse_import(message.import_id)


def _apply_import_chunk(services: Services, message: SasaranImportChunk) -> None:
    services.sasaran.apply_chunk(message.import_id, message.chunk)


def _apply_request_change(services: Services, message: SasaranRequestChange) -> None:
    services.sasaran.apply_request_change(message.change)


def _notify_resident(services: Services, message: NotifyResident) -> None:
    services.notifications.deliver(message)


def _count_service_time(services: Services, message: ServiceTimeCount) -> None:
    if services.service_times is not None:
        services.service_times.count_later(message)


# The one table of what each message means: every class of messages.MESSAGE_CLASSES.
HANDLERS: dict[type[messages.Message], Callable[[Services, Any], None]] = {
    RequestSubmitted: _verify_submission,
    BatchBuildStep: _build_step,
    BatchAccept: _accept_chunk,
    ReturnPrepare: _prepare_return,
    ReturnChunk: _apply_return_chunk,
    SasaranImportParse: _parse_import,
    SasaranImportChunk: _apply_import_chunk,
    SasaranRequestChange: _apply_request_change,
    NotifyResident: _notify_resident,
    ServiceTimeCount: _count_service_time,
}


def handle(services: Services, body: dict[str, Any]) -> None:
    """Decode a queued body and run its handler; UnknownMessage if it is no message."""
    message = messages.decode(body)
    # Exports, berkas.pdf and weekly counters tell times in their kabupaten's clock (#16).
    with localtime.in_zone(_zone_of(services, message)):
        HANDLERS[type(message)](services, message)


def _zone_of(services: Services, message: messages.Message) -> str:
    """The time zone of the kabupaten the message's request, batch, return or import
    belongs to; the default kabupaten's when it is gone (the handler then says so)."""
    tenants = services.tenants
    kabupaten: str | None = None
    if isinstance(message, (RequestSubmitted, NotifyResident)):
        request = services.records.get_request(message.request_id)
        kabupaten = kabupaten_of(request.desa) if request else None
    elif isinstance(message, SasaranRequestChange):
        kabupaten = kabupaten_of(message.change.desa)
    elif isinstance(message, (BatchBuildStep, BatchAccept)):
        batch = services.records.get_batch(message.batch_id)
        kabupaten = batch.kabupaten if batch else None
    elif isinstance(message, (ReturnPrepare, ReturnChunk)):
        run = services.records.get_return(message.return_id)
        kabupaten = run.kabupaten if run else None
    elif isinstance(message, (SasaranImportParse, SasaranImportChunk)):
        imported = services.sasaran.store.get_import(message.import_id)
        kabupaten = imported.kabupaten if imported else None
    return (tenants.get(kabupaten) or tenants.default).timezone


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
                    self.services.retention_files.purge()
                    next_cleanup = time.monotonic() + self.cleanup_every
            except Exception:
                log.exception("worker loop error")
                busy = 0
            if not busy:
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()
