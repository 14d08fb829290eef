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

The officer's side (register, upload, start) is in return_uploads.py and
applying the rows in return_apply.py, mixed into `ReturnService` here over
return_base.py; following a return and the worker's chunks are in this module.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import AbstractContextManager

from ..domain.model import Actor
from ..domain.returns import (
    RETURN_DONE,
    RETURN_FAILED,
    RETURN_QUEUED,
    RETURN_RUNNING,
    RETURN_WAITING_UPLOAD,
    ReturnLine,
    ReturnRun,
    counts_of,
)
from ..messages import ReturnChunk
from .return_apply import ReturnApply
from .return_base import (
    ReturnRecords,
    ReturnSettings,
    ReturnSummary,
    pdfs_key,
    table_key,
)
from .return_files import Entry, IssuedZip, issued_zip, plan_entries, read_table, table_kind
from .return_uploads import ReturnUploads
from .unpacking import FileProblem

__all__ = [
    "ReturnRecords",
    "ReturnService",
    "ReturnSettings",
    "ReturnSummary",
    "pdfs_key",
    "table_key",
]

log = logging.getLogger(__name__)

# A chunk also stops before this many bytes of PDFs (each read twice, stored once), so a
# chunk of large PDFs stays well inside the worker's time budget per message.
CHUNK_PDF_BYTES = 256 * 1024 * 1024


class ReturnService(ReturnUploads, ReturnApply):
    # The officer: follow ------------------------------------------------------
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
            raise FileProblem("Tabel hasil diganti setelah pengembalian dimulai; buat yang baru.")
        rows, last_line = read_table(
            data,
            max_rows=self.settings.max_rows,
            kind=table_kind(run.table.filename),
            xlsx=self.settings.xlsx,
        )
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
            limits=self.settings.unpack,
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
            chain=run.kabupaten,
            at=run.finished_at,
            actor="system",
            action="returns.done" if status == RETURN_DONE else "returns.failed",
            target=run.id,
            data={**counts, "rows": run.rows_total},
        )
        log.info("return %s %s: %s", run.id, status, counts)
