"""Dukcapil batches: gather submitted requests, build one zip, hand it over by a short-lived URL.

The zip is written to a temporary file entry by entry, each scan streamed from
the blob store in chunks, so memory stays flat however large the batch.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import IO, Any

from ..domain.catalog import Catalog
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.lifecycle import Role, Status
from ..domain.model import (
    BATCH_BUILDING,
    BATCH_FAILED,
    BATCH_READY,
    Actor,
    Batch,
    Event,
    Request,
    Scan,
)
from ..domain.regions import Regions
from ..ports import Blobs, Queue, Records
from .berkas import ordered_scans
from .sasaran import RequestObserver

log = logging.getLogger(__name__)

MSG_BUILD = "batch.build"
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
CSV_COLUMNS = [
    "kode",
    "layanan",
    "desa",
    "kecamatan",
    "nik_pemohon",
    "nama_pemohon",
    "no_kk",
    "no_hp",
    "nama_subjek",
    "tanggal_lahir_subjek",
    "diajukan",
    "jumlah_berkas",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class BatchFilters:
    kecamatan: str | None = None
    desa: str | None = None
    service: str | None = None

    def matches(self, request: Request, regions: Regions) -> bool:
        return (
            (self.desa is None or request.desa == self.desa)
            and (self.kecamatan is None or regions.kecamatan_of(request.desa) == self.kecamatan)
            and (self.service is None or request.service == self.service)
        )


class _HashingWriter:
    """Counts and hashes what goes into one zip entry."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)


