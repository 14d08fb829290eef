"""The records ports, one per aggregate, and `Records`, their union.

Every method maps onto one DynamoDB Get/Query/conditional write, so that the
SQLite adapter and the AWS adapter can serve the same contract. Adapters raise
bakso.domain.errors, never their driver's errors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain.audit_chain import AuditHead
from ..domain.lifecycle import Status
from ..domain.model import (
    AuditEntry,
    Batch,
    Event,
    LoginAttempts,
    OfficerSession,
    Request,
    Scan,
    User,
)
from .desa import DesaContactStore
from .due import DuePage
from .notification_log import NotificationLog
from .reports import ReportStore
from .returns import ReturnStore
from .service_times import ServiceTimeStore

MAX_REQUEST_WRITES = 25


@dataclass(frozen=True)
class RequestWrite:
    request: Request
    expected_version: int
    event: Event | None


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
        self,
        *,
        kabupaten: str,
        desa: str | None,
        status: Status | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        """Newest first: the kabupaten's requests, optionally only one desa and/or one status.

        A desa outside the kabupaten lists nothing. On DynamoDB each list is one
        index partition: the kabupaten's, its status's, the desa's, or the desa's status's.
        """

    @abstractmethod
    def list_unpartitioned_requests(self, *, cursor: str | None, limit: int) -> Page:
        """Requests stored before the lists were partitioned by kabupaten, newest first.

        On DynamoDB, items still keyed `kind="request"` (rewriting one keys it anew:
        `bakso records backfill-keys`); SQLite's migration keyed its rows, so none there.
        """

    @abstractmethod
    def timeline(self, request_id: str) -> list[Event]: ...

    @abstractmethod
    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        """Several save_request writes in one transaction: all or none (Conflict).

        At most MAX_REQUEST_WRITES writes (a DynamoDB transaction holds 100 items:
        each write is the request, its timeline event and its audit entry). The events
        must join one audit chain (requests of one kabupaten, as a batch's are): on
        DynamoDB one head advances per transaction (ValueError otherwise).
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

    @abstractmethod
    def requests_by_nik(self, nik_key: str, *, limit: int) -> list[Request]:
        """At most `limit` requests whose `nik_key` is this, newest first.

        An index on the key (a sparse GSI on DynamoDB, a partial index in SQLite): a
        request without one (erased, or written before the index) is not in it.
        """

    @abstractmethod
    def list_retention_due(
        self, *, desa: str, clock: str, until: str, cursor: str | None, limit: int
    ) -> Page:
        """Requests of `desa` whose retention clock `clock` started at or before `until`.

        Oldest start first. The store indexes every request by
        `domain.retention.retention_clock` as it writes it (a sparse GSI on
        DynamoDB, a partial index in SQLite), so only those requests are read.
        """

    @abstractmethod
    def clear_timeline_notes(self, request_id: str) -> None:
        """Blank the note of every timeline event of the request (statuses and times stay)."""


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
    def list_batches(
        self, *, kabupaten: str, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        """The kabupaten's batches (`Batch.kabupaten`), newest first; kabupaten "" lists
        those stored before #16, which name none (the service reads them with the
        default kabupaten's). One index partition per kabupaten on DynamoDB."""

    @abstractmethod
    def unpurged_batches(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Batch]:
        """Batches created before `before` and not marked purged, oldest first (ports.due)."""


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

    @abstractmethod
    def pending_scans(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Scan]:
        """Scans still `pending` (never completed) registered before `before`, oldest first.

        From an index (ports.due) that a scan leaves when it is completed or deleted.
        """


class UserStore(Protocol):
    """Officers' accounts."""

    @abstractmethod
    def get_user(self, username: str) -> User | None: ...

    @abstractmethod
    def save_user(self, user: User) -> None: ...

    @abstractmethod
    def list_users(self) -> list[User]: ...


class LoginAttemptStore(Protocol):
    """Attempts per throttle key (login, the resident lookup), kept across restarts.

    A record whose `expires_at` has passed is forgotten: never returned, replaced
    by a fresh one, and deleted (DynamoDB's TTL; swept on writes locally), so keys
    that are tried once do not pile up.
    """

    @abstractmethod
    def get_login_attempts(self, key: str, now: float) -> LoginAttempts | None:
        """The live record of `key`, or None (none, or expired by `now`)."""

    @abstractmethod
    def swap_login_attempts(
        self, attempts: LoginAttempts, expected: LoginAttempts | None, now: float
    ) -> bool:
        """Write `attempts` if the stored record is still `expected`, in one conditional write.

        `expected` is what get_login_attempts returned: None means "no live
        record", else its failures and locked_until must be unchanged. False
        (nothing written) when another writer got there first: read again.
        """

    @abstractmethod
    def delete_login_attempts(self, key: str) -> None: ...


class SessionStore(Protocol):
    """Officers' sessions, keyed by the hash of their id (one Get per request)."""

    @abstractmethod
    def create_session(self, session: OfficerSession, now: float) -> None:
        """Store a new session; sessions whose expires_at passed by `now` may be deleted."""

    @abstractmethod
    def get_session(self, id_hash: str) -> OfficerSession | None:
        """The stored session, revoked or not; None if unknown (or already deleted)."""

    @abstractmethod
    def touch_session(self, id_hash: str, last_seen: float, expires_at: float) -> None:
        """Move last_seen and expires_at; nothing if the session is gone. Keeps `revoked`."""

    @abstractmethod
    def revoke_session(self, id_hash: str) -> None:
        """Mark the session revoked (kept until it expires); nothing if it is gone."""

    @abstractmethod
    def revoke_user_sessions(self, username: str) -> None:
        """Mark every stored session of `username` revoked (reset, disabled, "end all").

        Read consistently: a session created before the call is revoked by it.
        """


class AuditLog(Protocol):
    """The hash-chained audit log, one chain per kabupaten (#16), each with its own seq
    1..n and sealed head (request events join their desa's kabupaten's chain through
    RequestStore writes).

    `chain` names a kabupaten by its code; "" (or None on reads) is the default
    kabupaten's, the chain that holds the log from before #16. Entries come back with
    their chain's name. A chain's reads never return another chain's entries.
    """

    @abstractmethod
    def append_audit(
        self, *, chain: str, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry: ...

    @abstractmethod
    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        """The chain's entries in seq order, starting after `after_seq`."""

    @abstractmethod
    def audit_head(self, chain: str | None = None) -> AuditHead | None:
        """The chain's sealed head (length, last link), kept apart from the rows; None if new.

        Every append advances it in the same write as the entry. Appends to two chains
        touch two heads (no head every write shares).
        """

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
        chain: str | None = None,
    ) -> list[AuditEntry]:
        """The chain's entries newest first, filtered by target and/or actor (GSIs on
        DynamoDB) and time.

        Without a time, in seq order (`before_seq`: entries below it). With `since` or
        `until`, through a time index, newest by (at, seq): `before_seq` then names the
        last entry of the previous page, and an unknown one matches nothing.
        """

    @abstractmethod
    def index_audit_times(
        self, after_seq: int, limit: int, *, chain: str | None = None
    ) -> tuple[int, int | None]:
        """Give up to `limit` entries after `after_seq` their key in the time index, where
        written before it existed; (entries written, the seq to go on after, or None at the
        end). Only DynamoDB has any: SQLite's migration builds its index itself (#15).
        """

    @abstractmethod
    def move_legacy_audit(self, limit: int) -> tuple[int, bool]:
        """Move up to `limit` items of the log from before #16 to where the default
        kabupaten's chain lives now; (items moved, done). Only DynamoDB has any (partition
        AUDIT → AUDIT#<code>, records_audit_move.py); SQLite keeps its rows in place.
        """


class Records(
    RequestStore,
    ScanStore,
    BatchStore,
    UserStore,
    LoginAttemptStore,
    SessionStore,
    AuditLog,
    ReturnStore,
    DesaContactStore,
    NotificationLog,
    ServiceTimeStore,
    ReportStore,
    ABC,
):
    """Every records port: what one adapter (SQLite, DynamoDB, tests' memory) implements."""

    def compact(self) -> None:
        """Leave nothing just erased in the store's own files: local SQLite checkpoints
        its WAL with TRUNCATE (secure_delete zeroes only the main file). Called by
        retention after it erased anything; a no-op where a service keeps the data."""
        return None
