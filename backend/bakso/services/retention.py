"""Keeping personal data no longer than needed (DESIGN §3).

A set time after a request reaches a final status, its scans, printable file
and issued document are deleted; the request keeps its skeleton and timeline,
and the audit log stays whole. Batch zips go the same time after they were
built. Locally a job runs this; on AWS an S3 lifecycle rule does the same for
batches, and the worker's scheduled run for the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.errors import Conflict
from ..domain.lifecycle import FINAL
from ..domain.model import Batch, Request
from ..ports import AuditLog, BatchStore, Blobs, RequestStore, ScanStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeReport:
    requests: int
    blobs: int
    batches: int


class RetentionRecords(RequestStore, ScanStore, BatchStore, AuditLog, Protocol):
    """The records ports RetentionService uses (one Records adapter serves them all)."""


class RetentionService:
    def __init__(
        self, records: RetentionRecords, blobs: Blobs, clock: Callable[[], datetime], days: int
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.clock = clock
        self.days = days

    def purge(self) -> PurgeReport:
        now = self.clock()
        cutoff = (now - timedelta(days=self.days)).isoformat(timespec="milliseconds")
        at = now.isoformat(timespec="milliseconds")
        requests = blobs = 0
        for request in self._final_requests():
            if request.purged_at or request.status_since >= cutoff:
                continue
            blobs += self._purge_request(request, at)
            requests += 1
        batches = 0
        for batch in self._batches():
            if batch.volumes and not batch.purged_at and batch.created_at < cutoff:
                for volume in batch.volumes:
                    if volume.key:
                        self.blobs.delete(volume.key)
                try:
                    self.records.save_batch(
                        replace(batch, purged_at=at, version=batch.version + 1), batch.version
                    )
                except Conflict:
                    continue  # changed meanwhile: the next run marks it
                batches += 1
        if requests or batches:
            log.info(
                "retention: %d requests, %d blobs, %d batches purged", requests, blobs, batches
            )
        return PurgeReport(requests, blobs, batches)

    def _purge_request(self, request: Request, at: str) -> int:
        keys = {s.key for s in self.records.list_scans(request.id)}
        if request.berkas_key:
            keys.add(request.berkas_key)
        if request.issued:
            keys.add(str(request.issued["key"]))
        for key in keys:
            self.blobs.delete(key)
        try:
            self.records.save_request(replace(request, purged_at=at), request.version, None)
        except Conflict:
            return len(keys)  # changed meanwhile: the next run marks it
        self.records.append_audit(
            at=at,
            actor="system",
            action="request.purged",
            target=request.id,
            data={"blobs": len(keys)},
        )
        return len(keys)

    def _final_requests(self) -> Iterator[Request]:
        for status in sorted(FINAL):
            cursor: str | None = None
            while True:
                page = self.records.list_requests(
                    desa=None, status=status, cursor=cursor, limit=100
                )
                yield from page.items
                if page.cursor is None:
                    break
                cursor = page.cursor

    def _batches(self) -> Iterator[Batch]:
        cursor: str | None = None
        while True:
            items, cursor = self.records.list_batches(cursor=cursor, limit=100)
            yield from items
            if cursor is None:
                return
