"""Requests (permohonan): drafts, scans, submission and the lifecycle.

`RequestService` is the one service callers use. This module holds reading,
drafts and the lifecycle; the other use cases are mixed in from their own
modules: scans (request_scans.py), issued documents (request_issued.py) and
the worker's verification (request_verification.py), all over the ports and
helpers of request_base.py.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from ..domain import paging
from ..domain.catalog import Service
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.identity import NumberInfo, parse_kk, parse_nik
from ..domain.lifecycle import EDITABLE, LABELS, Role, Status, check_transition, parse_status
from ..domain.localtime import zone
from ..domain.model import Actor, Draft, Event, Request, request_code
from ..domain.phone import consent_problem
from ..domain.retention import ABANDONED
from ..domain.search import name_matches
from ..ports import CodeTaken, Page
from . import newest_merge
from .request_base import (
    RequestDetail,
    RequestRecords,
    RequestSettings,
    SasaranLinks,
    StaleRequest,
)
from .request_fields import agreed_subject, checked_fields, require_complete_fields
from .request_handover import RequestHandover, handover_note
from .request_issued import RequestIssued
from .request_keys import RequestKeys
from .request_pin import RequestPin
from .request_scans import RequestScans
from .request_search import RequestSearch
from .request_verification import SYSTEM_ACTOR, RequestVerification

__all__ = [
    "RequestDetail",
    "RequestRecords",
    "RequestService",
    "RequestSettings",
    "SasaranLinks",
    "StaleRequest",
    "handover_note",
]

FILTERED_PAGES_PER_CALL = 10


class RequestService(
    RequestScans,
    RequestIssued,
    RequestHandover,
    RequestVerification,
    RequestSearch,
    RequestKeys,
    RequestPin,
):
    # Reading ------------------------------------------------------------------
    def detail(self, actor: Actor, request_id: str) -> RequestDetail:
        return self.describe(self.get(actor, request_id))

    def list_requests(
        self,
        actor: Actor,
        *,
        status: str | None,
        desa: str | None,
        cursor: str | None,
        limit: int,
        kecamatan: str | None = None,
        service: str | None = None,
        older_than_days: int | None = None,
        q: str | None = None,
    ) -> Page:
        """Newest first, of the actor's kabupaten only (#16). desa, kecamatan and status are
        served by the store's indexes (a kecamatan: its desa's lists merged, read_list);
        service, age and a name narrow what the store returns, reading at most a few
        pages per call so a rare match cannot turn one call into a walk of everything.
        A code or NIK in `q` is an exact lookup (request_search.py)."""
        kabupaten = self.lists_kabupaten(actor)
        if actor.role is Role.OPERATOR:
            if desa and desa != actor.desa:
                raise NotFound("Desa tidak ditemukan.")
            desa = actor.desa
        limit = max(1, min(limit, self.settings.page_size_max))
        wanted = parse_status(status) if status else None
        search = self.parse_query(q, kabupaten) if q else None

        def read(at: str | None, size: int) -> Page:
            return self.read_list(
                kabupaten, desa=desa, kecamatan=kecamatan, status=wanted, cursor=at, limit=size
            )

        if search is None and service is None and older_than_days is None:
            return read(cursor, limit)
        cutoff = None
        if older_than_days is not None:
            cutoff = (self.clock() - timedelta(days=older_than_days)).isoformat()
            # In a status since before the cutoff means created before it (a request's
            # status never changes before it exists): the walk starts at the cutoff, not
            # at the newest, so a busy week does not fill the pages read with misses.
            start = newest_merge.start_of(cursor)
            if start is None or start >= (cutoff, ""):
                cursor = paging.encode_position(cutoff, "")

        def keep(r: Request) -> bool:
            return (
                (desa is None or r.desa == desa)
                and (wanted is None or r.status is wanted)
                and (kecamatan is None or self.regions.kecamatan_of(r.desa) == kecamatan)
                and (service is None or r.service == service)
                and (cutoff is None or r.status_since < cutoff)
                and (
                    search is None
                    or search.kind != "name"
                    or name_matches(r.applicant.get("name"), search.value)
                    or name_matches((r.subject or {}).get("name"), search.value)
                )
            )

        if search is not None and search.kind != "name":
            return self.find_exact(actor, search, limit, keep)
        items: list[Request] = []
        for _ in range(FILTERED_PAGES_PER_CALL):
            page = read(cursor, limit - len(items))
            items += [r for r in page.items if keep(r)]
            cursor = page.cursor
            if cursor is None or len(items) >= limit:
                break
        return Page(items=items, cursor=cursor)

    # Drafts -------------------------------------------------------------------
    def upsert_draft(self, actor: Actor, request_id: str, draft: Draft) -> tuple[Request, bool]:
        """Create the draft, or update it, keyed by the device's UUID. Returns (request, created).

        Replays of the same content, even after submission, return the stored
        request unchanged; a different content is refused once the request is
        no longer the desa's to edit, or when based on an old version.
        """
        if not self.regions.is_desa(draft.desa):
            raise InvalidInput(f"Desa '{draft.desa}' tidak dikenal.")
        self._require_operator_of(actor, draft.desa)
        service = self._service(draft.service, draft.desa, new=True)
        content, warnings = self._validated_content(draft, service)
        if draft.sasaran_id and self.sasaran_links is not None:
            self.sasaran_links.check_link(draft.sasaran_id, draft.desa)

        existing = self.records.get_request(request_id)
        if existing is None:
            created = self._create(actor, request_id, content, warnings)
            if created is not None:
                return created, True
            existing = self.records.get_request(request_id)  # lost a race with a replay
            assert existing is not None
        if not actor.can_see_desa(existing.desa):
            raise NotFound("Permohonan tidak ditemukan.")
        if existing.content() == content:
            return existing, False
        if existing.status not in EDITABLE:
            raise self._stale(
                f"Permohonan sudah berstatus {LABELS[existing.status]} dan tidak dapat diubah.",
                existing,
            )
        if draft.version != existing.version:
            raise self._stale(
                "Permohonan sudah diubah di perangkat lain; muat ulang lalu coba lagi.", existing
            )
        updated = replace(
            existing,
            **content,
            warnings=warnings,
            version=existing.version + 1,
            updated_at=self._now(),
        )
        updated = self.with_nik_key(updated)
        self._save(updated, existing, None)
        return updated, False

    def _create(
        self, actor: Actor, request_id: str, content: dict[str, Any], warnings: list[dict[str, str]]
    ) -> Request | None:
        now = self._now()
        for attempt in range(8):
            request = Request(
                id=request_id,
                code=request_code(request_id, attempt, self.code_prefix(content["desa"])),
                status=Status.DRAF,
                version=1,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
                status_since=now,
                warnings=warnings,
                **content,
            )
            request = self.with_nik_key(request)
            event = Event(request_id, now, actor.username, None, Status.DRAF, "", "request.create")
            try:
                if not self.records.create_request(request, event):
                    return None
            except CodeTaken:
                continue
            self._notify(None, request)
            return request
        raise Conflict("Kode permohonan tidak dapat dibuat; coba lagi.")

    def _validated_content(
        self, draft: Draft, service: Service
    ) -> tuple[dict[str, Any], list[dict[str, str]]]:
        applicant = dict(draft.applicant)
        refused = consent_problem(applicant)  # #18: notify needs a mobile number
        if refused:
            raise InvalidInput(refused, errors=[{"field": "applicant.phone", "message": refused}])
        if not applicant.get("notify"):
            applicant.pop("notify", None)  # stored only when given, as before #18
        infos: list[NumberInfo] = [parse_nik(applicant["nik"], self.regions, desa=draft.desa)]
        applicant["nik"] = infos[0].number
        if applicant.get("kk"):
            infos.append(parse_kk(applicant["kk"], self.regions, desa=draft.desa))
            applicant["kk"] = infos[-1].number
        fields = checked_fields(
            self.forms, service.code, draft.fields, self.regions, self._desa_today()
        )
        subject = agreed_subject(self.forms, service.code, fields, draft.subject)
        subject = dict(subject) if subject is not None else None
        if subject is not None and subject.get("nik"):
            infos.append(parse_nik(subject["nik"], self.regions, desa=draft.desa))
            subject["nik"] = infos[-1].number
        warnings = [{"code": w.code, "message": w.message} for info in infos for w in info.warnings]
        content = {
            "service": service.code,
            "desa": draft.desa,
            "applicant": applicant,
            "subject": subject,
            "notes": draft.notes,
            "sasaran_id": draft.sasaran_id,
            "jemput_bola": draft.jemput_bola,
            "fields": fields,
        }
        return content, warnings

    def _desa_today(self) -> date:
        return self.clock().astimezone(zone()).date()  # "not in the future" at the desa

    # Lifecycle ----------------------------------------------------------------
    def submit(self, actor: Actor, request_id: str, pin: str | None = None) -> Request:
        """DRAF/PERLU_PERBAIKAN → DIAJUKAN once the service's form passes and every mandatory
        document is in; idempotent (a replay once DIAJUKAN answers the request as it is).
        `pin`: the download PIN the device made (request_pin.py), kept from the first."""
        request = self.get(actor, request_id)
        self._require_operator_of(actor, request.desa)
        pin = self._download_pin(request, pin)
        if request.status is Status.DIAJUKAN:
            if not request.ready:
                self._enqueue_verification(request)  # a lost message is sent again
            return request
        if request.status in EDITABLE:
            # Before the documents: the signed F-form's photo is taken of the filled form.
            require_complete_fields(
                self.forms, request.service, request.fields, self.regions, self._desa_today()
            )
        detail = self.describe(request)
        missing = detail.service.missing(detail.satisfied)
        if missing and request.status in EDITABLE:
            names = "; ".join(r.label for r in missing)
            raise InvalidInput(
                f"Dokumen wajib belum lengkap: {names}.",
                missing=[{"code": r.code, "label": r.label} for r in missing],
            )
        submitted = self._move(
            actor,
            request,
            Status.DIAJUKAN,
            "",
            token=request.token or secrets.token_urlsafe(24),
            submission=request.submission + 1,
            verify_problem=None,
            # A resubmission is new work for Dukcapil: a new printable file, a new batch.
            berkas_key=None,
            batch_id=None,
            pin_hash=self._pin_hash_for(request, pin),
        )
        self._enqueue_verification(submitted)
        self._tell_submitted(submitted, pin)
        return submitted

    def transition(
        self,
        actor: Actor,
        request_id: str,
        *,
        to: str,
        note: str,
        version: int,
        handover: dict[str, Any] | None = None,
    ) -> Request:
        request = self.get(actor, request_id)
        target = parse_status(to)
        if target is Status.DIAJUKAN:
            return self.submit(actor, request_id)
        if actor.role is Role.OPERATOR:
            self._require_operator_of(actor, request.desa)
        check_transition(request.status, target, actor.role, note)
        if version != request.version:
            raise self._stale(
                "Permohonan sudah diubah oleh petugas lain; muat ulang lalu coba lagi.", request
            )
        changes: dict[str, Any] = {}
        if target is Status.DISERAHKAN:
            if not handover:
                raise InvalidInput("Isi siapa yang menerima dokumen dan melalui siapa.")
            changes["handover"], note = self._handover(request, handover, note)
        return self._move(actor, request, target, note.strip(), **changes)

    def cancel_abandoned(self, request: Request, note: str) -> Request | None:
        """The system cancels a DRAF or PERLU_PERBAIKAN left untouched (retention).

        Conditional on the version the retention run read: None, and nothing
        changed, if the desa touched the request meanwhile.
        """
        if request.status not in ABANDONED:
            return None
        try:
            return self._move(SYSTEM_ACTOR, request, Status.DIBATALKAN, note)
        except Conflict:
            return None
