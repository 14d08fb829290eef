"""Dukcapil batches: gather submitted requests, pack them in zip volumes, hand each over.

A batch is built by a chain of bounded worker steps, each one queue message
that records its progress on the batch and queues the next (DESIGN §3,
docs/batches.md):

1. gather: claim up to BATCH_STEP_REQUESTS waiting requests (one page) per step;
2. plan: size the claimed requests in batch order and cut them into volumes of
   at most BATCH_VOLUME_REQUESTS requests and BATCH_VOLUME_BYTES bytes;
3. pack: one volume per step, a self-contained zip written straight into the
   blob store (a multipart upload on S3, a file renamed into place locally),
   its SHA-256 taken while writing: no staged copy, no second read.

A step that raises is redelivered by the queue and redone alone; a step whose
work another delivery already recorded changes nothing (the batch's version).
A batch with no recorded progress for BATCH_BUILD_DEADLINE reads FAILED, and its
requests are free for the next batch. Downloading a volume answers at once: its
requests are marked DITERIMA by the worker in chunks (messages.BatchAccept).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from ..domain.catalog import Catalog
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.lifecycle import LABELS, Status
from ..domain.model import (
    BATCH_BUILDING,
    BATCH_FAILED,
    BATCH_READY,
    PHASE_DONE,
    PHASE_GATHER,
    PHASE_PACK,
    PHASE_PLAN,
    VOLUME_PENDING,
    VOLUME_READY,
    Actor,
    Batch,
    Event,
    Request,
    Scan,
    Volume,
    batch_position,
)
from ..domain.regions import Regions
from ..messages import BatchAccept, BatchBuildStep
from ..ports import (
    MAX_REQUEST_WRITES,
    AuditLog,
    BatchStore,
    Blobs,
    BlobSink,
    Queue,
    RequestStore,
    RequestWrite,
    ScanStore,
)
from .berkas import ordered_scans
from .sasaran import RequestObserver

log = logging.getLogger(__name__)

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
# What a volume holds besides the files themselves, counted when volumes are cut
# so that BATCH_VOLUME_BYTES is an upper bound: zip headers per entry (zip64
# local header, data descriptor, central directory) and a manifest row per request.
ZIP_ENTRY_OVERHEAD = 512
MANIFEST_ROW_OVERHEAD = 8 * 1024
# DynamoDB's indexes lag writes by a moment: a plan that sees fewer requests than
# were claimed, this soon after gathering, waits for the index (redelivery).
INDEX_SETTLE_SECONDS = 60


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


@dataclass(frozen=True)
class BatchSettings:
    volume_requests: int = 250
    volume_bytes: int = 1 << 30
    build_deadline: int = 3600
    step_requests: int = 100
    download_url_ttl: int = 300


class StepNotYet(Exception):
    """A build step's message came before its predecessor was recorded: retry later."""


class IndexLagging(Exception):
    """The batch index does not show every claimed request yet: retry the step later."""


class _BrokenFiles(Exception):
    """A request's file is missing or not what was uploaded: it leaves the volume."""

    def __init__(self, request: Request, reason: str) -> None:
        super().__init__(request.id)
        self.request = request
        self.reason = reason


class _HashingSink:
    """Counts and hashes what goes into one zip entry or into a whole volume.

    It has tell() but no seek(), so zipfile writes in streaming mode (data
    descriptors after each entry): every byte is written once, in order.
    """

    def __init__(self, target: BlobSink) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> int:
        self.target.write(chunk)
        self.digest.update(chunk)
        self.size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the blob writer's context stores or discards what was written


class BatchRecords(RequestStore, ScanStore, BatchStore, AuditLog, Protocol):
    """The records ports BatchService uses (one Records adapter serves them all)."""


