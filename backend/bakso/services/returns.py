"""Bulk return: Dukcapil sends a CSV of results (and a zip of issued PDFs); the worker applies it.

Like the sasaran import, the files never pass through the API: the officer
registers them (`create`), uploads them straight to the blob store, and asks
for the return to start (`start`), which checks them and queues it. The worker
reads the CSV and the zip's directory (`prepare`), then applies the rows in
chunks of `chunk_rows`, one message each, each chunk queuing the next. Every
row is reported — applied, unchanged, or refused with the reason — and
nothing is skipped silently; a PDF that no row names is reported too.

Every step can run again after a crash or a redelivery without changing
anything twice: each line's result is stored under its line number and a line
with a result is skipped; a row whose status is already reached is
"unchanged"; an issued PDF already attached (same SHA-256) is not stored
again; a chunk's counts are set, not added.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.errors import BaksoError, Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from ..domain.lifecycle import Role, Status, check_transition
from ..domain.model import Actor, Request
from ..domain.returns import (
    APPLIED,
    REFUSED,
    RETURN_DONE,
    RETURN_FAILED,
    RETURN_QUEUED,
    RETURN_RUNNING,
    RETURN_WAITING_UPLOAD,
    UNCHANGED,
    ReturnFile,
    ReturnLine,
    ReturnRun,
    counts_of,
)
from ..messages import ReturnChunk, ReturnPrepare
from ..ports import (
    RETURN_LINES_PER_WRITE,
    AuditLog,
    Blobs,
    Queue,
    RequestStore,
    ReturnStore,
    UploadTarget,
)
from .requests import RequestService, StaleRequest
from .return_files import (
    ZIP_MAGICS,
    Entry,
    IssuedZip,
    issued_zip,
    plan_entries,
    read_table,
    size_text,
)
from .sasaran_files import CSV_TYPES, FileProblem

log = logging.getLogger(__name__)

ZIP_TYPES = frozenset(
    {"application/zip", "application/x-zip-compressed", "application/octet-stream"}
)
# A chunk also stops before this many bytes of PDFs (each read twice, stored once), so a
# chunk of large PDFs stays well inside the worker's time budget per message.
CHUNK_PDF_BYTES = 256 * 1024 * 1024
_NOT_FOUND = "Pengembalian tidak ditemukan."


@dataclass(frozen=True)
class ReturnSettings:
    max_rows: int = 5000
    chunk_rows: int = 100
    max_table_bytes: int = 5 * 1024 * 1024
    max_pdfs_bytes: int = 2 * 1024**3
    max_pdf_bytes: int = 20 * 1024 * 1024
    upload_url_ttl: int = 15 * 60
    page_size_max: int = 500


@dataclass(frozen=True)
class ReturnSummary:
    run: ReturnRun
    counts: dict[str, int]  # outcome → lines, over the chunks applied so far
    rows_done: int


def table_key(return_id: str) -> str:
    return f"returns/{return_id}/table.csv"


def pdfs_key(return_id: str) -> str:
    return f"returns/{return_id}/pdfs.zip"


class ReturnRecords(RequestStore, ReturnStore, AuditLog, Protocol):
    """The records ports ReturnService uses (one Records adapter serves them all)."""


class ReturnService:
    def __init__(
        self,
        records: ReturnRecords,
        blobs: Blobs,
        queue: Queue,
        requests: RequestService,
        settings: ReturnSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.requests = requests
        self.settings = settings
        self.clock = clock

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    # The officer: register, upload, start, follow -----------------------------
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
        )
        if not self.records.create_return(run):
            existing = self.records.get_return(run.id)
            assert existing is not None
            if not existing.same_files(table, pdfs):
                raise Conflict("ID pengembalian ini sudah dipakai untuk berkas lain.")
            run = existing
        if run.status != RETURN_WAITING_UPLOAD:
            return run, None, None
        ttl = self.settings.upload_url_ttl
        table_target = self.blobs.upload_target(
            table_key(run.id), size=table.size, content_type=table.content_type, expires_in=ttl
        )
        pdfs_target = None
        if pdfs is not None:
            pdfs_target = self.blobs.upload_target(
                pdfs_key(run.id), size=pdfs.size, content_type=pdfs.content_type, expires_in=ttl
            )
        log.info(
            "return %s registered (%d + %d bytes)", run.id, table.size, pdfs.size if pdfs else 0
        )
        return run, table_target, pdfs_target

    def _check_files(self, table: ReturnFile, pdfs: ReturnFile | None) -> None:
        if not table.filename.lower().endswith(".csv") or table.content_type not in CSV_TYPES:
            raise InvalidInput("Tabel hasil harus berkas .csv.")
        if table.size > self.settings.max_table_bytes:
            limit = size_text(self.settings.max_table_bytes)
            raise PayloadTooLarge(f"Berkas CSV terlalu besar; batasnya {limit}.")
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
        problem = self._check_size(key, run.table.size, "CSV")
        if problem is None:
            digest = hashlib.sha256()
            head = b""
            for chunk in self.blobs.iter_chunks(key):
                if not head:
                    head = chunk[:4]
                digest.update(chunk)
            if digest.hexdigest() != run.table.sha256:
                problem = (
                    "Isi berkas CSV berbeda dari sidik SHA-256 yang didaftarkan. Unggah ulang."
                )
            elif head in ZIP_MAGICS:
                problem = "Berkas CSV ternyata zip/XLSX; simpan sebagai CSV lalu unggah ulang."
        if problem:
            self.blobs.delete(key)
            return problem
        if run.pdfs is None:
            return None
        key = pdfs_key(run.id)
        problem = self._check_size(key, run.pdfs.size, "zip")
        if problem is None and self.blobs.read_head(key, 4) not in ZIP_MAGICS:
            problem = "Berkas dokumen terbit bukan zip. Unggah ulang."
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

    def get(self, actor: Actor, return_id: str) -> ReturnSummary:
        return self.summary(self._run(actor, return_id))

    def rows(
        self, actor: Actor, return_id: str, *, after: int, limit: int
    ) -> tuple[list[ReturnLine], int | None]:
        """One page of the per-row report and the seq to continue after (None: the end)."""
        run = self._run(actor, return_id)
        limit = max(1, min(limit, self.settings.page_size_max))
        lines = self.records.return_lines(run.id, after=after, limit=limit + 1)
        following = lines[limit - 1].seq if len(lines) > limit else None
        return lines[:limit], following

    def summary(self, run: ReturnRun) -> ReturnSummary:
        """The run with its counts (read only once the worker may have applied a chunk)."""
        counts = counts_of()
        if run.status in (RETURN_WAITING_UPLOAD, RETURN_QUEUED):
            return ReturnSummary(run, counts, 0)
        for chunk in self.records.return_chunk_counts(run.id).values():
            for outcome, value in chunk.items():
                counts[outcome] = counts.get(outcome, 0) + value
        return ReturnSummary(run, counts, sum(counts.values()))

    def _run(self, actor: Actor, return_id: str) -> ReturnRun:
        self._require_dukcapil(actor)
        run = self.records.get_return(return_id)
        if run is None:
            raise NotFound(_NOT_FOUND)
        return run

    # The worker ------------------------------------------------------------------
    def prepare(self, return_id: str) -> None:
        """Read the files once, verify the zip's SHA-256, count the rows; then start chunk 0."""
        run = self.records.get_return(return_id)
        if run is None or run.status != RETURN_QUEUED:
            return
        try:
            if run.pdfs is None:
                entries = self._entries(run)
                starts = list(range(0, len(entries), self.settings.chunk_rows))
            else:
                self._verify_zip(run)
                with self._zip(run) as pdfs:
                    entries = self._entries(run, pdfs)
                    starts = self._chunk_starts(entries, pdfs)
        except FileProblem as exc:
            self._finish(run, RETURN_FAILED, error=str(exc))
            return
        run.status = RETURN_RUNNING
        run.rows_total = len(entries)
        run.chunk_starts = starts
        run.chunks_total = len(starts)
        self.records.save_return(run)
        log.info("return %s: %d rows in %d chunks", run.id, run.rows_total, run.chunks_total)
        self.queue.send(ReturnChunk(run.id, 0).to_body())

    def _chunk_starts(self, entries: list[Entry], pdfs: IssuedZip) -> list[int]:
        """Where each chunk begins: at most `chunk_rows` rows and CHUNK_PDF_BYTES of PDFs."""
        starts: list[int] = []
        rows = size = 0
        for index, entry in enumerate(entries):
            info = pdfs.member(entry.code) if entry.problem is None else None
            pdf = min(info.file_size, self.settings.max_pdf_bytes) if info is not None else 0
            if not starts or rows == self.settings.chunk_rows or size + pdf > CHUNK_PDF_BYTES:
                starts.append(index)
                rows = size = 0
            rows += 1
            size += pdf
        return starts

    def _verify_zip(self, run: ReturnRun) -> None:
        assert run.pdfs is not None
        digest = hashlib.sha256()
        for chunk in self.blobs.iter_chunks(pdfs_key(run.id)):
            digest.update(chunk)
        if digest.hexdigest() != run.pdfs.sha256:
            raise FileProblem(
                "Isi zip dokumen terbit berbeda dari sidik SHA-256 yang didaftarkan; "
                "buat pengembalian baru dan unggah ulang."
            )

    def _entries(self, run: ReturnRun, pdfs: IssuedZip | None = None) -> list[Entry]:
        data = b"".join(self.blobs.iter_chunks(table_key(run.id)))
        if hashlib.sha256(data).hexdigest() != run.table.sha256:
            # Its upload URL still works for a while: every step reads the same table.
            raise FileProblem("Berkas CSV diganti setelah pengembalian dimulai; buat yang baru.")
        rows, last_line = read_table(data, max_rows=self.settings.max_rows)
        if run.pdfs is None:
            return rows
        if pdfs is not None:
            return plan_entries(rows, last_line, pdfs.codes())
        with self._zip(run) as opened:
            return plan_entries(rows, last_line, opened.codes())

    def _zip(self, run: ReturnRun) -> AbstractContextManager[IssuedZip]:
        assert run.pdfs is not None
        return issued_zip(
            self.blobs,
            pdfs_key(run.id),
            run.pdfs.size,
            max_pdfs=self.settings.max_rows,
            max_pdf_bytes=self.settings.max_pdf_bytes,
        )

    def apply_chunk(self, return_id: str, chunk: int) -> None:
        run = self.records.get_return(return_id)
        if run is None or run.status != RETURN_RUNNING or chunk >= run.chunks_total:
            return
        start = run.chunk_starts[chunk]
        end = run.chunk_starts[chunk + 1] if chunk + 1 < run.chunks_total else None
        try:
            if run.pdfs is None:
                self._apply_entries(run, chunk, self._entries(run)[start:end])
            else:
                with self._zip(run) as pdfs:
                    self._apply_entries(run, chunk, self._entries(run, pdfs)[start:end], pdfs)
        except FileProblem as exc:
            self._finish(run, RETURN_FAILED, error=str(exc))
            return
        if chunk + 1 < run.chunks_total:
            self.queue.send(ReturnChunk(run.id, chunk + 1).to_body())
        else:
            self._finish(run, RETURN_DONE)

    def _apply_entries(
        self, run: ReturnRun, chunk: int, entries: list[Entry], pdfs: IssuedZip | None = None
    ) -> None:
        if not entries:
            return
        first, last = entries[0].seq, entries[-1].seq
        done = {
            line.seq
            for line in self.records.return_lines(run.id, after=first - 1, limit=len(entries))
            if line.seq <= last
        }
        pending = [entry for entry in entries if entry.seq not in done]
        by_code = self.records.get_requests_by_codes(
            [e.code for e in pending if e.code and e.problem is None]
        )
        actor = Actor(run.created_by, Role(run.role), None)

        def zip_order(entry: Entry) -> int:
            # Members in the order they lie in the zip: ranged reads serve neighbours.
            info = pdfs.member(entry.code) if pdfs is not None else None
            return info.header_offset if info is not None else -1

        results = [
            self._apply_entry(run.id, actor, entry, by_code.get(entry.code), pdfs)
            for entry in sorted(pending, key=zip_order)
        ]
        results.sort(key=lambda line: line.seq)
        for start in range(0, len(results), RETURN_LINES_PER_WRITE):
            self.records.add_return_lines(run.id, results[start : start + RETURN_LINES_PER_WRITE])
        stored = self.records.return_lines(run.id, after=first - 1, limit=len(entries))
        counts = Counter(line.outcome for line in stored if line.seq <= last)
        self.records.record_return_chunk(run.id, chunk, counts_of(counts))

    def _apply_entry(
        self,
        return_id: str,
        actor: Actor,
        entry: Entry,
        request: Request | None,
        pdfs: IssuedZip | None,
    ) -> ReturnLine:
        def line(outcome: str, detail: str) -> ReturnLine:
            return ReturnLine(return_id, entry.seq, entry.row, entry.code, outcome, detail)

        if entry.problem is not None:
            return line(REFUSED, entry.problem)
        if request is None:
            return line(REFUSED, "Kode permohonan tidak dikenal.")
        try:
            target = Status(entry.status.upper())
        except ValueError:
            return line(REFUSED, f"Status '{entry.status}' tidak dikenal.")
        for attempt in range(2):
            try:
                outcome, detail = self._apply_row(actor, request, target, entry, pdfs)
                return line(outcome, detail)
            except StaleRequest as exc:
                # Changed meanwhile (an officer, another delivery): judge it again once.
                if attempt:
                    return line(REFUSED, exc.detail)
                request = exc.current
            except BaksoError as exc:
                if exc.status >= 500:
                    raise  # the store is unavailable: the message is retried
                return line(REFUSED, exc.detail)
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply_row(
        self,
        actor: Actor,
        request: Request,
        target: Status,
        entry: Entry,
        pdfs: IssuedZip | None,
    ) -> tuple[str, str]:
        if request.status is not target:
            check_transition(request.status, target, actor.role, entry.note)
        info = pdfs.member(entry.code) if pdfs is not None else None
        attached = False
        ignored = ""
        if pdfs is not None and info is not None:
            if target is not Status.SELESAI:
                ignored = " PDF tidak dipakai karena status bukan SELESAI."
            elif pdfs.duplicated(entry.code):
                raise InvalidInput(
                    "Zip berisi lebih dari satu PDF untuk kode ini; baris tidak diterapkan."
                )
            else:
                before = (request.issued or {}).get("sha256")
                request = self.requests.attach_issued_stream(actor, request, pdfs.opener(info))
                attached = (request.issued or {}).get("sha256") != before
        if request.status is target:
            if attached:
                return APPLIED, "Dokumen terbit dilampirkan; status sudah sesuai."
            return UNCHANGED, "Status sudah sesuai; tidak ada perubahan." + ignored
        self.requests.transition(
            actor, request.id, to=target.value, note=entry.note, version=request.version
        )
        detail = f"Status menjadi {target.value}."
        if attached:
            detail += " Dokumen terbit dilampirkan."
        return APPLIED, detail + ignored

    def _finish(self, run: ReturnRun, status: str, error: str | None = None) -> None:
        run.status = status
        run.error = error
        run.finished_at = self._now()
        self.records.save_return(run)
        # The uploads are done with: the issued PDFs are stored per request.
        self.blobs.delete(table_key(run.id))
        if run.pdfs is not None:
            self.blobs.delete(pdfs_key(run.id))
        counts = self.summary(run).counts
        self.records.append_audit(
            at=run.finished_at,
            actor="system",
            action="returns.done" if status == RETURN_DONE else "returns.failed",
            target=run.id,
            data={**counts, "rows": run.rows_total},
        )
        log.info("return %s %s: %s", run.id, status, counts)

    # Helpers --------------------------------------------------------------------
    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengembalikan hasil.")
