"""Dukcapil batches: the officers' use cases, and marking a downloaded volume DITERIMA.

Building is batch_build.py (the worker's steps); writing a volume, batch_volume.py.

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

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from ..domain.catalog import Catalog
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.forms import Forms
from ..domain.lifecycle import Status
from ..domain.model import (
    BATCH_BUILDING,
    BATCH_FAILED,
    BATCH_READY,
    VOLUME_READY,
    Actor,
    Batch,
    Event,
    Request,
    batch_position,
)
from ..domain.regions import Regions, kabupaten_of
from ..messages import BatchAccept
from ..ports import (
    MAX_REQUEST_WRITES,
    Blobs,
    Queue,
    RequestWrite,
)
from . import newest_merge
from .batch_build import (
    BatchBuilder,
    BatchFilters,
    BatchRecords,
    BatchSettings,
    StepNotYet,
    volume_range,
)
from .batch_sources import sources, waiting_page
from .batch_volume import VolumeWriter
from .sasaran import RequestObserver

log = logging.getLogger(__name__)

__all__ = ["BatchFilters", "BatchService", "BatchSettings", "StepNotYet"]

READY_CHECK_PAGES = 5
NOTHING_READY = (
    "Belum ada permohonan siap untuk paket dengan pilihan ini: tunggu permohonan yang"
    " diajukan desa selesai diperiksa, atau ubah pilihan kecamatan, desa atau layanan."
)


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
        default_kabupaten: str,
        forms: Forms | None = None,
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.catalog = catalog
        self.regions = regions
        self.clock = clock
        self.settings = settings
        self.observers = list(observers)  # told of the DIAJUKAN → DITERIMA moves
        # Whose a batch from before #16 is (it names no kabupaten): the deployment's default.
        self.default_kabupaten = default_kabupaten
        self.builder = BatchBuilder(
            records,
            blobs,
            queue,
            regions,
            clock,
            settings,
            VolumeWriter(records, blobs, catalog, regions, forms),
            send_back,
            default_kabupaten=default_kabupaten,
        )

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    @staticmethod
    def _require_dukcapil(actor: Actor) -> None:
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengelola paket berkas.")

    def _read(self, batch: Batch) -> Batch:
        return batch.as_read(self._now(), self.settings.build_deadline)

    # API ----------------------------------------------------------------------
    def _kabupaten(self, actor: Actor) -> str:
        """The kabupaten an officer makes and lists batches for (#16)."""
        return actor.kabupaten or self.default_kabupaten

    def kabupaten_of(self, batch: Batch) -> str:
        return batch.kabupaten or self.default_kabupaten

    def create(self, actor: Actor, filters: BatchFilters) -> Batch:
        """Record the batch and queue its first build step; the worker does the rest.

        The batch is the officer's kabupaten's: it takes only that kabupaten's requests,
        and a desa or kecamatan of another is as unknown as one that does not exist."""
        self._require_dukcapil(actor)
        kabupaten = self._kabupaten(actor)
        if filters.desa and (
            not self.regions.is_desa(filters.desa) or kabupaten_of(filters.desa) != kabupaten
        ):
            raise InvalidInput(f"Desa '{filters.desa}' tidak dikenal.")
        kecamatan = self.regions.get(filters.kecamatan) if filters.kecamatan else None
        if filters.kecamatan and (
            kecamatan is None
            or kecamatan.level != "kecamatan"
            or kabupaten_of(filters.kecamatan) != kabupaten
        ):
            raise InvalidInput(f"Kecamatan '{filters.kecamatan}' tidak dikenal.")
        if filters.service and self.catalog.get(filters.service) is None:
            raise InvalidInput(f"Layanan '{filters.service}' tidak dikenal.")
        if not self._any_ready(filters, kabupaten):
            raise Conflict(NOTHING_READY)
        return self._start(
            actor,
            {"kecamatan": filters.kecamatan, "desa": filters.desa, "service": filters.service},
            rebuild_of=None,
            kabupaten=kabupaten,
        )

    def _any_ready(self, filters: BatchFilters, kabupaten: str) -> bool:
        """Whether a request waits for this batch: one a build would claim.

        Reads at most READY_CHECK_PAGES pages of DIAJUKAN requests; past them it
        cannot tell cheaply, and the build itself decides.
        """
        cursor: str | None = None
        free: dict[str, bool] = {}
        places = sources(filters, self.regions)
        for _ in range(READY_CHECK_PAGES):
            page = waiting_page(self.records, kabupaten, places, cursor, 100)
            for request in page.items:
                if (
                    request.ready
                    and filters.matches(request, self.regions)
                    and (not request.batch_id or self.builder.is_free(request.batch_id, free))
                ):
                    return True
            cursor = page.cursor
            if cursor is None:
                return False
        return True

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
        return self._start(
            actor, dict(old.filters), rebuild_of=old.id, kabupaten=self.kabupaten_of(old)
        )

    def _start(
        self,
        actor: Actor,
        filters: dict[str, str | None],
        *,
        rebuild_of: str | None,
        kabupaten: str,
    ) -> Batch:
        now = self._now()
        batch = Batch(
            id=uuid.uuid4().hex,
            created_by=actor.username,
            created_at=now,
            filters=filters,
            progress_at=now,
            rebuild_of=rebuild_of,
            kabupaten=kabupaten,
        )
        self.records.create_batch(batch)
        self.builder.send_step(batch)
        if rebuild_of:
            self.records.append_audit(
                chain=batch.kabupaten,
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
        # Another kabupaten's batch is as unknown as one that does not exist (#16).
        if batch is None or not actor.can_see_kabupaten(self.kabupaten_of(batch)):
            raise NotFound("Batch tidak ditemukan.")
        return self._read(batch)

    def list_batches(
        self, actor: Actor, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        """The officer's kabupaten's batches, newest first; the default kabupaten's list
        holds those from before #16 too (stored naming none), merged by age."""
        self._require_dukcapil(actor)
        kabupaten = self._kabupaten(actor)
        lists = [kabupaten, ""] if kabupaten == self.default_kabupaten else [kabupaten]

        def reader(of: str) -> newest_merge.Reader[Batch]:
            def read(at: str | None, size: int) -> tuple[list[Batch], str | None]:
                return self.records.list_batches(kabupaten=of, cursor=at, limit=size)

            return read

        items, next_cursor = newest_merge.merged_page(
            [reader(of) for of in lists], cursor, max(1, min(limit, 100))
        )
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
            chain=batch.kabupaten,
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
        start, through = volume_range(batch, volume)
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

    # Worker: building, by the builder (batch_build.py) ------------------------------
    def build_step(self, batch_id: str, step: int) -> None:
        self.builder.build_step(batch_id, step)
