"""The resident downloads the issued document from the status page with the PIN (#18,
docs/resident-download.md).

Each try is counted before the PIN is checked (services/throttle.py, on the records store:
the count survives restarts and is shared by every process), on a key over the request id,
so 5 wrong PINs lock that request's download for an hour whoever tries them. A right PIN
clears the count, writes a timeline entry "diunduh warga" (its audit entry is the event's,
on the request's kabupaten chain, like the officers' issued downloads), sets
`downloaded_at` once (the document then counts as collected, domain/retention.py) and
answers a short-lived signed URL of the PDF, inline.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from ..domain import localtime
from ..domain.catalog import Catalog
from ..domain.errors import Conflict, InvalidInput, NotFound, TooManyAttempts
from ..domain.lifecycle import Status
from ..domain.model import Event, Request
from ..domain.regions import kabupaten_of
from ..domain.resident import indonesian_date
from ..domain.resident_download import (
    DOWNLOAD_ACTION,
    OFFER_FORM,
    RESIDENT_ACTOR,
    messages_sent,
    notice,
    offer,
)
from ..domain.tenants import Tenants
from ..ports import Blobs, LoginAttemptStore, RequestStore
from .resident_pin import pin_matches
from .status import NOT_FOUND, TOKEN_SHAPE
from .throttle import Throttle, ThrottlePolicy

log = logging.getLogger(__name__)

WRONG_PIN = "PIN salah."
PIN_SHAPE = "PIN harus 6 angka."
# The PIN's shape (services/resident_pin.new_pin): a typo of another shape costs no try.
_PIN = re.compile(r"[0-9]{6}")
LOCKED = "Terlalu banyak PIN salah: unduhan permohonan ini dikunci."
GONE = "Dokumen tidak dapat diunduh dari halaman ini."
SAVE_TRIES = 3
# 5 wrong PINs lock the request's download for an hour; the count is kept a day.
DOWNLOAD_THROTTLE = ThrottlePolicy(5, 3600, 3600, 24 * 3600)


class PinShape(InvalidInput):
    """Not 6 digits: told so without counting a try (it says nothing about the PIN)."""

    def __init__(self) -> None:
        super().__init__(PIN_SHAPE)


class WrongPin(InvalidInput):
    def __init__(self, tries_left: int, locked_until: str | None) -> None:
        super().__init__(WRONG_PIN, tries_left=tries_left, locked_until=locked_until)
        self.tries_left = tries_left
        self.locked_until = locked_until


@dataclass(frozen=True)
class DownloadPage:
    """What the status page says beside the status: the download and the messages."""

    offer: str  # domain/resident_download OFFER_*
    notice: str  # which messages the resident will receive
    locked_until: str | None  # for people, in the kabupaten's zone; None: not locked
    pin_sent: bool = False  # the DIAJUKAN message may have carried the PIN to the resident


class ResidentDownloads:
    def __init__(
        self,
        records: RequestStore,
        blobs: Blobs,
        catalog: Catalog,
        throttle: Throttle,
        *,
        secret: str,
        url_ttl: int,
        notifier: str,
        clock: Callable[[], datetime],
        tenants: Tenants,
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.catalog = catalog
        self.throttle = throttle  # its policy: 5 tries, an hour's lock
        self.secret = secret
        self.url_ttl = url_ttl
        self.notifier = notifier  # the NOTIFIER setting: which channel, or "none"
        self.clock = clock
        self.tenants = tenants

    def notice(self, request: Request) -> str:
        return notice(request.applicant, self.notifier)

    def page(self, token: str) -> DownloadPage:
        request = self._by_token(token)
        shown = self._offer(request)
        locked = self._locked_until(request) if shown == OFFER_FORM else None
        sent = messages_sent(request.applicant, self.notifier)
        return DownloadPage(shown, self.notice(request), locked, sent)

    def download(self, token: str, pin: str) -> str:
        """The signed URL of the issued PDF for the right PIN.

        WrongPin (tries left), TooManyAttempts (locked, `locked_until` in its extra),
        Conflict when the page offers no download, NotFound for an unknown token.
        """
        request = self._by_token(token)
        if self._offer(request) != OFFER_FORM:
            raise Conflict(GONE)
        pin = pin.strip()
        if not _PIN.fullmatch(pin):
            raise PinShape()
        key = self._key(request)
        try:
            self.throttle.reserve(key, LOCKED)
        except TooManyAttempts as exc:
            raise TooManyAttempts(exc.detail, locked_until=self._locked_until(request)) from None
        if not pin_matches(self.secret, request.id, pin, request.pin_hash):
            log.info("request %s: wrong download PIN", request.id)
            raise WrongPin(self._tries_left(key), self._locked_until(request))
        self.throttle.clear(key)
        request = self._record(request)
        issued = request.issued or {}
        return self.blobs.download_url(
            str(issued["key"]),
            expires_in=self.url_ttl,
            filename=f"{request.code}-dokumen.pdf",
            inline=True,
        )

    def _record(self, request: Request) -> Request:
        """The timeline entry (and its audit entry) and the first download's time."""
        for _ in range(SAVE_TRIES):
            now = self.clock().isoformat(timespec="milliseconds")
            # No new version: nothing the desa typed or moved changed (like other notes).
            noted = replace(request, downloaded_at=request.downloaded_at or now, updated_at=now)
            event = Event(
                request.id, now, RESIDENT_ACTOR, Status.SELESAI, Status.SELESAI, "", DOWNLOAD_ACTION
            )
            try:
                self.records.save_request(noted, request.version, event)
                log.info("request %s: issued document downloaded by the resident", request.id)
                return noted
            except Conflict:
                current = self.records.get_request(request.id)
                if current is None or self._offer(current) != OFFER_FORM:
                    raise Conflict(GONE) from None
                request = current
        raise Conflict(GONE)

    def _by_token(self, token: str) -> Request:
        request = self.records.get_request_by_token(token) if TOKEN_SHAPE.match(token) else None
        if request is None or request.token is None:
            raise NotFound(NOT_FOUND)
        return request

    def _offer(self, request: Request) -> str:
        service = self.catalog.catalog_for(kabupaten_of(request.desa)).get(request.service)
        return offer(request, service.document if service else "printable")

    def _key(self, request: Request) -> str:
        return self.throttle.key("unduh", request.id)

    def _tries_left(self, key: str) -> int:
        now = self.clock().timestamp()
        current = self.throttle.records.get_login_attempts(key, now)
        failures = current.failures if current else 0
        return max(0, self.throttle.policy.max_failures - failures)

    def _locked_until(self, request: Request) -> str | None:
        now = self.clock().timestamp()
        current = self.throttle.records.get_login_attempts(self._key(request), now)
        if current is None or current.locked_until <= now:
            return None
        until = datetime.fromtimestamp(current.locked_until, tz=self.clock().tzinfo)
        zone = self.tenants.of_desa(request.desa).timezone
        with localtime.in_zone(zone) if zone else nullcontext():
            return indonesian_date(until.isoformat())


class DownloadRecords(RequestStore, LoginAttemptStore, Protocol):
    """The records ports the download uses (one Records adapter serves them all)."""


def build_downloads(
    config: Mapping[str, Any],
    records: DownloadRecords,
    blobs: Blobs,
    catalog: Catalog,
    tenants: Tenants,
    clock: Callable[[], datetime],
) -> ResidentDownloads:
    secret = str(config["SECRET_KEY"])
    return ResidentDownloads(
        records,
        blobs,
        catalog,
        Throttle(records, DOWNLOAD_THROTTLE, clock, secret),
        secret=secret,
        url_ttl=int(config["DOWNLOAD_URL_TTL"]),
        notifier=str(config["NOTIFIER"]),
        clock=clock,
        tenants=tenants,
    )
