"""The ports the use cases run against: records and sasaran (one port per aggregate,
`Records` and `SasaranStore` their unions), blobs and the work queue.

Every method maps onto one DynamoDB Get/Query/conditional write (or S3/SQS
call), so that a local SQLite/folder adapter and the AWS adapter can serve the
same contract. Adapters raise bakso.domain.errors, never their driver's errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from .domain.lifecycle import Status
from .domain.model import AuditEntry, Batch, Event, LoginAttempts, Request, Scan, User
from .domain.returns import ReturnLine, ReturnRun
from .domain.sasaran import Followup, ImportResult, ImportRun, SasaranRow

MAX_REQUEST_WRITES = 25


@dataclass(frozen=True)
class RequestWrite:
    request: Request
    expected_version: int
    event: Event | None


RETURN_LINES_PER_WRITE = 100  # a DynamoDB transaction holds 100 items


class CodeTaken(Exception):
    """The human code is held by another request; try the next one."""


@dataclass(frozen=True)
class Page:
    items: list[Request]
    cursor: str | None  # opaque; None when there is no next page


# Records, one port per aggregate. A service declares the ports it uses (an
# intersection of them is a Protocol in the service's module); one adapter
# object (Records) serves them all, and tests/fakes.py fakes each in memory.


class RequestStore(Protocol):
    """Requests, their timeline (each event also goes to the audit log), batch membership."""

    @abstractmethod
    def create_request(self, request: Request, event: Event) -> bool:
        """Insert if no request has this id; False if one does. Raises CodeTaken.

        The event goes to the timeline and the audit log in the same write.
        """

    @abstractmethod
    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        """Replace the request if its stored version is `expected_version`, else raise Conflict."""

    @abstractmethod
    def get_request(self, request_id: str) -> Request | None: ...

    @abstractmethod
    def get_request_by_code(self, code: str) -> Request | None: ...

    @abstractmethod
    def get_request_by_token(self, token: str) -> Request | None:
        """The request whose public status token this is (set on first submit)."""

    @abstractmethod
    def list_requests(
        self, *, desa: str | None, status: Status | None, cursor: str | None, limit: int
    ) -> Page:
        """Newest first, optionally only one desa and/or one status."""

    @abstractmethod
    def timeline(self, request_id: str) -> list[Event]: ...

    @abstractmethod
    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        """Several save_request writes in one transaction: all or none (Conflict).

        At most MAX_REQUEST_WRITES writes (a DynamoDB transaction holds 100 items:
        each write is the request, its timeline event and its audit entry).
        """

    @abstractmethod
    def requests_in_batch(
        self,
        batch_id: str,
        *,
        after: str | None = None,
        through: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        """The requests whose batch_id is this batch, in batch_position order.

        Only those after `after` and up to `through` (positions), at most `limit`
        (a GSI on batch_id sorted by position on DynamoDB: a range Query).
        """

    @abstractmethod
    def get_requests_by_codes(self, codes: Sequence[str]) -> dict[str, Request]:
        """The requests holding these codes, by code (a chunk of a return reads them at once:
        BatchGetItem of the code claims, then of the requests, on DynamoDB)."""


class BatchStore(Protocol):
    """Dukcapil batches, saved over the version they were read at."""

    @abstractmethod
    def create_batch(self, batch: Batch) -> None: ...

    @abstractmethod
    def save_batch(self, batch: Batch, expected_version: int) -> None:
        """Replace the batch if its stored version is `expected_version`, else raise Conflict.

        The caller bumps `batch.version`; two workers running the same build step
        (a redelivered message) cannot both record it.
        """

    @abstractmethod
    def get_batch(self, batch_id: str) -> Batch | None: ...

    @abstractmethod
    def list_batches(self, *, cursor: str | None, limit: int) -> tuple[list[Batch], str | None]:
        """Newest first."""


class ScanStore(Protocol):
    """The scans registered for a request (their bytes are in Blobs)."""

    @abstractmethod
    def add_scan(self, scan: Scan) -> Scan:
        """Store the scan unless one with its id exists; return the stored one."""

    @abstractmethod
    def get_scan(self, request_id: str, scan_id: str) -> Scan | None: ...

    @abstractmethod
    def list_scans(self, request_id: str) -> list[Scan]: ...

    @abstractmethod
    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None: ...

    @abstractmethod
    def delete_scan(self, request_id: str, scan_id: str) -> None: ...


class UserStore(Protocol):
    """Officers' accounts."""

    @abstractmethod
    def get_user(self, username: str) -> User | None: ...

    @abstractmethod
    def save_user(self, user: User) -> None: ...

    @abstractmethod
    def list_users(self) -> list[User]: ...


class LoginAttemptStore(Protocol):
    """Failed attempts per key (login, the resident lookup), kept across restarts."""

    @abstractmethod
    def get_login_attempts(self, key: str) -> LoginAttempts | None: ...

    @abstractmethod
    def save_login_attempts(self, attempts: LoginAttempts) -> None: ...


