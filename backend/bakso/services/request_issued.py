"""A request's issued document: Dukcapil attaches the PDF (one by one, or from a bulk return)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import replace
from typing import IO, Any

from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ..domain.filetypes import SNIFF_BYTES, sniff
from ..domain.lifecycle import Status
from ..domain.model import Actor, Request
from ..domain.regions import kabupaten_of
from ..ports import UploadTarget
from .request_base import RequestBase


class RequestIssued(RequestBase):
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
            key,
            size=size,
            content_type=content_type,
            expires_in=self.settings.upload_url_ttl,
            sha256=sha256,
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
        self._require_visible(actor, request)
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
        self._require_visible(actor, request)
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

    @staticmethod
    def _require_visible(actor: Actor, request: Request) -> None:
        # The request was read by code, not through get(): only the actor's own (#16).
        if not actor.can_see_desa(request.desa):
            raise NotFound("Permohonan tidak ditemukan.")

    def issued_download_url(self, actor: Actor, request_id: str) -> str:
        request = self.get(actor, request_id)
        issued = request.issued
        if not issued or issued.get("state") != "ok" or request.purged_at:
            raise NotFound("Dokumen terbit belum tersedia.")
        self.records.append_audit(
            chain=kabupaten_of(request.desa),
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
            # The operator opens it in a tab to print it for the resident.
            inline=True,
        )

    def _note(self, request: Request, **changes: Any) -> Request:
        """A server-side note on the request: conditional, but no new version for officers."""
        noted = replace(request, updated_at=self._now(), **changes)
        self._save(noted, request, None)
        return noted


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
