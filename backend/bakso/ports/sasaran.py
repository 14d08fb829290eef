"""The sasaran ports: residents lacking documents, their follow-ups, imports, coverage
counters; `SasaranStore`, their union."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..domain.sasaran import Followup, ImportResult, ImportRun, SasaranRow, Tombstone
from .due import DuePage


@dataclass(frozen=True)
class RowWrite:
    """One worklist row change and the counter deltas it brings, written together.

    `expected_version` 0 creates the row (Conflict if the id exists); otherwise
    the stored version must equal it (Conflict if not). `deltas` maps a desa to
    counter changes, applied to that desa, its kecamatan and its kabupaten
    (bakso.domain.sasaran.scopes).
    """

    row: SasaranRow
    expected_version: int
    deltas: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class ImportLineWrite:
    result: ImportResult
    write: RowWrite | None = None  # None: refused or unchanged, only the result is stored


@dataclass(frozen=True)
class SasaranPage:
    items: list[SasaranRow]
    cursor: str | None  # opaque; None when there is no next page


@dataclass(frozen=True)
class ChangesPage:
    """What changed in a desa after a revision (domain.sasaran.changes), in revision order."""

    revision: int  # the desa's revision, read before the changes
    rows: list[SasaranRow]  # on the worklist, changed after `since`
    removed: list[Tombstone]  # left the worklist after `since`
    cursor: str | None  # opaque; None when there is no next page


class WorklistStore(Protocol):
    """Worklist rows and their follow-ups; a row write applies its counter deltas with it."""

    @abstractmethod
    def get_row(self, sasaran_id: str) -> SasaranRow | None: ...

    @abstractmethod
    def find_by_niks(self, niks: Sequence[str]) -> dict[str, SasaranRow]:
        """The rows holding these NIKs, by NIK (a chunk of an import looks up at once)."""

    @abstractmethod
    def find_by_name_keys(self, keys: Sequence[str]) -> dict[str, list[SasaranRow]]:
        """The rows with these name keys (bakso.domain.sasaran.name_key), by key."""

    @abstractmethod
    def list_rows(self, desa: str, *, cursor: str | None, limit: int) -> SasaranPage:
        """One desa's rows in SasaranRow.sort_key order (rentan residents first)."""

    @abstractmethod
    def changes(
        self, desa: str, *, since: int, cursor: str | None, limit: int
    ) -> ChangesPage | None:
        """The desa's rows and tombstones with a revision above `since` (and the cursor's),
        read from an index on (desa, revision); None when tombstones after `since` have
        expired (the client must download the whole list).

        Every row write takes revisions as domain.sasaran.revise decides, in the
        transaction that applies its deltas; `limit` counts rows and tombstones together.
        """

    @abstractmethod
    def expire_tombstones(self, *, before: str, limit: int) -> int:
        """Drop up to `limit` tombstones removed before `before`, each desa's floor raised
        to the highest revision dropped there first; how many were dropped."""

    @abstractmethod
    def save_row(self, write: RowWrite) -> None:
        """Write the row and apply its deltas; Conflict on a stale version or a taken NIK."""

    @abstractmethod
    def record_followup(self, followup: Followup, write: RowWrite) -> bool:
        """Store the follow-up with its row change, unless one with this id exists.

        False (and nothing written) when the id is taken; Conflict on a stale row.
        """

    @abstractmethod
    def get_followup(self, followup_id: str) -> Followup | None: ...

    @abstractmethod
    def list_followups(self, sasaran_id: str) -> list[Followup]:
        """Oldest first, by the time the officer recorded them."""

    @abstractmethod
    def closed_rows(self, *, before: str, cursor: str | None, limit: int) -> DuePage[SasaranRow]:
        """Rows whose `closed_at` (domain.sasaran) is before `before`, oldest first.

        From an index (ports.due) that a row leaves when it is reopened or purged;
        a purged row is also left out of `list_rows`.
        """

    @abstractmethod
    def erase_followup_notes(self, sasaran_id: str) -> None:
        """Blank the note of every follow-up of the row (outcome and times stay). Repeatable."""


class ImportStore(Protocol):
    """Import runs, each line's result (stored with its row write), chunk counts."""

    @abstractmethod
    def create_import(self, run: ImportRun) -> bool:
        """Insert if no import has this id; False if one does."""

    @abstractmethod
    def save_import(self, run: ImportRun) -> None: ...

    @abstractmethod
    def get_import(self, import_id: str) -> ImportRun | None: ...

    @abstractmethod
    def list_imports(self, *, limit: int) -> list[ImportRun]:
        """Newest first."""

    @abstractmethod
    def apply_import_lines(self, lines: Sequence[ImportLineWrite]) -> None:
        """Store each line's result with its row write and deltas, each line atomically.

        A line whose result is already stored is skipped whole, so a redelivered
        chunk changes nothing twice. Raises Conflict on a stale row version; the
        lines before it may have been stored (an adapter may also roll back all).
        """

    @abstractmethod
    def import_results(self, import_id: str, *, after_line: int, limit: int) -> list[ImportResult]:
        """Results in line order, starting after `after_line`."""

    @abstractmethod
    def record_chunk(self, import_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        """Set (not add) a processed chunk's outcome counts: safe to repeat."""

    @abstractmethod
    def chunk_counts(self, import_id: str) -> dict[int, dict[str, int]]: ...

    @abstractmethod
    def unfinished_imports(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ImportRun]:
        """Imports neither DONE nor FAILED (their files may be stored) created before
        `before`, oldest first (ports.due)."""


class CounterStore(Protocol):
    """Coverage counters per (level, code), rolled up desa → kecamatan → kabupaten."""

    @abstractmethod
    def counters(self, level: str, code: str) -> dict[str, int]:
        """One scope's counters (level: desa | kecamatan | kabupaten); {} if none yet."""

    @abstractmethod
    def counters_under(self, level: str, prefix: str) -> dict[str, dict[str, int]]:
        """Every scope of `level` whose code starts with `prefix`, by code."""

    @abstractmethod
    def apply_once(self, key: str, deltas: Mapping[str, Mapping[str, int]]) -> bool:
        """Apply counter deltas unless `key` was applied before; False if it was."""

    @abstractmethod
    def upgrade_counters(self, *, limit: int) -> tuple[int, bool]:
        """Move up to `limit` counter items kept in an older layout into the current one,
        keeping every figure; (items moved, whether none is left). Safe to repeat and to
        run beside live traffic. Stores that never had another layout: (0, True)."""


class SasaranStore(WorklistStore, ImportStore, CounterStore, ABC):
    """Worklist rows, follow-ups, import runs and coverage counters.

    Every read is a Get, a BatchGet or a Query, all consistent. On DynamoDB
    (bakso.adapters.aws.sasaran): rows by id (Get), by NIK and by name key
    (pointer items, BatchGet), by desa in worklist order (a copy of each row in
    a partition per desa, sorted by sort_key); follow-ups
    by id and under their row; an import's results under the import, by line;
    counters as one item per desa in the desa's own partition, a kecamatan's
    and a kabupaten's summed on read from its desa (BatchGet; SQLite keeps a row
    per scope and name instead). Writes that belong
    together (row + counters, follow-up + row + counters, result + row +
    counters) are one transaction.
    """

    def compact(self) -> None:
        """Leave nothing just erased in the store's own files: local SQLite checkpoints
        its WAL with TRUNCATE (secure_delete zeroes only the main file). Called by
        retention after it erased anything; a no-op where a service keeps the data."""
        return None