class AuditLog(Protocol):
    """The hash-chained audit log (request events join it through RequestStore writes)."""

    @abstractmethod
    def append_audit(
        self, *, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry: ...

    @abstractmethod
    def audit_entries(self, after_seq: int = 0, limit: int = 1000) -> list[AuditEntry]:
        """Entries in seq order, starting after `after_seq`."""

    @abstractmethod
    def audit_search(
        self,
        *,
        target: str | None,
        actor: str | None,
        since: str | None,
        until: str | None,
        before_seq: int | None,
        limit: int,
    ) -> list[AuditEntry]:
        """Newest first, filtered by target and/or actor (GSIs on DynamoDB) and time."""


class ReturnStore(Protocol):
    """Bulk return runs (bakso.services.returns), their line results and chunk counts."""

    @abstractmethod
    def create_return(self, run: ReturnRun) -> bool:
        """Insert if no return run has this id; False if one does."""

    @abstractmethod
    def save_return(self, run: ReturnRun) -> None:
        """Replace the run record; saving a run that does not exist changes nothing."""

    @abstractmethod
    def get_return(self, return_id: str) -> ReturnRun | None: ...

    @abstractmethod
    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        """Store each line's result unless one is stored for its seq (the first stays).

        At most RETURN_LINES_PER_WRITE lines: one write (a transaction) for all.
        """

    @abstractmethod
    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        """Stored results in seq order, starting after `after`."""

    @abstractmethod
    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        """Set (not add) an applied chunk's outcome counts: safe to repeat."""

    @abstractmethod
    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]: ...


class Records(
    RequestStore,
    ScanStore,
    BatchStore,
    UserStore,
    LoginAttemptStore,
    AuditLog,
    ReturnStore,
    ABC,
):
    """Every records port: what one adapter (SQLite, DynamoDB, tests' memory) implements."""


class BlobSink(Protocol):
    def write(self, data: bytes, /) -> int: ...


@dataclass(frozen=True)
class UploadTarget:
    method: str  # PUT or POST
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)  # presigned POST only


class Blobs(ABC):
    @abstractmethod
    def upload_target(
        self, key: str, *, size: int, content_type: str, expires_in: int
    ) -> UploadTarget:
        """Where the device sends the bytes; size and type are bound into the signature."""

    @abstractmethod
    def download_url(self, key: str, *, expires_in: int, filename: str | None = None) -> str: ...

    @abstractmethod
    def size(self, key: str) -> int | None:
        """Stored size in bytes, or None if there is no such blob."""

    @abstractmethod
    def read_head(self, key: str, length: int) -> bytes: ...

    @abstractmethod
    def read_range(self, key: str, start: int, length: int) -> bytes:
        """Up to `length` bytes from offset `start` (fewer at the end; b"" past it).

        NotFound if there is no such blob. Random access into a large upload (the
        bulk return's zip is read member by member, never downloaded whole).
        """

    @abstractmethod
    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]: ...

    @abstractmethod
    def put(self, key: str, data: IO[bytes], content_type: str) -> None: ...

    @abstractmethod
    def writer(self, key: str, content_type: str) -> AbstractContextManager[BlobSink]:
        """Write a blob in order as it is produced, never staged whole anywhere.

        Stored on a clean exit, not at all if the block raises. The folder makes
        a file beside the blob and renames it; S3 a multipart upload, one part
        in memory at a time.
        """

    @abstractmethod
    def delete(self, key: str) -> None: ...


@dataclass(frozen=True)
class Message:
    id: str
    body: dict[str, Any]
    receipt: str
    attempts: int


class Queue(ABC):
    @abstractmethod
    def send(self, body: dict[str, Any]) -> None: ...

    @abstractmethod
    def receive(self, *, max_messages: int = 10, visibility_timeout: int = 60) -> list[Message]:
        """Messages become invisible for `visibility_timeout` s; unacked ones come back."""

    @abstractmethod
    def ack(self, message: Message) -> None: ...

    @abstractmethod
    def dead_letters(self) -> list[Message]: ...

    @abstractmethod
    def redrive(self, message_id: str) -> bool: ...


# Sasaran: residents lacking documents, their follow-ups, imports, coverage counters.
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


class SasaranStore(WorklistStore, ImportStore, CounterStore, ABC):
    """Worklist rows, follow-ups, import runs and coverage counters.

    Every read is a Get, a BatchGet or a Query, all consistent. On DynamoDB
    (bakso.adapters.aws.sasaran): rows by id (Get), by NIK and by name key
    (pointer items, BatchGet), by desa in worklist order (a copy of each row in
    a partition per desa, sorted by sort_key); follow-ups
    by id and under their row; an import's results under the import, by line;
    counters as one item per (level, code) in a partition per level, sorted by
    code, so a kecamatan's desa are a begins_with Query. Writes that belong
    together (row + counters, follow-up + row + counters, result + row +
    counters) are one transaction.
    """
