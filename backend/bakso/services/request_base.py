"""What every use case of RequestService shares: its ports, reading, saving, moving.

`RequestService` (services/requests.py) is this base with its use cases mixed
in: drafts and the lifecycle there, scans in request_scans.py, issued
documents in request_issued.py, the worker's verification in
request_verification.py.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from ..domain.catalog import Catalog, Service
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.filetypes import SNIFF_BYTES, sniff
from ..domain.forms import Forms
from ..domain.lifecycle import Role, Status, check_transition
from ..domain.model import Actor, Event, Request, Scan
from ..domain.regions import Regions, kabupaten_of
from ..domain.search import nik_key_of
from ..domain.tenants import Tenants
from ..ports import AuditLog, Blobs, Page, Queue, RequestStore, ScanStore
from . import newest_merge
from .sasaran import RequestObserver

log = logging.getLogger("bakso.services.requests")


@dataclass(frozen=True)
class RequestSettings:
    max_scan_bytes: int
    upload_url_ttl: int
    download_url_ttl: int
    page_size_max: int = 100
    # The key of the NIK search index (domain.search.nik_index_key); the app's secret key.
    search_secret: str = ""


class SasaranLinks(Protocol):
    def check_link(self, sasaran_id: str, desa: str) -> None:
        """Raise InvalidInput unless the worklist row exists in this desa."""


@dataclass(frozen=True)
class RequestDetail:
    request: Request
    scans: list[Scan]
    timeline: list[Event]
    satisfied: set[str]
    service: Service


class StaleRequest(Conflict):
    """A write based on an old version, or a change to a request that can no longer change.

    Carries the server's current request, described (scans, timeline, requirements)
    by the service that raised it, so the API's 409 can show it without a read.
    """

    def __init__(self, detail: str, current: RequestDetail) -> None:
        super().__init__(detail)
        self.current_detail = current

    @property
    def current(self) -> Request:
        return self.current_detail.request


class RequestRecords(RequestStore, ScanStore, AuditLog, Protocol):
    """The records ports RequestService uses (one Records adapter serves them all)."""


class RequestBase:
    def __init__(
        self,
        records: RequestRecords,
        blobs: Blobs,
        queue: Queue,
        catalog: Catalog,
        regions: Regions,
        settings: RequestSettings,
        clock: Callable[[], datetime],
        observers: Sequence[RequestObserver] = (),
        sasaran_links: SasaranLinks | None = None,
        *,
        tenants: Tenants,
        forms: Forms | None = None,
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.catalog = catalog
        self.regions = regions
        # The served kabupaten (#16): each request's code carries its kabupaten's prefix.
        self.tenants = tenants
        self.settings = settings
        self.clock = clock
        # Told of every stored change (coverage counters, sasaran rows served).
        self.observers = list(observers)
        self.sasaran_links = sasaran_links
        self.forms = forms  # the services' form definitions; None: no service has fields

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    # Reading ------------------------------------------------------------------
    def get(self, actor: Actor, request_id: str) -> Request:
        """The request, if this officer may see it; otherwise NotFound, revealing nothing."""
        request = self.records.get_request(request_id)
        if request is None or not actor.can_see_desa(request.desa):
            raise NotFound("Permohonan tidak ditemukan.")
        return request

    def lists_kabupaten(self, actor: Actor) -> str:
        """The kabupaten whose lists this actor reads (#16): an operator's desa's, an
        officer's own; the province role reads none."""
        if actor.role is Role.OPERATOR and actor.desa:
            return kabupaten_of(actor.desa)
        if actor.role is Role.PROVINSI:
            raise Forbidden("Peran provinsi hanya melihat cakupan.")
        return actor.kabupaten or self.tenants.default.code

    def read_list(
        self,
        kabupaten: str,
        *,
        desa: str | None,
        kecamatan: str | None,
        status: Status | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        """One page of the kabupaten's requests, newest first: of a desa (its index
        partition), of a kecamatan (its desa's partitions merged, services/newest_merge.py:
        never the kabupaten's list filtered), or the kabupaten's."""
        if desa is not None or kecamatan is None:
            return self.records.list_requests(
                kabupaten=kabupaten, desa=desa, status=status, cursor=cursor, limit=limit
            )
        places = (
            self.regions.desa_of_kecamatan(kecamatan)
            if kabupaten_of(kecamatan) == kabupaten
            else []
        )

        def reader(place: str) -> newest_merge.Reader[Request]:
            def read(at: str | None, size: int) -> tuple[list[Request], str | None]:
                page = self.records.list_requests(
                    kabupaten=kabupaten, desa=place, status=status, cursor=at, limit=size
                )
                return page.items, page.cursor

            return read

        items, following = newest_merge.merged_page([reader(p) for p in places], cursor, limit)
        return Page(items=items, cursor=following)

    def code_prefix(self, desa: str) -> str:
        """The prefix of a new request's code: its kabupaten's (#16). Codes stay unique
        across the deployment: each kabupaten has its own prefix (domain/tenants.py) and
        the store claims every code for one request."""
        return self.tenants.of_desa(desa).code_prefix

    def describe(self, request: Request) -> RequestDetail:
        scans = self.records.list_scans(request.id)
        service = self._service(request.service, request.desa)
        satisfied = {s.requirement for s in scans if s.state == "ok"}
        return RequestDetail(request, scans, self.records.timeline(request.id), satisfied, service)

    # Writing ------------------------------------------------------------------
    def _move(
        self, actor: Actor, request: Request, target: Status, note: str, **changes: Any
    ) -> Request:
        check_transition(request.status, target, actor.role, note)
        now = self._now()
        # A request written before the NIK index joins it at its next move.
        changes.setdefault("nik_key", nik_key_of(request.applicant, self.settings.search_secret))
        moved = replace(
            request,
            status=target,
            version=request.version + 1,
            updated_at=now,
            status_since=now,
            **changes,
        )
        self._save(
            moved, request, Event(request.id, now, actor.username, request.status, target, note)
        )
        log.info("request %s moved %s -> %s", request.id, request.status.value, target.value)
        return moved

    def _save(self, new: Request, old: Request, event: Event | None) -> None:
        try:
            self.records.save_request(new, old.version, event)
        except Conflict:
            current = self.records.get_request(old.id)
            assert current is not None
            raise self._stale(
                "Permohonan baru saja diubah oleh orang lain; muat ulang lalu coba lagi.", current
            ) from None
        self._notify(old, new)

    def _stale(self, detail: str, current: Request) -> StaleRequest:
        """The stale-version error, carrying the current request as the device is shown it."""
        return StaleRequest(detail, self.describe(current))

    def _notify(self, before: Request | None, after: Request) -> None:
        for observer in self.observers:
            observer.on_request_change(before, after, after.updated_at)

    # Helpers ------------------------------------------------------------------
    def _check_blob(self, key: str, size: int, sha256: str, content_type: str) -> str | None:
        """What is wrong with a stored blob compared to what was declared, or None."""
        stored = self.blobs.size(key)
        if stored is None:
            return "Berkas belum diunggah; unggah lalu coba lagi."
        if stored != size:
            return f"Unggahan tidak lengkap: diterima {stored} dari {size} byte. Unggah ulang."
        digest = hashlib.sha256()
        for chunk in self.blobs.iter_chunks(key):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            return "Isi berkas berbeda dari sidik SHA-256 yang didaftarkan. Unggah ulang."
        kind = sniff(self.blobs.read_head(key, SNIFF_BYTES))
        if kind != content_type:
            return "Isi berkas bukan foto JPEG/PNG/WebP atau PDF sesuai jenis yang didaftarkan."
        return None

    def _service(self, code: str, desa: str, *, new: bool = False) -> Service:
        """The service as the desa's kabupaten has it (its catalog.json, #16); a new request
        only for one the kabupaten offers."""
        catalog = self.catalog.catalog_for(kabupaten_of(desa))
        service = catalog.offers(code) if new else catalog.get(code)
        if service is None:
            if new and catalog.get(code) is not None:
                raise InvalidInput(f"Layanan '{code}' tidak tersedia di kabupaten ini.")
            raise InvalidInput(f"Layanan '{code}' tidak dikenal.")
        return service

    def _require_operator_of(self, actor: Actor, desa: str) -> None:
        if actor.role is not Role.OPERATOR:
            raise Forbidden("Hanya operator desa yang dapat melakukan ini.")
        if actor.desa != desa:
            raise Forbidden("Anda hanya dapat melayani permohonan desa Anda sendiri.")
