"""Keeping a request's personal data no longer than needed (DESIGN §3, docs/retention.md).

The daily run asks the records store, per desa and retention clock
(domain.retention), for the requests whose clock ran out, and erases each: every
blob the request ever had (all scans, every berkas.pdf, every issued PDF, each
version of them), its scan records, the notes of its timeline, and every
personal field of the request itself, keeping the skeleton for statistics. An
abandoned DRAF or PERLU_PERBAIKAN is first cancelled by the system.

Nothing else is read: what is erased leaves the index, so a rerun finds nothing
more (idempotent) and a run cut short is simply run again (resumable). A
request changed while it is being handled fails its conditional write and is
left to the next run.

Batch volumes, unfinished uploads and sasaran data are services/retention_files.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from ..domain.errors import Conflict, InvalidInput
from ..domain.model import Request
from ..domain.refusals import BAD_CURSOR
from ..domain.regions import Regions, kabupaten_of
from ..domain.retention import (
    ABANDONED_CLOCK,
    CLOCKS,
    RetentionNote,
    RetentionPolicy,
    blob_prefixes,
    erased,
    retention_clock,
    retention_note,
)
from ..ports import AuditLog, Blobs, RequestStore, ScanStore

log = logging.getLogger(__name__)

PAGE = 100
BACKFILL_PAGE = 100

# The system cancels an abandoned request (RequestService.cancel_abandoned): the
# request moved, or None if it changed meanwhile.
Cancel = Callable[[Request, str], Request | None]


@dataclass(frozen=True)
class PurgeReport:
    requests: int  # erased
    blobs: int  # blobs deleted (each with every stored version)
    cancelled: int  # abandoned requests the system cancelled before erasing them

    def to_dict(self) -> dict[str, int]:
        return {"requests": self.requests, "blobs": self.blobs, "cancelled": self.cancelled}


class RetentionRecords(RequestStore, ScanStore, AuditLog, Protocol):
    """The records ports RetentionService uses (one Records adapter serves them all)."""

    def compact(self) -> None: ...  # ports.Records.compact


class RetentionService:
    def __init__(
        self,
        records: RetentionRecords,
        blobs: Blobs,
        regions: Regions,
        clock: Callable[[], datetime],
        policy: RetentionPolicy,
        cancel: Cancel,
        forget_messages: Callable[[str], None] | None = None,
        compact_messages: Callable[[], None] | None = None,
    ) -> None:
        self.records = records
        self.blobs = blobs
        self.regions = regions
        self.clock = clock
        self.policy = policy
        self.cancel = cancel
        # The notifier's own copies of a request's messages (the local one keeps the number
        # and the text); the sent-log keeps keys only (docs/notifications.md).
        self.forget_messages = forget_messages
        self.compact_messages = compact_messages  # the notifier's and the queue's files

    def note(self, request: Request) -> RetentionNote:
        """When the request's personal data goes, and whether its desa must be warned."""
        return retention_note(request, self.policy, self.clock())

    def purge(self) -> PurgeReport:
        now = self.clock()
        at = now.isoformat(timespec="milliseconds")
        requests = blobs = cancelled = 0
        for clock in CLOCKS:
            until = self.policy.cutoff(clock, now)
            for desa in self.regions.desa():
                for request in self._due(desa.code, clock, until):
                    running = retention_clock(request)
                    if running is None or running.name != clock or running.since > until:
                        continue  # changed since the index was read: no longer due
                    if clock == ABANDONED_CLOCK:
                        moved = self.cancel(request, self._cancel_note())
                        if moved is None:
                            continue  # touched meanwhile: the desa still works on it
                        cancelled += 1
                        request = moved
                    deleted = self._erase(request, at)
                    if deleted is not None:
                        requests += 1
                        blobs += deleted
        if requests or cancelled:
            # What was erased must not stay in a SQLite WAL (the PIN, the phone, the token).
            self.records.compact()
            if self.compact_messages is not None:
                self.compact_messages()
            log.info(
                "retention: %d requests erased (%d cancelled first), %d blobs deleted",
                requests,
                cancelled,
                blobs,
            )
        return PurgeReport(requests, blobs, cancelled)

    def backfill(self, cursor: str | None = None, pages: int = 10) -> tuple[int, str | None]:
        """Write requests stored before the retention index existed again, so it holds them.

        Once, after upgrading a DynamoDB deployment (SQLite's migration fills its
        index itself). Reads at most `pages` pages of every request of every served
        kabupaten, one kabupaten's list after another, newest first; returns how many
        were written and the cursor to go on from ("<kabupaten>/<its list's cursor>";
        None: done). Each write is conditional on the version read: a request written
        meanwhile was indexed by that write.
        """
        served = [k.code for k in self.regions.kabupaten()]
        index, at = 0, None
        if cursor is not None:
            kabupaten, _, rest = cursor.partition("/")
            if kabupaten not in served:
                raise InvalidInput(BAD_CURSOR)
            index, at = served.index(kabupaten), rest or None
        written = 0
        for _ in range(pages):
            page = self.records.list_requests(
                kabupaten=served[index], desa=None, status=None, cursor=at, limit=BACKFILL_PAGE
            )
            for request in page.items:
                try:
                    self.records.save_request(request, request.version, None)
                except Conflict:
                    continue
                written += 1
            at = page.cursor
            if at is None:
                index += 1
                if index == len(served):
                    return written, None
        return written, f"{served[index]}/{at or ''}"

    def _due(self, desa: str, clock: str, until: str) -> Iterator[Request]:
        cursor: str | None = None
        while True:
            page = self.records.list_retention_due(
                desa=desa, clock=clock, until=until, cursor=cursor, limit=PAGE
            )
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def _erase(self, request: Request, at: str) -> int | None:
        """Erase one request; the blobs deleted, or None if it changed meanwhile.

        Blobs, scan records and notes go first: each step is idempotent, and the
        request leaves the index only with the last write, so a run stopped
        half-way is finished by the next.
        """
        # Never before the status it erases (the cancellation, or a clock behind the
        # request service's): an erased request must read as erased since its status.
        at = max(at, request.status_since)
        prefixes = blob_prefixes(request.id)
        deleted = sum(self.blobs.erase_prefix(prefix) for prefix in prefixes)
        for scan in self.records.list_scans(request.id):
            if not scan.key.startswith(tuple(prefixes)):
                self.blobs.delete(scan.key)
                deleted += 1
            self.records.delete_scan(request.id, scan.id)
        self.records.clear_timeline_notes(request.id)
        if self.forget_messages is not None:
            self.forget_messages(request.id)
        skeleton = replace(erased(request, at), version=request.version + 1, updated_at=at)
        try:
            self.records.save_request(skeleton, request.version, None)
        except Conflict:
            return None
        self.records.append_audit(
            chain=kabupaten_of(request.desa),
            at=at,
            actor="system",
            action="request.purged",
            target=request.id,
            data={"blobs": deleted, "status": request.status.value},
        )
        return deleted

    def _cancel_note(self) -> str:
        days = self.policy.abandoned_days
        return (
            f"Dibatalkan otomatis oleh sistem: tidak ada perubahan selama {days} hari. "
            "Data pribadi dan berkasnya dihapus."
        )
