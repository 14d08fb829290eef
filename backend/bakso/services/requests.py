"""Requests (permohonan): drafts, scans, submission and the lifecycle."""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import IO, Any, Protocol

from ..domain.catalog import Catalog, Service
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ..domain.filetypes import ALLOWED_TYPES, SNIFF_BYTES, sniff
from ..domain.identity import NumberInfo, parse_kk, parse_nik
from ..domain.lifecycle import EDITABLE, LABELS, Role, Status, check_transition, parse_status
from ..domain.model import Actor, Draft, Event, Request, Scan, request_code
from ..domain.regions import Regions
from ..messages import RequestSubmitted
from ..ports import (
    AuditLog,
    Blobs,
    CodeTaken,
    Page,
    Queue,
    RequestStore,
    ScanStore,
    UploadTarget,
)
from .berkas import REDO, BerkasProblem, build_berkas, page_names
from .sasaran import RequestObserver

log = logging.getLogger(__name__)

FILTERED_PAGES_PER_CALL = 10
BERKAS_IN_MEMORY = 8 * 1024 * 1024  # larger printable files spill to a temporary file
# The worker, when it acts on a request by itself (files found broken after submit).
SYSTEM_ACTOR = Actor(username="sistem", role=Role.SYSTEM, desa=None)
# Where the system may send a request back to the desa from: before Dukcapil works on it.
SEND_BACK_FROM = frozenset({Status.DIAJUKAN, Status.DITERIMA})


@dataclass(frozen=True)
class RequestSettings:
    max_scan_bytes: int
    upload_url_ttl: int
    download_url_ttl: int
    code_prefix: str = "LT"
    page_size_max: int = 100


VIA_LABELS = {"LOKET": "loket desa", "KAWIL": "Kawil/Kadus", "RT": "RT"}


def handover_note(handover: dict[str, Any]) -> str:
    via = VIA_LABELS.get(str(handover.get("via")), str(handover.get("via")))
    through = f"{via} ({handover['via_name']})" if handover.get("via_name") else via
    relation = str(handover["relation"]).lower()
    return f"Diterima oleh {handover['received_by']} ({relation}) melalui {through}."


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