class BatchService:
    def __init__(
        self,
        records: Records,
        blobs: Blobs,
        queue: Queue,
        catalog: Catalog,
        regions: Regions,
        clock: Callable[[], datetime],
        download_url_ttl: int,
        observers: Sequence[RequestObserver] = (),
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.catalog = catalog
        self.regions = regions
        self.clock = clock
        self.download_url_ttl = download_url_ttl
        self.observers = list(observers)  # told of the DIAJUKAN → DITERIMA moves

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if actor.role not in (Role.DUKCAPIL, Role.ADMIN):
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengelola batch.")

    # API ----------------------------------------------------------------------
    def create(self, actor: Actor, filters: BatchFilters) -> Batch:
        """Record the batch and queue its build; the worker gathers the requests."""
        self._require_dukcapil(actor)
        if filters.desa and not self.regions.is_desa(filters.desa):
            raise InvalidInput(f"Desa '{filters.desa}' tidak dikenal.")
        kecamatan = self.regions.get(filters.kecamatan) if filters.kecamatan else None
        if filters.kecamatan and (kecamatan is None or kecamatan.level != "kecamatan"):
            raise InvalidInput(f"Kecamatan '{filters.kecamatan}' tidak dikenal.")
        if filters.service and self.catalog.get(filters.service) is None:
            raise InvalidInput(f"Layanan '{filters.service}' tidak dikenal.")
        batch = Batch(
            id=uuid.uuid4().hex,
            created_by=actor.username,
            created_at=self._now(),
            filters={
                "kecamatan": filters.kecamatan,
                "desa": filters.desa,
                "service": filters.service,
            },
        )
        self.records.create_batch(batch)
        self.queue.send({"type": MSG_BUILD, "batch_id": batch.id})
        return batch

    def get(self, actor: Actor, batch_id: str) -> Batch:
        self._require_dukcapil(actor)
        batch = self.records.get_batch(batch_id)
        if batch is None:
            raise NotFound("Batch tidak ditemukan.")
        return batch

    def list_batches(
        self, actor: Actor, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        self._require_dukcapil(actor)
        return self.records.list_batches(cursor=cursor, limit=max(1, min(limit, 100)))

    def download_url(self, actor: Actor, batch_id: str) -> str:
        """A short-lived URL; the first download marks the batch's requests DITERIMA."""
        batch = self.get(actor, batch_id)
        if batch.status != BATCH_READY or batch.key is None or batch.purged_at:
            raise Conflict("Batch belum siap diunduh.")
        first = batch.downloaded_at is None
        now = self._now()
        if first:
            for request in self.records.requests_in_batch(batch.id):
                self._accept(actor, request, now)
        self.records.save_batch(
            replace(batch, downloaded_at=batch.downloaded_at or now, downloads=batch.downloads + 1)
        )
        self.records.append_audit(
            at=now,
            actor=actor.username,
            action="batch.download",
            target=batch.id,
            data={"count": batch.count, "first": first},
        )
        return self.blobs.download_url(
            batch.key, expires_in=self.download_url_ttl, filename=f"bakso-{batch.id}.zip"
        )

    def _accept(self, actor: Actor, request: Request, now: str) -> None:
        # Only what is still waiting moves: a request cancelled since, or already
        # moved by hand, keeps its status.
        if request.status is not Status.DIAJUKAN:
            return
        accepted = replace(
            request,
            status=Status.DITERIMA,
            version=request.version + 1,
            updated_at=now,
            status_since=now,
        )
        event = Event(request.id, now, actor.username, Status.DIAJUKAN, Status.DITERIMA, "")
        try:
            self.records.save_request(accepted, request.version, event)
        except Conflict:
            log.info("request %s changed during batch download; left as it is", request.id)
            return
        for observer in self.observers:
            observer.on_request_change(request, accepted, now)

    # Worker -------------------------------------------------------------------
    def build(self, batch_id: str) -> None:
        """Gather and zip. Safe to run again for the same batch: claims are kept, and
        a rebuilt zip replaces the same key."""
        batch = self.records.get_batch(batch_id)
        if batch is None or batch.status != BATCH_BUILDING:
            return
        filters = BatchFilters(**batch.filters)
        self._claim(batch, filters)
        requests = self.records.requests_in_batch(batch.id)
        key = f"batches/{batch.id}/bakso-{batch.id}.zip"
        try:
            with tempfile.TemporaryFile() as tmp:
                self.write_zip(batch, requests, tmp)
                size = tmp.tell()
                tmp.seek(0)
                digest = hashlib.sha256()
                for chunk in iter(lambda: tmp.read(1 << 20), b""):
                    digest.update(chunk)
                tmp.seek(0)
                self.blobs.put(key, tmp, "application/zip")
        except Exception as exc:
            log.exception("batch %s failed to build", batch.id)
            self.records.save_batch(replace(batch, status=BATCH_FAILED, error=type(exc).__name__))
            raise
        self.records.save_batch(
            replace(
                batch,
                status=BATCH_READY,
                count=len(requests),
                key=key,
                size=size,
                sha256=digest.hexdigest(),
            )
        )
        log.info("batch %s ready with %d requests", batch.id, len(requests))

    def _candidates(self, filters: BatchFilters) -> Iterator[Request]:
        cursor: str | None = None
        while True:
            page = self.records.list_requests(
                desa=filters.desa, status=Status.DIAJUKAN, cursor=cursor, limit=100
            )
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def _claim(self, batch: Batch, filters: BatchFilters) -> None:
        for request in self._candidates(filters):
            if request.batch_id or not request.ready or not filters.matches(request, self.regions):
                continue
            try:
                # Conditional on the version: a request claimed by a concurrent
                # batch, or changed meanwhile, is skipped rather than taken twice.
                self.records.save_request(
                    replace(request, batch_id=batch.id), request.version, None
                )
            except Conflict:
                continue

    def write_zip(self, batch: Batch, requests: list[Request], out: IO[bytes]) -> None:
        """The layout of DESIGN §3; stored, not deflated: scans are already compressed."""
        sums: list[tuple[str, str]] = []
        manifest_rows: list[dict[str, Any]] = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for request in requests:
                files = self._write_request(zf, request, sums)
                manifest_rows.append(self._manifest_row(request, files))
            manifest = {
                "batch": {
                    "id": batch.id,
                    "created_at": batch.created_at,
                    "created_by": batch.created_by,
                    "filters": batch.filters,
                    "count": len(requests),
                },
                "requests": manifest_rows,
            }
            self._write_bytes(
                zf,
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                sums,
            )
            self._write_bytes(zf, "manifest.csv", self._manifest_csv(manifest_rows), sums)
            lines = "".join(f"{digest}  {name}\n" for name, digest in sums)
            zf.writestr("SHA256SUMS", lines.encode())

    def _write_request(
        self, zf: zipfile.ZipFile, request: Request, sums: list[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        service = self.catalog.get(request.service)
        scans: list[Scan] = self.records.list_scans(request.id)
        if service is not None:
            scans = ordered_scans(service, scans)
        files: list[dict[str, Any]] = []
        if request.berkas_key:
            files.append(
                self._write_blob(zf, f"{request.code}/berkas.pdf", request.berkas_key, sums)
            )
        pages: dict[str, int] = {}
        for scan in scans:
            pages[scan.requirement] = pages.get(scan.requirement, 0) + 1
            name = (
                f"{request.code}/{scan.requirement}-{pages[scan.requirement]}"
                f".{EXTENSIONS.get(scan.content_type, 'bin')}"
            )
            entry = self._write_blob(zf, name, scan.key, sums)
            entry["requirement"] = scan.requirement
            files.append(entry)
        return files

    def _write_blob(
        self, zf: zipfile.ZipFile, name: str, key: str, sums: list[tuple[str, str]]
    ) -> dict[str, Any]:
        with zf.open(name, "w", force_zip64=True) as entry:
            writer = _HashingWriter(entry)
            for chunk in self.blobs.iter_chunks(key):
                writer.write(chunk)
        digest = writer.digest.hexdigest()
        sums.append((name, digest))
        return {"path": name, "sha256": digest, "size": writer.size}

    @staticmethod
    def _write_bytes(
        zf: zipfile.ZipFile, name: str, data: bytes, sums: list[tuple[str, str]]
    ) -> None:
        zf.writestr(name, data)
        sums.append((name, hashlib.sha256(data).hexdigest()))

    def _manifest_row(self, request: Request, files: list[dict[str, Any]]) -> dict[str, Any]:
        service = self.catalog.get(request.service)
        desa = self.regions.get(request.desa)
        kecamatan = self.regions.get(self.regions.kecamatan_of(request.desa))
        return {
            "id": request.id,
            "code": request.code,
            "service": request.service,
            "service_label": service.label if service else request.service,
            "status": request.status.value,
            "desa": request.desa,
            "desa_name": desa.name if desa else "",
            "kecamatan": kecamatan.code if kecamatan else "",
            "kecamatan_name": kecamatan.name if kecamatan else "",
            "applicant": request.applicant,
            "subject": request.subject,
            "notes": request.notes,
            "jemput_bola": request.jemput_bola,
            "submitted_at": request.status_since,
            "files": files,
        }

    @staticmethod
    def _manifest_csv(rows: list[dict[str, Any]]) -> bytes:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            applicant, subject = row["applicant"], row["subject"] or {}
            writer.writerow(
                neutralise(v)
                for v in (
                    row["code"],
                    row["service_label"],
                    row["desa_name"],
                    row["kecamatan_name"],
                    applicant.get("nik"),
                    applicant.get("name"),
                    applicant.get("kk"),
                    applicant.get("phone"),
                    subject.get("name"),
                    subject.get("birth_date"),
                    row["submitted_at"],
                    len(row["files"]),
                )
            )
        # The BOM makes spreadsheet programs read the file as UTF-8.
        return ("\ufeff" + text.getvalue()).encode("utf-8")
