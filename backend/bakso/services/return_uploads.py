"""Registering a bulk return: the officer names the files, uploads them, and starts it."""

from __future__ import annotations

import hashlib
import logging
import uuid

from ..domain.errors import Conflict, InvalidInput, PayloadTooLarge
from ..domain.model import Actor
from ..domain.returns import (
    RETURN_QUEUED,
    RETURN_RUNNING,
    RETURN_WAITING_UPLOAD,
    ReturnFile,
    ReturnRun,
)
from ..domain.unpacking import size_text
from ..messages import ReturnChunk, ReturnPrepare
from ..ports import UploadTarget
from .return_base import ReturnBase, pdfs_key, table_key
from .return_files import ZIP_MAGICS, ZIP_WHAT, table_kind
from .sasaran_files import CSV_TYPES, XLSX_TYPE
from .unpacking import XLSX, blob_zip_problem

log = logging.getLogger("bakso.services.returns")

ZIP_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
XLSX_TYPES = frozenset({XLSX_TYPE, "application/octet-stream"})


class ReturnUploads(ReturnBase):
    def create(
        self,
        actor: Actor,
        *,
        return_id: str | None,
        table: ReturnFile,
        pdfs: ReturnFile | None,
    ) -> tuple[ReturnRun, UploadTarget | None, UploadTarget | None]:
        """Register a return and say where to upload its files. Idempotent per return id."""
        self._require_dukcapil(actor)
        self._check_files(table, pdfs)
        run = ReturnRun(
            id=return_id or str(uuid.uuid4()),
            created_by=actor.username,
            role=actor.role.value,
            created_at=self._now(),
            table=table,
            pdfs=pdfs,
            kabupaten=self._officer_kabupaten(actor),
        )
        if not self.records.create_return(run):
            existing = self.records.get_return(run.id)
            assert existing is not None
            if not actor.can_see_kabupaten(self.kabupaten_of(existing)):
                # Another kabupaten's id: said as for any id in use, naming nothing of it.
                raise Conflict("ID pengembalian ini sudah dipakai untuk berkas lain.")
            if not existing.same_files(table, pdfs):
                raise Conflict("ID pengembalian ini sudah dipakai untuk berkas lain.")
            run = existing
        if run.status != RETURN_WAITING_UPLOAD:
            return run, None, None
        ttl = self.settings.upload_url_ttl
        table_target = self.blobs.upload_target(
            table_key(run.id),
            size=table.size,
            content_type=table.content_type,
            expires_in=ttl,
            sha256=table.sha256,
        )
        pdfs_target = None
        if pdfs is not None:
            pdfs_target = self.blobs.upload_target(
                pdfs_key(run.id),
                size=pdfs.size,
                content_type=pdfs.content_type,
                expires_in=ttl,
                sha256=pdfs.sha256,
            )
        log.info(
            "return %s registered (%d + %d bytes)", run.id, table.size, pdfs.size if pdfs else 0
        )
        return run, table_target, pdfs_target

    def _check_files(self, table: ReturnFile, pdfs: ReturnFile | None) -> None:
        name = table.filename.lower()
        if name.endswith(".xlsx"):
            allowed = XLSX_TYPES
        elif name.endswith(".csv"):
            allowed = CSV_TYPES
        else:
            raise InvalidInput("Tabel hasil harus berkas .csv (dipisah ';' atau ',') atau .xlsx.")
        if table.content_type not in allowed:
            raise InvalidInput("Jenis berkas tabel hasil tidak sesuai dengan namanya.")
        if table.size > self.settings.max_table_bytes:
            limit = size_text(self.settings.max_table_bytes)
            what = "XLSX" if name.endswith(".xlsx") else "CSV"
            raise PayloadTooLarge(f"Berkas {what} terlalu besar; batasnya {limit}.")
        if pdfs is None:
            return
        if not pdfs.filename.lower().endswith(".zip") or pdfs.content_type not in ZIP_TYPES:
            raise InvalidInput("Dokumen terbit dikirim sebagai satu berkas .zip berisi PDF.")
        if pdfs.size > self.settings.max_pdfs_bytes:
            limit = size_text(self.settings.max_pdfs_bytes)
            raise PayloadTooLarge(f"Berkas zip terlalu besar; batasnya {limit}.")

    def start(self, actor: Actor, return_id: str) -> ReturnRun:
        """Check the uploaded files and queue the return; repeating the call is harmless."""
        run = self._run(actor, return_id)
        if run.status == RETURN_QUEUED:
            self.queue.send(ReturnPrepare(run.id).to_body())  # a lost message
            return run
        if run.status == RETURN_RUNNING:
            self._resume(run)
            return run
        if run.status != RETURN_WAITING_UPLOAD:
            return run
        problem = self._check_uploads(run)
        if problem:
            raise InvalidInput(problem)
        run.status = RETURN_QUEUED
        run.started_at = self._now()
        self.records.save_return(run)
        self.queue.send(ReturnPrepare(run.id).to_body())
        self.records.append_audit(
            chain=run.kabupaten,
            at=run.started_at,
            actor=actor.username,
            action="returns.start",
            target=run.id,
            data={
                "table": {"sha256": run.table.sha256, "size": run.table.size},
                "pdfs": {"sha256": run.pdfs.sha256, "size": run.pdfs.size} if run.pdfs else None,
            },
        )
        return run

    def _resume(self, run: ReturnRun) -> None:
        """Queue the chunk after the last one applied again (a message lost or dead-lettered)."""
        done = self.records.return_chunk_counts(run.id)
        following = max(done) + 1 if done else 0
        if following < run.chunks_total:
            self.queue.send(ReturnChunk(run.id, following).to_body())

    def _check_uploads(self, run: ReturnRun) -> str | None:
        """What is wrong with the uploads, or None. A bad upload is removed, to be sent again.

        The table's SHA-256 is checked here (it is small); the zip's size and
        magic here, its SHA-256 by the worker while it streams it once.
        """
        key = table_key(run.id)
        is_xlsx = table_kind(run.table.filename) == "xlsx"
        what = "XLSX" if is_xlsx else "CSV"
        problem = self._check_size(key, run.table.size, what)
        if problem is None:
            digest = hashlib.sha256()
            head = b""
            for chunk in self.blobs.iter_chunks(key):
                if not head:
                    head = chunk[:4]
                digest.update(chunk)
            if digest.hexdigest() != run.table.sha256:
                problem = (
                    f"Isi berkas {what} berbeda dari sidik SHA-256 yang didaftarkan. Unggah ulang."
                )
            elif not is_xlsx and head in ZIP_MAGICS:
                problem = "Berkas CSV ternyata zip/XLSX; beri nama .xlsx atau simpan sebagai CSV."
            elif is_xlsx and head not in ZIP_MAGICS:
                problem = "Berkas .xlsx ini bukan XLSX; simpan ulang dari Excel sebagai .xlsx."
            elif is_xlsx:
                # The central directory only; the worker scans the parts as they stream.
                problem = blob_zip_problem(
                    self.blobs, key, run.table.size, self.settings.xlsx.zip, XLSX
                )
        if problem:
            self.blobs.delete(key)
            return problem
        if run.pdfs is None:
            return None
        key = pdfs_key(run.id)
        problem = self._check_size(key, run.pdfs.size, "zip")
        if problem is None and self.blobs.read_head(key, 4) not in ZIP_MAGICS:
            problem = "Berkas dokumen terbit bukan zip. Unggah ulang."
        if problem is None:
            # The central directory only (a few ranged reads): a bomb is refused here, to
            # the officer's screen, before the worker opens a member.
            problem = blob_zip_problem(
                self.blobs, key, run.pdfs.size, self.settings.unpack, ZIP_WHAT
            )
        if problem:
            self.blobs.delete(key)
        return problem

    def _check_size(self, key: str, size: int, what: str) -> str | None:
        stored = self.blobs.size(key)
        if stored is None:
            return f"Berkas {what} belum diunggah; unggah lalu coba lagi."
        if stored != size:
            return (
                f"Unggahan {what} tidak lengkap: diterima {stored} dari {size} byte. Unggah ulang."
            )
        return None
