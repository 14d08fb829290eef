"""Keeping personal data no longer than needed (DESIGN §3): everything but the requests.

RetentionService (retention.py) erases requests; this erases what is left
around them, in the same daily run:

- batch volumes, BATCH_RETENTION_DAYS after the batch was created (a batch can
  always be built again); the batch is marked purged. On AWS an S3 lifecycle
  rule on `batches/` deletes them too (infra/bakso.yaml);
- never-completed uploads, UPLOAD_RETENTION_DAYS (1) after they were
  registered: a scan left `pending` (its record and any bytes at its key), a
  bulk return never finished (its CSV and zip; the run is marked FAILED), a
  sasaran import never finished (its file and chunk files; likewise). Finished
  returns and imports delete their files themselves;
- sasaran rows, RETENTION_DAYS after they were closed (served, or followed up
  as moved, deceased or already holding the document): name, NIK, address and
  notes are erased (domain.sasaran.erased) and the row leaves the worklist; the
  coverage counters stay as they are, because the row still counts.

Each kind is found through the stores' retention index (bakso.ports.due),
oldest first, never by reading every record. What is handled leaves the index,
so a rerun changes nothing and a run cut short is finished by the next one.
Files kept under a run's own folder (batches/<id>/, returns/<id>/,
sasaran-imports/<id>/) go with every S3 version (Blobs.erase_prefix); a scan's
bytes by a plain delete, whose noncurrent version the bucket's lifecycle
expires within 7 days. docs/retention.md says what is kept and why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from ..domain.errors import Conflict
from ..domain.model import BATCH_BUILDING
from ..domain.returns import RETURN_FAILED
from ..domain.sasaran import IMPORT_FAILED, closed_at, erased, row_deltas
from ..ports import (
    AuditLog,
    BatchStore,
    Blobs,
    DuePage,
    ImportStore,
    ReturnStore,
    RowWrite,
    ScanStore,
    WorklistStore,
)
from .return_base import table_key
from .sasaran_imports import _source_key as source_key

log = logging.getLogger(__name__)

T = TypeVar("T")
PAGE = 100
RETURN_EXPIRED = (
    "Berkas pengembalian dihapus karena tidak selesai diproses dalam {days} hari; "
    "buat pengembalian baru dan unggah ulang."
)
IMPORT_EXPIRED = (
    "Berkas impor dihapus karena tidak selesai diproses dalam {days} hari; unggah ulang."
)


@dataclass(frozen=True)
class FileRetentionSettings:
    batch_days: int = 30  # BATCH_RETENTION_DAYS; the S3 rule's days must match (docs/retention.md)
    upload_days: int = 1  # UPLOAD_RETENTION_DAYS
    sasaran_days: int = 90  # RETENTION_DAYS, counted from a row's close
    tombstone_days: int = 30  # SASARAN_TOMBSTONE_DAYS: how long a removed row's id is kept
    build_deadline: int = 3600  # BATCH_BUILD_DEADLINE: a batch still building is left alone


@dataclass(frozen=True)
class FileRetentionReport:
    batches: int = 0  # batches whose volumes were deleted
    uploads: int = 0  # never-completed scans removed
    returns: int = 0  # unfinished bulk returns whose files were deleted
    imports: int = 0  # unfinished sasaran imports whose files were deleted
    sasaran_rows: int = 0  # closed rows whose personal values were erased
    tombstones: int = 0  # worklist tombstones expired (clients older than them start over)
    blobs: int = 0  # blobs deleted (scan keys: deletions asked for, harmless if gone)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class FileRetentionRecords(ScanStore, BatchStore, ReturnStore, AuditLog, Protocol):
    """The records ports FileRetentionService uses (one Records adapter serves them all)."""

    def compact(self) -> None: ...  # ports.Records.compact


class FileRetentionSasaran(WorklistStore, ImportStore, Protocol):
    """The sasaran ports FileRetentionService uses."""

    def compact(self) -> None: ...  # ports.SasaranStore.compact


class FileRetentionService:
    def __init__(
        self,
        records: FileRetentionRecords,
        sasaran: FileRetentionSasaran,
        blobs: Blobs,
        clock: Callable[[], datetime],
        settings: FileRetentionSettings,
    ) -> None:
        self.records = records
        self.sasaran = sasaran
        self.blobs = blobs
        self.clock = clock  # public: a test moves it forward
        self.settings = settings
        self._at = ""
        self._blobs = 0

    def purge(self) -> FileRetentionReport:
        now = self.clock()
        self._at = now.isoformat(timespec="milliseconds")
        self._blobs = 0
        counts = {
            "batches": self._purge_batches(now),
            "uploads": self._purge_scans(now),
            "returns": self._purge_returns(now),
            "imports": self._purge_imports(now),
            "sasaran_rows": self._purge_rows(now),
            "tombstones": self._expire_tombstones(now),
        }
        report = FileRetentionReport(**counts, blobs=self._blobs)
        if any(counts.values()):
            # Counts only: the entries of what was deleted are in the log already.
            self.records.append_audit(
                chain="",  # the whole deployment's counts: the default kabupaten's chain
                at=self._at,
                actor="system",
                action="retention.files",
                target="retention",
                data=report.as_dict(),
            )
            log.info("file retention: %s", report.as_dict())
            # Erased rows (sasaran names and NIK, import lines) must not stay in a WAL.
            self.records.compact()
            self.sasaran.compact()
        return report

    # Batches ---------------------------------------------------------------
    def _purge_batches(self, now: datetime) -> int:
        done = 0
        before = _cutoff(now, self.settings.batch_days)
        for listed in _walk(
            lambda c: self.records.unpurged_batches(before=before, cursor=c, limit=PAGE)
        ):
            batch = self.records.get_batch(listed.id)  # the index may lag: act on the record
            if batch is None or batch.purged_at or batch.created_at >= before:
                continue
            if batch.status == BATCH_BUILDING and not batch.reads_failed(
                self._at, self.settings.build_deadline
            ):
                continue  # still being built: its steps would write volumes again
            # Every version of every volume at once (a plain delete on S3 leaves one).
            self._erase(f"batches/{batch.id}/")
            if batch.key:
                self._delete(batch.key)
            try:
                self.records.save_batch(
                    replace(batch, purged_at=self._at, version=batch.version + 1), batch.version
                )
            except Conflict:
                continue  # changed meanwhile: the next run marks it
            done += 1
        return done

    # Never-completed scans ---------------------------------------------------
    def _purge_scans(self, now: datetime) -> int:
        done = 0
        before = _cutoff(now, self.settings.upload_days)
        for listed in _walk(
            lambda c: self.records.pending_scans(before=before, cursor=c, limit=PAGE)
        ):
            scan = self.records.get_scan(listed.request_id, listed.id)
            if scan is None or scan.state != "pending" or scan.created_at >= before:
                continue
            self.records.delete_scan(scan.request_id, scan.id)
            # Scans of one request share a key when their bytes are the same.
            if not any(s.key == scan.key for s in self.records.list_scans(scan.request_id)):
                self._delete(scan.key)
            done += 1
        return done

    # Unfinished bulk returns and sasaran imports: the same rule for both ----------
    def _purge_returns(self, now: datetime) -> int:
        return self._expire_uploads(
            now,
            lambda before, c: self.records.unfinished_returns(before=before, cursor=c, limit=PAGE),
            lambda run_id: _folder(table_key(run_id)),
            self.records.get_return,
            self.records.save_return,
            RETURN_FAILED,
            RETURN_EXPIRED,
        )

    def _purge_imports(self, now: datetime) -> int:
        # The file and its chunk files, every version, and a chunk a cut-short parse left.
        return self._expire_uploads(
            now,
            lambda before, c: self.sasaran.unfinished_imports(before=before, cursor=c, limit=PAGE),
            lambda run_id: _folder(source_key(run_id)),
            self.sasaran.get_import,
            self.sasaran.save_import,
            IMPORT_FAILED,
            IMPORT_EXPIRED,
        )

    def _expire_uploads(
        self,
        now: datetime,
        unfinished: Callable[[str, str | None], DuePage[Any]],
        folder: Callable[[str], str],
        get: Callable[[str], Any],
        save: Callable[[Any], None],
        failed: str,
        expired: str,
    ) -> int:
        """Erase an upload never finished within the days, and fail its run saying why."""
        done = 0
        days = self.settings.upload_days
        before = _cutoff(now, days)
        for listed in _walk(lambda c: unfinished(before, c)):
            self._erase(folder(listed.id))
            run = get(listed.id)
            if run is None or run.status == failed or run.finished_at:
                continue
            run.status, run.finished_at = failed, self._at
            run.error = expired.format(days=days)
            save(run)
            done += 1
        return done

    # Closed sasaran rows -----------------------------------------------------
    def _purge_rows(self, now: datetime) -> int:
        done = 0
        before = _cutoff(now, self.settings.sasaran_days)
        for listed in _walk(
            lambda c: self.sasaran.closed_rows(before=before, cursor=c, limit=PAGE)
        ):
            row = self.sasaran.get_row(listed.id)
            closed = closed_at(row) if row is not None else None
            if row is None or closed is None or closed >= before:
                continue  # reopened, or already purged
            self.sasaran.erase_followup_notes(row.id)
            after = erased(row, self._at)
            try:
                # The deltas are only the desa's revision: the row still counts.
                self.sasaran.save_row(RowWrite(after, row.version, row_deltas(row, after)))
            except Conflict:
                continue  # changed meanwhile: the next run looks again
            done += 1
        return done

    def _expire_tombstones(self, now: datetime) -> int:
        # After the purge above, so a row purged today leaves a tombstone that is kept.
        before = _cutoff(now, self.settings.tombstone_days)
        done = 0
        while dropped := self.sasaran.expire_tombstones(before=before, limit=PAGE):
            done += dropped
            if dropped < PAGE:
                break
        return done

    def _delete(self, key: str) -> None:
        # On S3 the bytes stay as a noncurrent version, expired by lifecycle within 7 days.
        self.blobs.delete(key)
        self._blobs += 1

    def _erase(self, prefix: str) -> None:
        self._blobs += self.blobs.erase_prefix(prefix)


def _cutoff(now: datetime, days: int) -> str:
    return (now - timedelta(days=days)).isoformat(timespec="milliseconds")


def _walk(read: Callable[[str | None], DuePage[T]]) -> Iterator[T]:
    """Every item of a due listing, page after page; handled ones leave the index meanwhile,
    which the cursor (a position, not an offset) does not mind."""
    cursor: str | None = None
    while True:
        page: DuePage[T] = read(cursor)
        yield from page.items
        if page.cursor is None:
            return
        cursor = page.cursor


def _folder(key: str) -> str:
    """The "folder" of one run's files (returns/<id>/, sasaran-imports/<id>/)."""
    return key.rsplit("/", 1)[0] + "/"
