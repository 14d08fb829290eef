"""Telling the resident who consented at the loket what happened to the request (#18).

docs/notifications.md is the design. In short: a move to PERLU_PERBAIKAN, DITOLAK or
SELESAI of a request whose applicant has `notify: true` queues one `NotifyResident`
(this service observes the request and batch services; submit queues DIAJUKAN's
itself, with the sealed PIN). The worker's `deliver` reads the request again, decides
whether the message still tells the truth, builds the text (domain/notifications.py)
and sends it through the configured Notifier, once per key `"<request id>:<version>"`:
the records' sent-log (ports/notification_log.py) remembers the keys sent, so a
redelivered message sends nothing, while a second PERLU_PERBAIKAN round (a new version)
sends again. A transient provider failure is raised, so the queue delivers the message
again (and dead-letters it after QUEUE_MAX_RECEIVES); a permanent one is logged and the
message dropped. Nothing here ever fails a transition, and no log line carries the
number, the text or a name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.catalog import Catalog
from ..domain.lifecycle import Status
from ..domain.model import Request
from ..domain.notifications import MessageFacts, resident_text
from ..domain.phone import mobile_e164
from ..domain.regions import kabupaten_of
from ..domain.tenants import Tenants
from ..messages import NotifyResident
from ..ports import NotificationLog, Notifier, Queue, RequestStore, SendFailed, SentMessage
from .resident_pin import unseal
from .sasaran import RequestObserver

log = logging.getLogger(__name__)

# The moves this observer queues; DIAJUKAN's is queued by submit (it carries the PIN).
OBSERVED = frozenset({Status.PERLU_PERBAIKAN, Status.DITOLAK, Status.SELESAI})
# Where a DIAJUKAN message is still true after the request moved on: its code, link and
# PIN hold until the request ends without a document.
_DIAJUKAN_STILL_TRUE = frozenset(
    {
        Status.DIAJUKAN,
        Status.DITERIMA,
        Status.DIPROSES,
        Status.PERLU_PERBAIKAN,
        Status.SELESAI,
        Status.DISERAHKAN,
    }
)


class NotificationRecords(RequestStore, NotificationLog, Protocol):
    """The records ports NotificationService uses (one Records adapter serves them all)."""


@dataclass(frozen=True)
class NotificationSettings:
    public_base_url: str  # base of the resident's status link (PUBLIC_BASE_URL)
    secret: str  # SECRET_KEY: unseals DIAJUKAN's PIN (services/resident_pin.py)
    keep_days: int = 30  # how long the sent-log remembers a key


def notification_key(request_id: str, version: int) -> str:
    return f"{request_id}:{version}"


def consented(request: Request) -> bool:
    """The applicant said yes at the loket and the number is still there (not erased)."""
    applicant = request.applicant or {}
    return applicant.get("notify") is True and mobile_e164(applicant.get("phone")) is not None


class NotificationService(RequestObserver):
    def __init__(
        self,
        records: NotificationRecords,
        queue: Queue,
        notifier: Notifier | None,
        catalog: Catalog,
        tenants: Tenants,
        settings: NotificationSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.records = records
        self.queue = queue
        self.notifier = notifier  # None: NOTIFIER=none, nothing is ever sent
        self.catalog = catalog
        self.tenants = tenants
        self.settings = settings
        self.clock = clock

    @property
    def channel(self) -> str | None:
        """The configured notifier's channel ("local", "sms", "whatsapp"); None: none."""
        return self.notifier.channel if self.notifier else None

    # The observer ----------------------------------------------------------------------
    def on_request_change(self, before: Request | None, after: Request, at: str) -> None:
        if before is None or before.status is after.status or after.status not in OBSERVED:
            return
        if self.notifier is None or not consented(after):
            return
        try:
            self.queue.send(NotifyResident(after.id, after.version, after.status.value).to_body())
        except Exception as exc:
            # The move is stored and stands; the resident is not told of this one. Ids
            # only: the exception's text is the queue's, but never trusted.
            log.error(
                "notification %s (%s) not queued: %s",
                notification_key(after.id, after.version),
                after.status.value,
                type(exc).__name__,
            )

    # The worker's handler --------------------------------------------------------------
    def deliver(self, message: NotifyResident) -> None:
        """Send the message once, if it is still true; raises SendFailed (transient) for
        the queue to try again."""
        key = notification_key(message.request_id, message.version)
        if self.notifier is None:
            return
        request = self.records.get_request(message.request_id)
        skip = self._skip_reason(request, message)
        if skip is not None:
            log.info("notification %s (%s) not sent: %s", key, message.status, skip)
            return
        assert request is not None
        now = self.clock().timestamp()
        if self.records.notification_sent(key, now):
            log.info("notification %s already sent", key)
            return
        to = mobile_e164(request.applicant.get("phone"))
        assert to is not None  # consented() checked it
        text = resident_text(self._facts(request, message))
        try:
            self.notifier.send(to=to, text=text, key=key, request_id=request.id)
        except SendFailed as exc:
            if exc.transient:
                log.warning("notification %s: transient failure, tried again later", key)
                # Not chained: a provider's words might quote the number or the text.
                raise SendFailed(f"notification {key} not sent yet", transient=True) from None
            log.warning("notification %s refused by the channel (permanent): dropped", key)
            return
        self.records.mark_notification_sent(key, now, now + self.settings.keep_days * 86400)
        log.info("notification %s (%s) sent", key, message.status)

    def _skip_reason(self, request: Request | None, message: NotifyResident) -> str | None:
        """Why the message must not be sent (any more), or None.

        The message tells of the move that made `message.version`. Later versions at the
        same status (the worker's verification, an attached PDF) leave it true; a move on
        makes it wrong (a PERLU_PERBAIKAN already resubmitted, a SELESAI already handed
        over), except DIAJUKAN's, whose code, link and PIN hold while the request goes on.
        """
        if request is None:
            return "request gone"
        if request.purged_at or not consented(request):
            return "no consent (withdrawn or erased)"
        if request.version < message.version:
            return "request older than the message"
        status = request.status.value
        if status == message.status:
            return None
        if message.status == Status.DIAJUKAN.value and request.status in _DIAJUKAN_STILL_TRUE:
            return None
        return f"request moved on to {status}"

    def _facts(self, request: Request, message: NotifyResident) -> MessageFacts:
        kabupaten_code = kabupaten_of(request.desa)
        service = self.catalog.catalog_for(kabupaten_code).get(request.service)
        kabupaten = self.tenants.get(kabupaten_code) or self.tenants.default
        pin = None
        card = service is not None and service.document == "card"
        if message.pin_sealed and message.status == Status.DIAJUKAN.value and not card:
            pin = unseal(self.settings.secret, request.id, message.version, message.pin_sealed)
        names = [request.applicant.get("name"), (request.subject or {}).get("name")]
        return MessageFacts(
            status=message.status,
            code=request.code,
            service=request.service,
            service_label=service.label if service else request.service,
            link=status_link(self.settings.public_base_url, request.token),
            pin=pin,
            reason=self._reason(request, message.status),
            printable=not card,
            downloadable=bool(request.issued and request.pin_hash and not request.purged_at),
            office=f"Dukcapil {kabupaten.short_name}",
            names=tuple(n for n in names if isinstance(n, str)),
        )

    def _reason(self, request: Request, status: str) -> str:
        """The note of the latest move to `status` (PERLU_PERBAIKAN's, DITOLAK's reason)."""
        if status not in (Status.PERLU_PERBAIKAN.value, Status.DITOLAK.value):
            return ""
        moves = [e for e in self.records.timeline(request.id) if e.to_status.value == status]
        return moves[-1].note if moves else ""

    # The developer's list and retention -----------------------------------------------
    def sent(self, limit: int = 100) -> list[SentMessage]:
        """The messages the notifier keeps itself, newest first (the local one's)."""
        return self.notifier.sent(limit=limit) if self.notifier else []

    def forget(self, request_id: str) -> None:
        """Erase every copy of a request's messages the notifier keeps (retention)."""
        if self.notifier is not None:
            self.notifier.forget(request_id)

    def compact(self) -> None:
        """After retention erased anything: nothing erased left in the files of the
        messages sent (the notifier's) and queued (the queue's, the sealed PIN)."""
        self.queue.compact()
        if self.notifier is not None:
            self.notifier.compact()


def status_link(base: str, token: str | None) -> str:
    """The resident's status page, as public.status_url makes it (the lookup without one)."""
    return f"{base.rstrip('/')}/cek/{token}" if token else f"{base.rstrip('/')}/cek"
