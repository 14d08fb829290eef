"""The resident's download PIN on the desa's side (docs/resident-download.md): the PIN the
device made at "Kirim", the DIAJUKAN message that carries it sealed, and a new PIN."""

from __future__ import annotations

import logging
from dataclasses import replace

from ..domain.errors import Conflict, NotFound
from ..domain.lifecycle import Role, Status
from ..domain.model import Actor, Request
from ..domain.regions import kabupaten_of
from ..messages import NotifyResident
from .request_base import RequestBase
from .resident_pin import new_pin, pin_hash, pin_matches, seal

log = logging.getLogger("bakso.services.requests")

NO_NEW_PIN = "PIN baru hanya dapat dibuat untuk permohonan yang sudah diajukan dan masih berjalan."
NO_PIN_FOR_CARD = "KTP-el/KIA berupa kartu: tidak diunduh, tidak perlu PIN."
PIN_ACTION = "request.pin_new"


class RequestPin(RequestBase):
    def _is_card(self, request: Request) -> bool:
        """KTP-el, KIA: collected at Dukcapil/UPT, never downloaded, so no PIN."""
        service = self.catalog.catalog_for(kabupaten_of(request.desa)).get(request.service)
        return service is not None and service.document == "card"

    def _download_pin(self, request: Request, pin: str | None) -> str | None:
        """The submitted PIN, or None for a card: the body is accepted (a device never gets
        stuck on it) but nothing is stored or sent."""
        return None if pin is None or self._is_card(request) else pin

    def _pin_hash_for(self, request: Request, pin: str | None) -> str | None:
        """The stored hash after a submission bringing `pin`: the first PIN stays."""
        if request.pin_hash is not None or pin is None:
            return request.pin_hash
        return pin_hash(self.settings.search_secret, request.id, pin)

    def _tell_submitted(self, submitted: Request, pin: str | None) -> None:
        """Queue the resident's DIAJUKAN message (with consent): never fails the submit."""
        if submitted.applicant.get("notify") is not True:
            return
        secret = self.settings.search_secret
        # Only the PIN that works: a resubmission's device may bring another one.
        sealed = (
            seal(secret, submitted.id, submitted.version, pin)
            if pin is not None and pin_matches(secret, submitted.id, pin, submitted.pin_hash)
            else None
        )
        try:
            self.queue.send(
                NotifyResident(submitted.id, submitted.version, "DIAJUKAN", sealed).to_body()
            )
        except Exception:  # the submit stands; the message is lost (logged, no personal data)
            log.exception("request %s: DIAJUKAN message not queued", submitted.id)

    def new_pin(self, actor: Actor, request_id: str) -> str:
        """A new PIN for a resident who lost theirs (the old one stops working).

        Only the request's desa: anyone else is told the request does not exist. Saved
        like the other server-side notes (conditional on the version read, no new version
        for the devices); audited without the PIN; not on the timeline (nothing moved).
        """
        request = self.get(actor, request_id)
        if actor.role is not Role.OPERATOR or actor.desa != request.desa:
            raise NotFound("Permohonan tidak ditemukan.")
        if self._is_card(request):
            raise Conflict(NO_PIN_FOR_CARD)
        if (
            request.token is None
            or request.submission == 0
            or request.purged_at is not None
            or request.status in (Status.DIBATALKAN, Status.DITOLAK)
        ):
            raise Conflict(NO_NEW_PIN)
        pin = new_pin()
        now = self._now()
        secret = self.settings.search_secret
        changed = replace(request, pin_hash=pin_hash(secret, request.id, pin), updated_at=now)
        self._save(changed, request, None)
        self.records.append_audit(
            chain=kabupaten_of(request.desa),
            at=now,
            actor=actor.username,
            action=PIN_ACTION,
            target=request.id,
            data={},
        )
        log.info("request %s: new download PIN", request.id)
        return pin
