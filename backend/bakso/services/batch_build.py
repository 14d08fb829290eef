"""Building a batch: the chain of bounded worker steps (gather, plan, pack) of docs/batches.md.

Each step is one queue message (messages.BatchBuildStep). It does a bounded
amount of work, queues the next step, then records itself on the batch with a
write conditional on the batch's version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from ..domain.errors import Conflict
from ..domain.lifecycle import LABELS, Status
from ..domain.model import (
    BATCH_BUILDING,
    BATCH_READY,
    PHASE_DONE,
    PHASE_GATHER,
    PHASE_PACK,
    PHASE_PLAN,
    VOLUME_PENDING,
    VOLUME_READY,
    Batch,
    Request,
    Volume,
    batch_position,
)
from ..domain.regions import Regions, kabupaten_of
from ..messages import BatchBuildStep
from ..ports import (
    AuditLog,
    BatchStore,
    Blobs,
    Queue,
    RequestStore,
    ScanStore,
)
from .batch_sources import sources, waiting_page
from .batch_volume import BrokenFiles, HashingSink, VolumeWriter

log = logging.getLogger(__name__)

ZIP_ENTRY_OVERHEAD = 512
MANIFEST_ROW_OVERHEAD = 8 * 1024
MANIFEST_FIELDS_FACTOR = 10
# DynamoDB's indexes lag writes by a moment: a plan that sees fewer requests than
# were claimed, this soon after gathering, waits for the index (redelivery).
INDEX_SETTLE_SECONDS = 60


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


class BatchRecords(RequestStore, ScanStore, BatchStore, AuditLog, Protocol):
    """The records ports BatchService uses (one Records adapter serves them all)."""


class BatchBuilder:
    def __init__(
        self,
        records: BatchRecords,
        blobs: Blobs,
        queue: Queue,
        regions: Regions,
        clock: Callable[[], datetime],
        settings: BatchSettings,
        writer: VolumeWriter,
        send_back: Callable[[str, str], bool] | None = None,
        *,
        default_kabupaten: str,
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.queue = queue
        self.regions = regions
        self.clock = clock
        self.settings = settings
        self.writer = writer
        # Moves a request with broken files back to the desa (RequestService).
        self.send_back = send_back
        # Whose a batch from before #16 is (it names no kabupaten).
        self.default_kabupaten = default_kabupaten

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    def send_step(self, batch: Batch) -> None:
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
            self.send_step(updated)
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
        kabupaten = batch.kabupaten or self.default_kabupaten
        limit = self.settings.step_requests
        if batch.rebuild_of:
            candidates = self.records.requests_in_batch(
                batch.rebuild_of, after=batch.cursor, limit=limit
            )
            cursor = batch_position(candidates[-1]) if len(candidates) == limit else None
        else:
            page = waiting_page(
                self.records,
                kabupaten,
                sources(filters, self.regions),
                batch.cursor,
                limit,
            )
            candidates, cursor = page.items, page.cursor
        free: dict[str, bool] = {}
        claimed = 0
        for request in candidates:
            if (
                request.status is not Status.DIAJUKAN
                or not request.ready
                or kabupaten_of(request.desa) != kabupaten
                or not filters.matches(request, self.regions)
            ):
                continue
            if request.batch_id == batch.id:
                claimed += 1  # taken by an earlier delivery of this step
                continue
            if request.batch_id and not self.is_free(request.batch_id, free):
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

    def is_free(self, batch_id: str, cache: dict[str, bool]) -> bool:
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
        # The form's fields appear labelled in manifest.json and again in the tables:
        # ~7× their stored JSON (a KK of 20 members: 5.9 KB stored, ~43 KB in the manifest).
        form = MANIFEST_FIELDS_FACTOR * len(json.dumps(request.fields)) if request.fields else 0
        return (
            sum(s.size for s in scans)
            + berkas
            + files * ZIP_ENTRY_OVERHEAD
            + MANIFEST_ROW_OVERHEAD
            + form
        )

    def _pack(self, batch: Batch) -> Batch:
        index = next(i for i, v in enumerate(batch.volumes) if v.status == VOLUME_PENDING)
        volume = batch.volumes[index]
        after, through = volume_range(batch, volume.n)
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
                    out = HashingSink(sink)
                    self.writer.write_volume(
                        batch,
                        volume.n,
                        waiting,
                        [e for e in excluded if e["volume"] == volume.n],
                        out,
                    )
            except BrokenFiles as broken:
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


def volume_range(batch: Batch, volume: int) -> tuple[str | None, str | None]:
    """(after, through) positions of a volume; a volume from before volumes is all."""
    chosen = batch.volumes[volume - 1]
    after = batch.volumes[volume - 2].last if volume > 1 else None
    return after or None, chosen.last or None
