"""A request's scans: the desa registers, uploads, checks and removes them while it may edit."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from ..domain.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from ..domain.filetypes import ALLOWED_TYPES
from ..domain.lifecycle import EDITABLE, LABELS
from ..domain.model import Actor, Request, Scan
from ..ports import UploadTarget
from .request_base import RequestBase

log = logging.getLogger("bakso.services.requests")


class RequestScans(RequestBase):
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
        # Bound to the registered SHA-256: the URL outlives `complete`, and must never
        # let other bytes replace the checked scan (nor land before it is checked).
        target = self.blobs.upload_target(
            scan.key,
            size=size,
            content_type=content_type,
            expires_in=self.settings.upload_url_ttl,
            sha256=scan.sha256,
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

    def _editable(self, actor: Actor, request_id: str) -> Request:
        request = self.get(actor, request_id)
        self._require_operator_of(actor, request.desa)
        if request.status not in EDITABLE:
            raise self._stale(
                f"Permohonan berstatus {LABELS[request.status]}; pindaian tidak dapat diubah.",
                request,
            )
        return request
