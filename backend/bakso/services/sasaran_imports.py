"""Importing Dukcapil's list: registering the upload, the worker's parse and chunks, the report.

An import never passes through the API: like a scan, the file goes to the blob
store on a signed URL, then the worker parses it once into chunk files of
judged lines and applies them chunk by chunk, each chunk one message. Every
step can run again after a crash or a redelivery without changing anything
twice: a line's result and its row write are stored together, and a line
that has a result is skipped.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

from ..domain.errors import Conflict, InvalidInput, PayloadTooLarge
from ..domain.model import Actor
from ..domain.regions import kabupaten_of
from ..domain.sasaran import (
    ACCEPTED,
    DUPLICATE,
    IMPORT_DONE,
    IMPORT_FAILED,
    IMPORT_QUEUED,
    IMPORT_RUNNING,
    IMPORT_UPLOADING,
    LINE_MESSAGES,
    REFUSED,
    UNCHANGED,
    UPDATED,
    ImportResult,
    ImportRun,
    JudgedLine,
    SasaranRow,
    judge_line,
    map_header,
    pick_match,
    refuse_duplicates,
    row_deltas,
    with_served,
)
from ..messages import SasaranImportChunk, SasaranImportParse
from ..ports import ImportLineWrite, RowWrite, UploadTarget
from .sasaran_core import WRITE_ATTEMPTS
from .sasaran_files import CSV_TYPES, XLSX_TYPE, ZIP_MAGIC, kind_of, read_lines
from .sasaran_import_reads import ImportReads
from .unpacking import XLSX, FileProblem, blob_zip_problem

log = logging.getLogger("bakso.services.sasaran")

SPOOL_IN_MEMORY = 8 * 1024 * 1024
ROW_NAMESPACE = uuid.UUID("6f0d7a52-3f43-4f0e-9a51-5a5a7a9b0c11")


def _source_key(import_id: str) -> str:
    return f"sasaran-imports/{import_id}/source"


def _chunk_key(import_id: str, chunk: int) -> str:
    return f"sasaran-imports/{import_id}/chunk-{chunk:05d}.json"


class SasaranImports(ImportReads):
    # Importing: upload ---------------------------------------------------------
    def start_import(
        self,
        actor: Actor,
        *,
        import_id: str | None,
        filename: str,
        sha256: str,
        size: int,
        content_type: str,
    ) -> tuple[ImportRun, UploadTarget | None]:
        """Register an import and say where to upload the file. Idempotent per import id."""
        self._require_dukcapil(actor)
        kind = kind_of(filename)
        if kind is None:
            raise InvalidInput("Hanya berkas .csv atau .xlsx yang diterima.")
        allowed = {XLSX_TYPE, "application/octet-stream"} if kind == "xlsx" else CSV_TYPES
        if content_type not in allowed:
            raise InvalidInput("Jenis berkas tidak sesuai dengan nama berkasnya.")
        if size > self.settings.max_file_bytes:
            limit_mb = self.settings.max_file_bytes / 1024 / 1024
            raise PayloadTooLarge(f"Berkas terlalu besar; batasnya {limit_mb:.0f} MB.")
        kabupaten = self.actor_kabupaten(actor)
        run = ImportRun(
            id=import_id or str(uuid.uuid4()),
            kabupaten=kabupaten,
            created_by=actor.username,
            created_at=self._now(),
            filename=filename,
            sha256=sha256,
            size=size,
            content_type=content_type,
            kind=kind,
        )
        if not self.store.create_import(run):
            existing = self.store.get_import(run.id)
            assert existing is not None
            same = (existing.sha256, existing.size, existing.filename) == (sha256, size, filename)
            # Another kabupaten's id is told "taken" like any other: never whose it is.
            if not same or self.run_kabupaten(existing) != kabupaten:
                raise Conflict("ID impor ini sudah dipakai untuk berkas lain.")
            run = existing
        if run.status != IMPORT_UPLOADING:
            return run, None
        target = self.blobs.upload_target(
            _source_key(run.id),
            size=size,
            content_type=content_type,
            expires_in=self.settings.upload_url_ttl,
            sha256=sha256,
        )
        log.info("sasaran import %s registered (%d bytes, %s)", run.id, size, kind)
        return run, target

    def begin_import(self, actor: Actor, import_id: str) -> ImportRun:
        """Check the uploaded file and queue it; repeating the call is harmless."""
        run = self._import(actor, import_id)
        if run.status == IMPORT_QUEUED:
            self.queue.send(SasaranImportParse(run.id).to_body())  # a lost message
        if run.status != IMPORT_UPLOADING:
            return run
        problem = self._check_upload(run)
        if problem:
            self.blobs.delete(_source_key(run.id))
            raise InvalidInput(problem)
        run.status = IMPORT_QUEUED
        self.store.save_import(run)
        self.queue.send(SasaranImportParse(run.id).to_body())
        self.records.append_audit(
            chain=run.kabupaten,
            at=self._now(),
            actor=actor.username,
            action="sasaran.import",
            target=run.id,
            data={"sha256": run.sha256, "size": run.size, "kind": run.kind},
        )
        return run

    def _check_upload(self, run: ImportRun) -> str | None:
        key = _source_key(run.id)
        stored = self.blobs.size(key)
        if stored is None:
            return "Berkas belum diunggah; unggah lalu coba lagi."
        if stored != run.size:
            return f"Unggahan tidak lengkap: diterima {stored} dari {run.size} byte. Unggah ulang."
        digest = hashlib.sha256()
        for chunk in self.blobs.iter_chunks(key):
            digest.update(chunk)
        if digest.hexdigest() != run.sha256:
            return "Isi berkas berbeda dari sidik SHA-256 yang didaftarkan. Unggah ulang."
        is_zip = self.blobs.read_head(key, len(ZIP_MAGIC)) == ZIP_MAGIC
        if (run.kind == "xlsx") != is_zip:
            return "Isi berkas tidak sesuai dengan jenisnya (.csv atau .xlsx)."
        if is_zip:  # the central directory only; the worker scans the parts as they stream
            return blob_zip_problem(self.blobs, key, stored, self.settings.xlsx.zip, XLSX)
        return None

    # Importing: the worker ----------------------------------------------------------
    def parse_import(self, import_id: str) -> None:
        """Judge every line once and store them as chunk files; then start chunk 0."""
        run = self.store.get_import(import_id)
        if run is None or run.status not in (IMPORT_QUEUED, IMPORT_RUNNING):
            return
        try:
            lines, ignored = self._judge_file(run)
        except FileProblem as exc:
            self._finish(run, IMPORT_FAILED, error=str(exc))
            return
        size = self.settings.chunk_rows
        chunks = [lines[i : i + size] for i in range(0, len(lines), size)]
        for number, chunk in enumerate(chunks):
            data = json.dumps([line.to_record() for line in chunk], ensure_ascii=False).encode()
            self.blobs.put(_chunk_key(run.id, number), io.BytesIO(data), "application/json")
        run.status = IMPORT_RUNNING
        run.lines_total = len(lines)
        run.chunks_total = len(chunks)
        run.ignored_columns = ignored
        self.store.save_import(run)
        log.info("sasaran import %s: %d lines in %d chunks", run.id, len(lines), len(chunks))
        self.queue.send(SasaranImportChunk(run.id, 0).to_body())

    def _judge_file(self, run: ImportRun) -> tuple[list[JudgedLine], list[str]]:
        today = self.clock().date()
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            for part in self.blobs.iter_chunks(_source_key(run.id)):
                spool.write(part)
            spool.seek(0)
            lines = read_lines(
                run.kind, spool, max_lines=self.settings.max_rows, xlsx=self.settings.xlsx
            )
            header = next(lines, None)
            if header is None:
                raise FileProblem("Berkas kosong: tidak ada baris judul kolom.")
            index, ignored, missing = map_header(header[1])
            if missing:
                raise FileProblem(
                    f"Kolom wajib tidak ada: {', '.join(missing)}. "
                    "Gunakan templat dari BAKSO (baris pertama berisi nama kolom)."
                )
            judged = [
                judge_line(
                    number,
                    {name: cells[i] if i < len(cells) else "" for name, i in index.items()},
                    self.regions,
                    today,
                    kabupaten=self.run_kabupaten(run),
                )
                for number, cells in lines
            ]
        if not judged:
            raise FileProblem("Berkas tidak berisi baris data di bawah judul kolom.")
        return refuse_duplicates(judged), ignored

    def apply_chunk(self, import_id: str, chunk: int) -> None:
        run = self.store.get_import(import_id)
        if run is None or run.status != IMPORT_RUNNING or chunk >= run.chunks_total:
            return
        raw = b"".join(self.blobs.iter_chunks(_chunk_key(run.id, chunk)))
        lines = [JudgedLine.from_record(item) for item in json.loads(raw)]
        for attempt in range(WRITE_ATTEMPTS):
            done = {
                r.line
                for r in self.store.import_results(
                    run.id, after_line=lines[0].line - 1, limit=len(lines)
                )
            }
            now = self._now()
            pending = [line for line in lines if line.line not in done]
            found = [line.fields for line in pending if line.fields is not None]
            by_nik = self.store.find_by_niks([f.nik for f in found if f.nik])
            by_key = self.store.find_by_name_keys([f.key for f in found])
            plan = [self._plan(run, line, now, by_nik, by_key) for line in pending]
            try:
                self.store.apply_import_lines(plan)
                break
            except Conflict:
                # A follow-up or another import changed a row meanwhile: plan again.
                log.info("sasaran import %s chunk %d: retry %d", run.id, chunk, attempt + 1)
        else:
            raise Conflict("Baris sasaran terus berubah selama impor; impor dicoba lagi.")
        results = self.store.import_results(run.id, after_line=lines[0].line - 1, limit=len(lines))
        self.store.record_chunk(run.id, chunk, Counter(r.outcome for r in results))
        if chunk + 1 < run.chunks_total:
            self.queue.send(SasaranImportChunk(run.id, chunk + 1).to_body())
        else:
            self._finish(run, IMPORT_DONE)

    def _plan(
        self,
        run: ImportRun,
        line: JudgedLine,
        now: str,
        by_nik: dict[str, SasaranRow],
        by_key: dict[str, list[SasaranRow]],
    ) -> ImportLineWrite:
        fields = line.fields
        if fields is None:
            return ImportLineWrite(
                ImportResult(run.id, line.line, REFUSED, line.reason, line.message)
            )
        same_nik = by_nik.get(fields.nik) if fields.nik else None
        if same_nik is not None and kabupaten_of(same_nik.desa) != kabupaten_of(fields.desa):
            # Another kabupaten's row: never moved or changed by this one's list.
            refusal = LINE_MESSAGES["nik_other_kabupaten"]
            return ImportLineWrite(ImportResult(run.id, line.line, REFUSED, DUPLICATE, refusal))
        existing = pick_match(fields.nik, same_nik, by_key.get(fields.key, []))
        content: dict[str, Any] = {
            "desa": fields.desa,
            "name": fields.name,
            "address": fields.address,
            "documents": list(fields.documents),
            "nik": fields.nik,
            "category": fields.category,
            "note": fields.note,
        }
        if existing is None:
            row = SasaranRow(
                id=str(uuid.uuid5(ROW_NAMESPACE, f"{run.id}:{line.line}")),
                name_key=fields.key,
                created_at=now,
                updated_at=now,
                import_id=run.id,
                line=line.line,
                **content,
            )
            return ImportLineWrite(
                ImportResult(run.id, line.line, ACCEPTED, sasaran_id=row.id),
                RowWrite(row, 0, row_deltas(None, row)),
            )
        content["nik"] = fields.nik or existing.nik  # a line without NIK does not erase it
        if content == existing.content():
            return ImportLineWrite(
                ImportResult(run.id, line.line, UNCHANGED, sasaran_id=existing.id)
            )
        updated = replace(
            existing,
            **content,
            name_key=fields.key,
            version=existing.version + 1,
            updated_at=now,
            import_id=run.id,
            line=line.line,
        )
        if updated.documents != existing.documents and updated.requests:
            updated = with_served(updated, now)  # served only while every document is issued
        return ImportLineWrite(
            ImportResult(run.id, line.line, UPDATED, sasaran_id=existing.id),
            RowWrite(updated, existing.version, row_deltas(existing, updated)),
        )

    def _finish(self, run: ImportRun, status: str, error: str | None = None) -> None:
        run.status = status
        run.error = error
        run.finished_at = self._now()
        self.store.save_import(run)
        # The uploaded list is personal data: once applied, only the rows keep it.
        self.blobs.delete(_source_key(run.id))
        for number in range(run.chunks_total):
            self.blobs.delete(_chunk_key(run.id, number))
        counts = self._summary(run).counts
        self.records.append_audit(
            chain=run.kabupaten,
            at=run.finished_at,
            actor="system",
            action="sasaran.import_done" if status == IMPORT_DONE else "sasaran.import_failed",
            target=run.id,
            data=counts,
        )
        log.info("sasaran import %s %s: %s", run.id, status, counts)