class BatchService:
    def __init__(
        self,
        records: BatchRecords,
        blobs: Blobs,
        queue: Queue,
        catalog: Catalog,
        regions: Regions,
        clock: Callable[[], datetime],
        settings: BatchSettings,
        *,
        send_back: Callable[[str, str], bool] | None = None,
        observers: Sequence[RequestObserver] = (),
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.catalog = catalog
        self.regions = regions
        self.clock = clock
        self.settings = settings
        # Moves a request with broken files back to the desa (RequestService).
        self.send_back = send_back
        self.observers = list(observers)  # told of the DIAJUKAN → DITERIMA moves

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengelola batch.")

    def _read(self, batch: Batch) -> Batch:
        return batch.as_read(self._now(), self.settings.build_deadline)

    # API ----------------------------------------------------------------------
    def create(self, actor: Actor, filters: BatchFilters) -> Batch:
        """Record the batch and queue its first build step; the worker does the rest."""
        self._require_dukcapil(actor)
        if filters.desa and not self.regions.is_desa(filters.desa):
            raise InvalidInput(f"Desa '{filters.desa}' tidak dikenal.")
        kecamatan = self.regions.get(filters.kecamatan) if filters.kecamatan else None
        if filters.kecamatan and (kecamatan is None or kecamatan.level != "kecamatan"):
            raise InvalidInput(f"Kecamatan '{filters.kecamatan}' tidak dikenal.")
        if filters.service and self.catalog.get(filters.service) is None:
            raise InvalidInput(f"Layanan '{filters.service}' tidak dikenal.")
        return self._start(
            actor,
            {"kecamatan": filters.kecamatan, "desa": filters.desa, "service": filters.service},
            rebuild_of=None,
        )

    def rebuild(self, actor: Actor, batch_id: str) -> Batch:
        """A new batch of the failed batch's requests that no newer batch has taken."""
        old = self.get(actor, batch_id)
        if old.status != BATCH_FAILED:
            raise Conflict("Hanya batch yang gagal yang dapat dibangun ulang.")
        stored = self.records.get_batch(batch_id)
        if stored is not None and stored.status == BATCH_BUILDING:
            # Recorded as failed, so a late step of it can no longer record anything.
            try:
                self.records.save_batch(
                    replace(
                        stored,
                        status=BATCH_FAILED,
                        error=old.error,
                        version=stored.version + 1,
                    ),
                    stored.version,
                )
            except Conflict:
                raise Conflict("Batch sedang berubah; coba lagi sebentar lagi.") from None
        return self._start(actor, dict(old.filters), rebuild_of=old.id)

    def _start(
        self, actor: Actor, filters: dict[str, str | None], *, rebuild_of: str | None
    ) -> Batch:
        now = self._now()
        batch = Batch(
            id=uuid.uuid4().hex,
            created_by=actor.username,
            created_at=now,
            filters=filters,
            progress_at=now,
            rebuild_of=rebuild_of,
        )
        self.records.create_batch(batch)
        self._send_step(batch)
        if rebuild_of:
            self.records.append_audit(
                at=now,
                actor=actor.username,
                action="batch.rebuild",
                target=batch.id,
                data={"of": rebuild_of},
            )
        return batch

    def get(self, actor: Actor, batch_id: str) -> Batch:
        self._require_dukcapil(actor)
        batch = self.records.get_batch(batch_id)
        if batch is None:
            raise NotFound("Batch tidak ditemukan.")
        return self._read(batch)

    def list_batches(
        self, actor: Actor, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        self._require_dukcapil(actor)
        items, next_cursor = self.records.list_batches(cursor=cursor, limit=max(1, min(limit, 100)))
        return [self._read(b) for b in items], next_cursor

    def download_url(self, actor: Actor, batch_id: str, volume: int = 1) -> str:
        """A short-lived URL of one volume; its first download queues the DITERIMA moves.

        A bounded number of store calls, whatever the volume holds.
        """
        batch = self.get(actor, batch_id)
        if batch.status != BATCH_READY or batch.purged_at:
            raise Conflict("Batch belum siap diunduh.")
        if not 1 <= volume <= len(batch.volumes):
            raise NotFound(f"Batch ini tidak punya jilid {volume}.")
        now = self._now()
        first = False
        for attempt in range(3):
            chosen = batch.volumes[volume - 1]
            if chosen.status != VOLUME_READY or chosen.key is None:
                raise Conflict("Jilid ini belum siap diunduh.")
            first = chosen.downloaded_at is None
            volumes = list(batch.volumes)
            volumes[volume - 1] = replace(
                chosen, downloaded_at=chosen.downloaded_at or now, downloads=chosen.downloads + 1
            )
            try:
                self.records.save_batch(
                    replace(
                        batch,
                        volumes=volumes,
                        downloaded_at=batch.downloaded_at or now,
                        downloads=batch.downloads + 1,
                        version=batch.version + 1,
                    ),
                    batch.version,
                )
                break
            except Conflict:
                if attempt == 2:
                    raise
                batch = self.get(actor, batch_id)  # another download at the same moment
        if first:
            self.queue.send(BatchAccept(batch.id, volume, None, actor.username).to_body())
        self.records.append_audit(
            at=now,
            actor=actor.username,
            action="batch.download",
            target=batch.id,
            data={"volume": volume, "count": chosen.count, "first": first},
        )
        suffix = f"-{volume}" if len(batch.volumes) > 1 else ""
        assert chosen.key is not None  # checked above
        return self.blobs.download_url(
            chosen.key,
            expires_in=self.settings.download_url_ttl,
            filename=f"bakso-{batch.id}{suffix}.zip",
        )

    # Worker: marking a downloaded volume DITERIMA --------------------------------
    def accept_chunk(self, batch_id: str, volume: int, after: str | None, by: str) -> None:
        """Move one chunk of a volume's waiting requests to DITERIMA, then queue the next.

        Idempotent: what is no longer DIAJUKAN is left as it is.
        """
        batch = self.records.get_batch(batch_id)
        if batch is None or not 1 <= volume <= len(batch.volumes):
            return
        start, through = self._volume_range(batch, volume)
        chunk = self.records.requests_in_batch(
            batch.id, after=after or start, through=through, limit=MAX_REQUEST_WRITES
        )
        excluded = {e["id"] for e in batch.excluded}
        now = self._now()
        moves = [
            (request, self._accepted(request, now))
            for request in chunk
            if request.status is Status.DIAJUKAN and request.id not in excluded
        ]
        writes = [
            RequestWrite(
                after_move,
                request.version,
                Event(request.id, now, by, Status.DIAJUKAN, Status.DITERIMA, ""),
            )
            for request, after_move in moves
        ]
        try:
            self.records.save_requests(writes)
            done = moves
        except Conflict:
            # One of them changed meanwhile: write one by one, leaving the changed ones.
            done = []
            for write, move in zip(writes, moves, strict=True):
                try:
                    self.records.save_requests([write])
                except Conflict:
                    continue
                done.append(move)
        for before, after_move in done:
            for observer in self.observers:
                observer.on_request_change(before, after_move, now)
        if len(chunk) == MAX_REQUEST_WRITES:
            after = batch_position(chunk[-1])
            self.queue.send(BatchAccept(batch.id, volume, after, by).to_body())

    @staticmethod
    def _accepted(request: Request, now: str) -> Request:
        return replace(
            request,
            status=Status.DITERIMA,
            version=request.version + 1,
            updated_at=now,
            status_since=now,
        )

    @staticmethod
    def _volume_range(batch: Batch, volume: int) -> tuple[str | None, str | None]:
        """(after, through) positions of a volume; a volume from before volumes is all."""
        chosen = batch.volumes[volume - 1]
        after = batch.volumes[volume - 2].last if volume > 1 else None
        return after or None, chosen.last or None

    # Worker: building -------------------------------------------------------------
    def _send_step(self, batch: Batch) -> None:
        self.queue.send(BatchBuildStep(batch.id, batch.step).to_body())

    def build_step(self, batch_id: str, step: int) -> None:
        """Do build step `step` of the batch, queue the next, record it.

        The next step is queued before this one is recorded: a crash between the
        two redelivers this step, which is then redone and queues the next again;
        never is a recorded step left without its successor. A message that
        arrives before its predecessor is recorded raises StepNotYet (redelivered
        later); a message for a step already recorded is dropped. Any other
        exception is a transient failure: the queue redelivers the message.
        """
        batch = self.records.get_batch(batch_id)
        if batch is None or batch.status != BATCH_BUILDING:
            return
        if batch.reads_failed(self._now(), self.settings.build_deadline):
            log.info("batch %s is past its deadline; step %d dropped", batch.id, step)
            return
        if step < batch.step:
            return  # done by another delivery
        if step > batch.step:
            raise StepNotYet(f"batch {batch.id}: step {step} before step {batch.step}")
        if batch.phase == PHASE_GATHER:
            updated = self._gather(batch)
        elif batch.phase == PHASE_PLAN:
            updated = self._plan(batch)
        else:
            updated = self._pack(batch)
        if batch.reads_failed(self._now(), self.settings.build_deadline):
            return  # read as failed while this step ran: its requests may be elsewhere
        updated = replace(
            updated, step=batch.step + 1, version=batch.version + 1, progress_at=self._now()
        )
        if updated.status == BATCH_BUILDING:
            self._send_step(updated)
        try:
            self.records.save_batch(updated, batch.version)
        except Conflict:
            log.info("batch %s step %d was recorded by another delivery", batch.id, step)
            return
        if updated.status == BATCH_READY:
            log.info(
                "batch %s ready: %d requests in %d volumes",
                batch.id,
                updated.count,
                len(updated.volumes),
            )

    def _gather(self, batch: Batch) -> Batch:
        filters = BatchFilters(**batch.filters)
        limit = self.settings.step_requests
        if batch.rebuild_of:
            candidates = self.records.requests_in_batch(
                batch.rebuild_of, after=batch.cursor, limit=limit
            )
            cursor = batch_position(candidates[-1]) if len(candidates) == limit else None
        else:
            page = self.records.list_requests(
                desa=filters.desa, status=Status.DIAJUKAN, cursor=batch.cursor, limit=limit
            )
            candidates, cursor = page.items, page.cursor
        free: dict[str, bool] = {}
        claimed = 0
        for request in candidates:
            if (
                request.status is not Status.DIAJUKAN
                or not request.ready
                or not filters.matches(request, self.regions)
            ):
                continue
            if request.batch_id == batch.id:
                claimed += 1  # taken by an earlier delivery of this step
                continue
            if request.batch_id and not self._is_free(request.batch_id, free):
                continue
            try:
                # Conditional on the version: a request claimed by a concurrent
                # batch, or changed meanwhile, is skipped rather than taken twice.
                self.records.save_request(
                    replace(request, batch_id=batch.id), request.version, None
                )
            except Conflict:
                continue
            claimed += 1
        if cursor is not None:
            return replace(batch, cursor=cursor, claimed=batch.claimed + claimed)
        return replace(
            batch,
            phase=PHASE_PLAN,
            cursor=None,
            claimed=batch.claimed + claimed,
            gathered_at=self._now(),
        )

    def _is_free(self, batch_id: str, cache: dict[str, bool]) -> bool:
        """A request held by a batch that reads FAILED may be taken by another."""
        if batch_id not in cache:
            holder = self.records.get_batch(batch_id)
            cache[batch_id] = holder is None or holder.reads_failed(
                self._now(), self.settings.build_deadline
            )
        return cache[batch_id]

    def _plan(self, batch: Batch) -> Batch:
        limit = self.settings.step_requests
        page = self.records.requests_in_batch(batch.id, after=batch.cursor, limit=limit)
        volumes = [replace(v) for v in batch.volumes]
        for request in page:
            size = self._planned_bytes(request)
            position = batch_position(request)
            current = volumes[-1] if volumes else None
            if (
                current is None
                or current.count >= self.settings.volume_requests
                or current.size + size > self.settings.volume_bytes
            ):
                volumes.append(Volume(len(volumes) + 1, position, position, 1, size))
            else:
                current.last, current.count, current.size = (
                    position,
                    current.count + 1,
                    current.size + size,
                )
        planned = batch.planned + len(page)
        if len(page) == limit:
            return replace(batch, volumes=volumes, planned=planned, cursor=batch_position(page[-1]))
        if planned < batch.claimed and self._recently(batch.gathered_at):
            raise IndexLagging(f"batch {batch.id}: {planned} of {batch.claimed} visible")
        if not volumes:
            return replace(batch, phase=PHASE_DONE, status=BATCH_READY, cursor=None, planned=0)
        return replace(batch, volumes=volumes, planned=planned, phase=PHASE_PACK, cursor=None)

    def _recently(self, at: str | None) -> bool:
        if at is None:
            return False
        elapsed = self.clock() - datetime.fromisoformat(at)
        return elapsed.total_seconds() < INDEX_SETTLE_SECONDS

    def _planned_bytes(self, request: Request) -> int:
        scans = [s for s in self.records.list_scans(request.id) if s.state == "ok"]
        berkas = (self.blobs.size(request.berkas_key) or 0) if request.berkas_key else 0
        files = len(scans) + 1
        return (
            sum(s.size for s in scans) + berkas + files * ZIP_ENTRY_OVERHEAD + MANIFEST_ROW_OVERHEAD
        )

    def _pack(self, batch: Batch) -> Batch:
        index = next(i for i, v in enumerate(batch.volumes) if v.status == VOLUME_PENDING)
        volume = batch.volumes[index]
        after, through = self._volume_range(batch, volume.n)
        requests = self.records.requests_in_batch(batch.id, after=after, through=through)
        excluded = list(batch.excluded)
        key = f"batches/{batch.id}/bakso-{batch.id}-{volume.n:03d}.zip"
        while True:
            left_out = {e["id"] for e in excluded}
            members = [r for r in requests if r.id not in left_out]
            waiting = [r for r in members if r.status is Status.DIAJUKAN]
            for request in members:
                if request.status is not Status.DIAJUKAN:
                    excluded.append(
                        self._exclusion(
                            request,
                            volume.n,
                            f"Berstatus {LABELS[request.status]} saat dikemas; tidak dikemas.",
                        )
                    )
            try:
                with self.blobs.writer(key, "application/zip") as sink:
                    out = _HashingSink(sink)
                    self.write_volume(
                        batch,
                        volume.n,
                        waiting,
                        [e for e in excluded if e["volume"] == volume.n],
                        out,
                    )
            except _BrokenFiles as broken:
                # Leave it out and pack the volume again without it; the desa is
                # told which page to photograph again.
                excluded.append(self._exclusion(broken.request, volume.n, broken.reason))
                if self.send_back is not None:
                    self.send_back(broken.request.id, broken.reason)
                log.warning(
                    "batch %s: request %s left out of volume %d",
                    batch.id,
                    broken.request.id,
                    volume.n,
                )
                continue
            break
        packed = replace(
            volume,
            status=VOLUME_READY,
            key=key,
            size=out.size,
            sha256=out.digest.hexdigest(),
            count=len(waiting),
        )
        volumes = list(batch.volumes)
        volumes[index] = packed
        if any(v.status == VOLUME_PENDING for v in volumes):
            return replace(batch, volumes=volumes, excluded=excluded)
        return replace(
            batch,
            volumes=volumes,
            excluded=excluded,
            phase=PHASE_DONE,
            status=BATCH_READY,
            count=sum(v.count for v in volumes),
            size=sum(v.size for v in volumes),
        )

    @staticmethod
    def _exclusion(request: Request, volume: int, reason: str) -> dict[str, Any]:
        return {"id": request.id, "code": request.code, "reason": reason, "volume": volume}

    # Writing a volume ----------------------------------------------------------
    def write_volume(
        self,
        batch: Batch,
        volume: int,
        requests: Sequence[Request],
        excluded: Sequence[dict[str, Any]],
        out: _HashingSink,
    ) -> None:
        """The layout of DESIGN §3, one volume; stored, not deflated (scans are compressed).

        Entries carry the batch's creation time, so a rebuilt volume has the same bytes.
        """
        stamp = _zip_time(batch.created_at)
        sums: list[tuple[str, str]] = []
        manifest_rows: list[dict[str, Any]] = []
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for request in requests:
                files = self._write_request(zf, request, sums, stamp)
                manifest_rows.append(self._manifest_row(request, files))
            manifest = {
                "batch": {
                    "id": batch.id,
                    "created_at": batch.created_at,
                    "created_by": batch.created_by,
                    "filters": batch.filters,
                    "volume": volume,
                    "volumes": len(batch.volumes),
                    "count": len(requests),
                },
                "requests": manifest_rows,
                "excluded": [
                    {"id": e["id"], "code": e["code"], "reason": e["reason"]} for e in excluded
                ],
            }
            self._write_bytes(
                zf,
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                sums,
                stamp,
            )
            self._write_bytes(zf, "manifest.csv", self._manifest_csv(manifest_rows), sums, stamp)
            lines = "".join(f"{digest}  {name}\n" for name, digest in sums)
            zf.writestr(_entry("SHA256SUMS", stamp), lines.encode())

    def _write_request(
        self,
        zf: zipfile.ZipFile,
        request: Request,
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
    ) -> list[dict[str, Any]]:
        service = self.catalog.get(request.service)
        scans: list[Scan] = [s for s in self.records.list_scans(request.id) if s.state == "ok"]
        if service is not None:
            scans = ordered_scans(service, scans)
        files: list[dict[str, Any]] = []
        if request.berkas_key:
            files.append(
                self._write_blob(
                    zf,
                    f"{request.code}/berkas.pdf",
                    request.berkas_key,
                    sums,
                    stamp,
                    request,
                    expected=None,
                    label="Berkas cetak (berkas.pdf)",
                )
            )
        pages: dict[str, int] = {}
        for scan in scans:
            pages[scan.requirement] = pages.get(scan.requirement, 0) + 1
            name = (
                f"{request.code}/{scan.requirement}-{pages[scan.requirement]}"
                f".{EXTENSIONS.get(scan.content_type, 'bin')}"
            )
            requirement = service.requirement(scan.requirement) if service else None
            label = requirement.label if requirement else scan.requirement
            entry = self._write_blob(
                zf,
                name,
                scan.key,
                sums,
                stamp,
                request,
                expected=scan.sha256,
                label=f"{label} (halaman {pages[scan.requirement]})",
            )
            entry["requirement"] = scan.requirement
            files.append(entry)
        return files

    def _write_blob(
        self,
        zf: zipfile.ZipFile,
        name: str,
        key: str,
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
        request: Request,
        *,
        expected: str | None,
        label: str,
    ) -> dict[str, Any]:
        try:
            with zf.open(_entry(name, stamp), "w", force_zip64=True) as entry:
                writer = _HashingSink(entry)
                for chunk in self.blobs.iter_chunks(key):
                    writer.write(chunk)
        except NotFound:
            raise _BrokenFiles(
                request, f"{label} tidak ditemukan di penyimpanan; foto ulang dan ajukan kembali."
            ) from None
        digest = writer.digest.hexdigest()
        if expected is not None and digest != expected:
            raise _BrokenFiles(
                request,
                f"{label} berubah setelah diunggah (SHA-256 tidak cocok); "
                "foto ulang dan ajukan kembali.",
            )
        sums.append((name, digest))
        return {"path": name, "sha256": digest, "size": writer.size}

    @staticmethod
    def _write_bytes(
        zf: zipfile.ZipFile,
        name: str,
        data: bytes,
        sums: list[tuple[str, str]],
        stamp: tuple[int, int, int, int, int, int],
    ) -> None:
        zf.writestr(_entry(name, stamp), data)
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


def _zip_time(created_at: str) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromisoformat(created_at)
    return (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _entry(name: str, stamp: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info