class RequestService:
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
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.catalog = catalog
        self.regions = regions
        self.settings = settings
        self.clock = clock
        # Told of every stored change (coverage counters, sasaran rows served).
        self.observers = list(observers)
        self.sasaran_links = sasaran_links

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    # Reading ------------------------------------------------------------------
    def get(self, actor: Actor, request_id: str) -> Request:
        """The request, if this officer may see it; otherwise NotFound, revealing nothing."""
        request = self.records.get_request(request_id)
        if request is None or not actor.can_see_desa(request.desa):
            raise NotFound("Permohonan tidak ditemukan.")
        return request

    def detail(self, actor: Actor, request_id: str) -> RequestDetail:
        return self.describe(self.get(actor, request_id))

    def describe(self, request: Request) -> RequestDetail:
        scans = self.records.list_scans(request.id)
        service = self._service(request.service)
        satisfied = {s.requirement for s in scans if s.state == "ok"}
        return RequestDetail(request, scans, self.records.timeline(request.id), satisfied, service)

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
    ) -> Page:
        """Newest first. desa and status are served by the store's indexes; kecamatan,
        service and age narrow what the store returns, reading at most a few pages
        per call so a rare match cannot turn one call into a walk of everything."""
        if actor.role is Role.OPERATOR:
            if desa and desa != actor.desa:
                raise NotFound("Desa tidak ditemukan.")
            desa = actor.desa
        limit = max(1, min(limit, self.settings.page_size_max))
        wanted = parse_status(status) if status else None
        if kecamatan is None and service is None and older_than_days is None:
            return self.records.list_requests(desa=desa, status=wanted, cursor=cursor, limit=limit)
        cutoff = None
        if older_than_days is not None:
            cutoff = (self.clock() - timedelta(days=older_than_days)).isoformat()
        items: list[Request] = []
        for _ in range(FILTERED_PAGES_PER_CALL):
            page = self.records.list_requests(
                desa=desa, status=wanted, cursor=cursor, limit=limit - len(items)
            )
            items += [
                r
                for r in page.items
                if (kecamatan is None or self.regions.kecamatan_of(r.desa) == kecamatan)
                and (service is None or r.service == service)
                and (cutoff is None or r.status_since < cutoff)
            ]
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
        service = self._service(draft.service)
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
        self._save(updated, existing, None)
        return updated, False

    def _create(
        self, actor: Actor, request_id: str, content: dict[str, Any], warnings: list[dict[str, str]]
    ) -> Request | None:
        now = self._now()
        for attempt in range(8):
            request = Request(
                id=request_id,
                code=request_code(request_id, attempt, self.settings.code_prefix),
                status=Status.DRAF,
                version=1,
                created_by=actor.username,
                created_at=now,
                updated_at=now,
                status_since=now,
                warnings=warnings,
                **content,
            )
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
        infos: list[NumberInfo] = [parse_nik(applicant["nik"], self.regions, desa=draft.desa)]
        applicant["nik"] = infos[0].number
        if applicant.get("kk"):
            infos.append(parse_kk(applicant["kk"], self.regions, desa=draft.desa))
            applicant["kk"] = infos[-1].number
        subject = dict(draft.subject) if draft.subject is not None else None
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
        }
        return content, warnings

    # Scans --------------------------------------------------------------------
    def register_scan(
        self,
        actor: Actor,
        request_id: str,
        *,
        requirement: str,
        sha256: str,
        size: int,
        content_type: str,
    ) -> tuple[Scan, UploadTarget | None]:
        """Register a scan and say where to upload it. Idempotent for the same bytes."""
        request = self._editable(actor, request_id)
        if self._service(request.service).requirement(requirement) is None:
            raise InvalidInput(f"Persyaratan '{requirement}' tidak ada pada layanan ini.")
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput("Hanya foto JPEG, PNG, WebP atau berkas PDF yang diterima.")
        if size > self.settings.max_scan_bytes:
            limit_mb = self.settings.max_scan_bytes / 1024 / 1024
            raise PayloadTooLarge(f"Berkas terlalu besar; batasnya {limit_mb:.0f} MB.")
        scan_id = hashlib.sha256(f"{requirement}:{sha256}".encode()).hexdigest()[:32]
        scan = self.records.add_scan(
            Scan(
                id=scan_id,
                request_id=request.id,
                requirement=requirement,
                sha256=sha256,
                size=size,
                content_type=content_type,
                key=f"scans/{request.id}/{sha256}",
                state="pending",
                created_at=self._now(),
            )
        )
        if (scan.size, scan.content_type) != (size, content_type):
            raise Conflict("Pindaian ini sudah terdaftar dengan ukuran atau jenis lain.")
        if scan.state == "ok":
            return scan, None
        target = self.blobs.upload_target(
            scan.key, size=size, content_type=content_type, expires_in=self.settings.upload_url_ttl
        )
        return scan, target

    def complete_scan(self, actor: Actor, request_id: str, scan_id: str) -> Scan:
        """Check the uploaded bytes; a bad upload is removed so it can simply be sent again."""
        self._editable(actor, request_id)
        scan = self.records.get_scan(request_id, scan_id)
        if scan is None:
            raise NotFound("Pindaian tidak ditemukan.")
        if scan.state == "ok":
            return scan
        problem = self._check_blob(scan.key, scan.size, scan.sha256, scan.content_type)
        if problem:
            self.blobs.delete(scan.key)
            raise InvalidInput(problem)
        self.records.set_scan_state(request_id, scan_id, "ok")
        log.info("scan %s of request %s stored", scan_id, request_id)
        return replace(scan, state="ok")

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

    def delete_scan(self, actor: Actor, request_id: str, scan_id: str) -> None:
        self._editable(actor, request_id)
        scan = self.records.get_scan(request_id, scan_id)
        if scan is None:
            return  # already gone: deleting is idempotent
        self.records.delete_scan(request_id, scan_id)
        if not any(s.key == scan.key for s in self.records.list_scans(request_id)):
            self.blobs.delete(scan.key)

    def scan_download_url(self, actor: Actor, request_id: str, scan_id: str) -> str:
        request = self.get(actor, request_id)
        scan = self.records.get_scan(request_id, scan_id)
        if scan is None or scan.state != "ok" or request.purged_at:
            raise NotFound("Pindaian tidak ditemukan.")
        ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
            scan.content_type, "pdf"
        )
        return self.blobs.download_url(
            scan.key,
            expires_in=self.settings.download_url_ttl,
            filename=f"{scan.requirement}-{scan.id[:8]}.{ext}",
        )

    # Lifecycle ----------------------------------------------------------------
    def submit(self, actor: Actor, request_id: str) -> Request:
        """DRAF/PERLU_PERBAIKAN → DIAJUKAN once every mandatory document is in; idempotent."""
        request = self.get(actor, request_id)
        self._require_operator_of(actor, request.desa)
        if request.status is Status.DIAJUKAN:
            if not request.ready:
                self._enqueue_verification(request)  # a lost message is sent again
            return request
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
        )
        self._enqueue_verification(submitted)
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
            changes["handover"] = handover
            note = note.strip() or handover_note(handover)
        return self._move(actor, request, target, note.strip(), **changes)

    # Issued documents -----------------------------------------------------------
    def register_issued(
        self, actor: Actor, request_id: str, *, sha256: str, size: int, content_type: str
    ) -> UploadTarget | None:
        """Dukcapil attaches the issued document (a PDF) by the same upload protocol."""
        request = self.get(actor, request_id)
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat melampirkan dokumen terbit.")
        if request.status not in (Status.DIPROSES, Status.SELESAI):
            raise Conflict("Dokumen terbit hanya dapat dilampirkan saat diproses atau selesai.")
        if content_type != "application/pdf":
            raise InvalidInput("Dokumen terbit harus berupa PDF.")
        if size > self.settings.max_scan_bytes:
            raise PayloadTooLarge("Dokumen terlalu besar.")
        issued = request.issued or {}
        if issued.get("sha256") == sha256 and issued.get("state") == "ok":
            return None
        key = f"issued/{request.id}/{sha256}"
        pending = {"key": key, "sha256": sha256, "size": size, "state": "pending"}
        self._note(request, issued=pending)
        return self.blobs.upload_target(
            key, size=size, content_type=content_type, expires_in=self.settings.upload_url_ttl
        )

    def complete_issued(self, actor: Actor, request_id: str) -> Request:
        request = self.get(actor, request_id)
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat melampirkan dokumen terbit.")
        issued = request.issued
        if not issued:
            raise NotFound("Belum ada dokumen terbit yang didaftarkan.")
        if issued["state"] == "ok":
            return request
        problem = self._check_blob(
            issued["key"], issued["size"], issued["sha256"], "application/pdf"
        )
        if problem:
            self.blobs.delete(issued["key"])
            raise InvalidInput(problem)
        return self._note(request, issued={**issued, "state": "ok", "at": self._now()})

    def attach_issued_bytes(self, actor: Actor, request: Request, data: bytes) -> Request:
        """The bulk return's path: the PDF arrived inside the uploaded zip."""
        if sniff(data[:SNIFF_BYTES]) != "application/pdf":
            raise InvalidInput("Dokumen terbit bukan PDF yang sah.")
        sha = hashlib.sha256(data).hexdigest()
        if (request.issued or {}).get("sha256") == sha:
            return request
        key = f"issued/{request.id}/{sha}"
        self.blobs.put(key, io.BytesIO(data), "application/pdf")
        issued = {"key": key, "sha256": sha, "size": len(data), "state": "ok", "at": self._now()}
        return self._note(request, issued=issued)

    def attach_issued_stream(
        self, actor: Actor, request: Request, open_pdf: Callable[[], IO[bytes]]
    ) -> Request:
        """attach_issued_bytes for a PDF read as a stream (from the bulk return's zip).

        `open_pdf` opens it afresh: read once for the SHA-256 (the blob key), then
        again into the store, a chunk at a time — memory stays bounded per PDF.
        """
        digest = hashlib.sha256()
        size = 0
        with open_pdf() as source:
            head = source.read(SNIFF_BYTES)
            if sniff(head) != "application/pdf":
                raise InvalidInput("Dokumen terbit bukan PDF yang sah.")
            digest.update(head)
            size += len(head)
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        if (request.issued or {}).get("sha256") == sha:
            return request
        key = f"issued/{request.id}/{sha}"
        with open_pdf() as source:
            hashing = _Hashing(source)
            self.blobs.put(key, io.BufferedReader(hashing), "application/pdf")
        if hashing.digest.hexdigest() != sha:  # the upload changed between the two reads
            self.blobs.delete(key)
            raise InvalidInput("Dokumen terbit berubah saat dibaca; unggah ulang zip-nya.")
        issued = {"key": key, "sha256": sha, "size": size, "state": "ok", "at": self._now()}
        return self._note(request, issued=issued)

    def issued_download_url(self, actor: Actor, request_id: str) -> str:
        request = self.get(actor, request_id)
        issued = request.issued
        if not issued or issued.get("state") != "ok" or request.purged_at:
            raise NotFound("Dokumen terbit belum tersedia.")
        self.records.append_audit(
            at=self._now(),
            actor=actor.username,
            action="issued.download",
            target=request.id,
            data={"sha256": issued["sha256"]},
        )
        return self.blobs.download_url(
            issued["key"],
            expires_in=self.settings.download_url_ttl,
            filename=f"{request.code}-dokumen.pdf",
        )

    def _note(self, request: Request, **changes: Any) -> Request:
        """A server-side note on the request: conditional, but no new version for officers."""
        noted = replace(request, updated_at=self._now(), **changes)
        self._save(noted, request, None)
        return noted

    def _move(
        self, actor: Actor, request: Request, target: Status, note: str, **changes: Any
    ) -> Request:
        check_transition(request.status, target, actor.role, note)
        now = self._now()
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

    def _enqueue_verification(self, request: Request) -> None:
        self.queue.send(RequestSubmitted(request.id, request.submission).to_body())

    # Worker -------------------------------------------------------------------
    def verify_submission(self, request_id: str, submission: int) -> None:
        """Re-check every scan of a submitted request and mark it ready for Dukcapil.

        A request whose files turn out broken (a scan missing or not matching its
        SHA-256, a page that cannot be rendered into berkas.pdf) goes back to the
        desa, PERLU_PERBAIKAN with a reason naming each page. Safe to run any
        number of times for one message: a stale or repeated message changes nothing.
        """
        request = self.records.get_request(request_id)
        if request is None or request.status is not Status.DIAJUKAN:
            return
        if request.submission != submission or request.ready_submission >= submission:
            return
        scans = self.records.list_scans(request_id)
        names = page_names(self._service(request.service), scans)
        problems = [
            self._stored_problem(scan, names.get(scan.id, scan.requirement), problem)
            for scan in scans
            if scan.state == "ok"
            and (problem := self._check_blob(scan.key, scan.size, scan.sha256, scan.content_type))
        ]
        berkas_key = f"berkas/{request_id}/{submission}.pdf"
        if not problems:
            try:
                self._store_berkas(request, scans, berkas_key)
            except BerkasProblem as exc:
                problems.append(str(exc))
        if problems:
            log.warning("request %s failed verification (%d problems)", request_id, len(problems))
            self.send_back_for_repair(request_id, " ".join(problems))
        else:
            updated = replace(
                request, ready_submission=submission, verify_problem=None, berkas_key=berkas_key
            )
            # The version stays: this is the server's own note, not a change the
            # officers should have to reload for; the write is still conditional.
            self.records.save_request(updated, request.version, None)
        self.records.append_audit(
            at=self._now(),
            actor="system",
            action="request.verified" if not problems else "request.verify_failed",
            target=request_id,
            data={"submission": submission, "problems": len(problems)},
        )

    def _stored_problem(self, scan: Scan, page: str, problem: str) -> str:
        """The desa's reason for a scan whose stored bytes fail the check; details go to the log."""
        log.warning("scan %s of request %s: %s", scan.id, scan.request_id, problem)
        if self.blobs.size(scan.key) is None:
            return f"Berkas {page} tidak ditemukan di penyimpanan; {REDO}"
        return f"Berkas {page} rusak di penyimpanan (isinya tidak sesuai dengan unggahan); {REDO}"

    def send_back_for_repair(self, request_id: str, reason: str) -> bool:
        """The system sends a DIAJUKAN or DITERIMA request back to the desa (PERLU_PERBAIKAN).

        `reason` (Indonesian, naming the page or requirement to photograph again)
        is the transition's note, which the desa and the resident see; it is also
        kept as verify_problem for Dukcapil's list. The move is a normal one:
        timeline event, audit entry, observers told. True if moved; False if the
        request is gone or no longer DIAJUKAN/DITERIMA. A version conflict is read
        again and retried once; a second one is raised (the message is retried).
        """
        note = reason.strip() or f"Berkas permohonan tidak dapat dibaca; {REDO}"
        for attempt in range(2):
            request = self.records.get_request(request_id)
            if request is None or request.status not in SEND_BACK_FROM:
                return False
            try:
                self._move(SYSTEM_ACTOR, request, Status.PERLU_PERBAIKAN, note, verify_problem=note)
            except Conflict:
                if attempt:
                    raise
                continue
            return True
        return False  # not reached: the second conflict is raised

    def _store_berkas(self, request: Request, scans: list[Scan], key: str) -> None:
        # The key is fixed per submission, so a redelivered message overwrites
        # the same file rather than adding another.
        with tempfile.SpooledTemporaryFile(max_size=BERKAS_IN_MEMORY) as tmp:
            build_berkas(
                request, self._service(request.service), self.regions, scans, self.blobs, tmp
            )
            tmp.seek(0)
            self.blobs.put(key, tmp, "application/pdf")

    def berkas_download_url(self, actor: Actor, request_id: str) -> str:
        request = self.get(actor, request_id)
        if request.berkas_key is None or request.purged_at:
            raise NotFound("Berkas cetak belum tersedia.")
        return self.blobs.download_url(
            request.berkas_key,
            expires_in=self.settings.download_url_ttl,
            filename=f"{request.code}-berkas.pdf",
        )

    # Helpers ------------------------------------------------------------------
    def _service(self, code: str) -> Service:
        service = self.catalog.get(code)
        if service is None:
            raise InvalidInput(f"Layanan '{code}' tidak dikenal.")
        return service

    def _require_operator_of(self, actor: Actor, desa: str) -> None:
        if actor.role is not Role.OPERATOR:
            raise Forbidden("Hanya operator desa yang dapat melakukan ini.")
        if actor.desa != desa:
            raise Forbidden("Anda hanya dapat melayani permohonan desa Anda sendiri.")

    def _editable(self, actor: Actor, request_id: str) -> Request:
        request = self.get(actor, request_id)
        self._require_operator_of(actor, request.desa)
        if request.status not in EDITABLE:
            raise self._stale(
                f"Permohonan berstatus {LABELS[request.status]}; pindaian tidak dapat diubah.",
                request,
            )
        return request


class _Hashing(io.RawIOBase):
    """A stream passed through while its SHA-256 is computed."""

    def __init__(self, source: IO[bytes]) -> None:
        super().__init__()
        self.source = source
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self.source.read(len(view))
        self.digest.update(data)
        view[: len(data)] = data
        return len(data)
