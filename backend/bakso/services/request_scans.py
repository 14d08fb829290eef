"""A request's scans: the desa registers, uploads, checks and removes them while it may edit."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from ..domain import scan_quality
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
        replaces: str | None = None,
        quality: tuple[str, ...] = (),
    ) -> tuple[Scan, UploadTarget | None]:
        """Register a scan and say where to upload it. Idempotent for the same bytes.

        `replaces` names a page already sent (a photo Dukcapil asked to take again):
        the new scan takes that page's place, and the old one goes once this is checked.
        `quality` names the photo check's flags the operator kept the page despite.
        """
        try:
            kept = scan_quality.normalised(quality)
        except ValueError:
            raise InvalidInput(
                "Tanda mutu foto tidak dikenal; yang dikenal: dark, blurred, small."
            ) from None
        request = self._editable(actor, request_id)
        if self._service(request.service, request.desa).requirement(requirement) is None:
            raise InvalidInput(f"Persyaratan '{requirement}' tidak ada pada layanan ini.")
        if content_type not in ALLOWED_TYPES:
            raise InvalidInput("Hanya foto JPEG, PNG, WebP atau berkas PDF yang diterima.")
        if size > self.settings.max_scan_bytes:
            limit_mb = self.settings.max_scan_bytes / 1024 / 1024
            raise PayloadTooLarge(f"Berkas terlalu besar; batasnya {limit_mb:.0f} MB.")
        scan_id = hashlib.sha256(f"{requirement}:{sha256}".encode()).hexdigest()[:32]
        placed_at = self._replaced_place(request, scan_id, requirement, replaces)
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
                replaces=replaces,
                placed_at=placed_at,
                submission=request.submission + 1,
                quality=kept,
            )
        )
        if (scan.size, scan.content_type) != (size, content_type):
            raise Conflict("Pindaian ini sudah terdaftar dengan ukuran atau jenis lain.")
        if scan.quality != kept:
            raise Conflict("Pindaian ini sudah terdaftar dengan tanda mutu foto lain.")
        if scan.replaces != replaces and scan.state == "ok":
            raise Conflict("Foto ini sudah ada pada permohonan; pilih foto lain sebagai pengganti.")
        if scan.state == "ok":
            self._drop_replaced(scan)  # a replay after a lost answer finishes the swap
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
            self._drop_replaced(scan)
            return scan
        problem = self._check_blob(scan.key, scan.size, scan.sha256, scan.content_type)
        if problem:
            self.blobs.delete(scan.key)
            raise InvalidInput(problem)
        # The old page goes before the new one counts: a crash between the two leaves a
        # pending scan that the device's replay completes, never both pages at once.
        self._drop_replaced(scan)
        self.records.set_scan_state(request_id, scan_id, "ok")
        log.info("scan %s of request %s stored", scan_id, request_id)
        return replace(scan, state="ok")

    def delete_scan(self, actor: Actor, request_id: str, scan_id: str) -> None:
        self._editable(actor, request_id)
        self._remove_scan(request_id, scan_id)

    def _remove_scan(self, request_id: str, scan_id: str) -> None:
        scan = self.records.get_scan(request_id, scan_id)
        if scan is None:
            return  # already gone: deleting is idempotent
        self.records.delete_scan(request_id, scan_id)
        if not any(s.key == scan.key for s in self.records.list_scans(request_id)):
            self.blobs.delete(scan.key)

    def _replaced_place(
        self, request: Request, scan_id: str, requirement: str, replaces: str | None
    ) -> str:
        """Where a replacing photo sorts: the place of the page it replaces."""
        if replaces is None:
            return ""
        if replaces == scan_id:
            raise InvalidInput("Foto pengganti sama dengan foto lama; ambil foto baru.")
        old = self.records.get_scan(request.id, replaces)
        if old is None:
            # Already swapped by a replay, or removed: the new photo is simply a page.
            return ""
        if old.requirement != requirement:
            raise InvalidInput("Foto pengganti harus untuk dokumen yang sama.")
        return "|".join(old.order_key)

    def _drop_replaced(self, scan: Scan) -> None:
        if scan.replaces:
            self._remove_scan(scan.request_id, scan.replaces)
            log.info("scan %s of request %s replaced", scan.replaces, scan.request_id)

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
