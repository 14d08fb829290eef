"""In-memory fakes of every port: dicts behind one lock, with the adapters' semantics.

Each fake passes the same contract suites as the SQLite and DynamoDB adapters
(tests/contract, the `memory` set; tests/sasaran/test_store.py): conditional
writes raise Conflict, transactions are all or nothing, orders and cursors are
the same; refusals use the words of bakso.domain.refusals and cursors the codec
of bakso.domain.paging, as the adapters do. Stored objects are copies, so a
caller mutating what it passed in or got back changes nothing stored.
`build_services` wires the use cases on them through
bakso.bootstrap.build_services (tests/unit/services).

Each port has a fake that stands alone (FakeUserStore(), FakeCounterStore(),
...). Where a port's writes reach another port, its fake serves that one too: a
request's events go to the audit log (FakeRequestStore is also an AuditLog),
row writes and import lines apply counter deltas (FakeWorklistStore is also a
CounterStore). FakeRecords and FakeSasaranStore are the unions, one lock each.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import hashlib
import io
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any, TypeVar

from bakso.bootstrap import Services
from bakso.domain import due, paging, refusals
from bakso.domain.audit_chain import AuditHead, AuditKeys
from bakso.domain.desa import DesaContact
from bakso.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from bakso.domain.lifecycle import Status
from bakso.domain.model import (
    AuditEntry,
    Batch,
    Event,
    LoginAttempts,
    OfficerSession,
    Request,
    Scan,
    User,
    event_audit_data,
)
from bakso.domain.regions import kabupaten_of
from bakso.domain.retention import retention_clock
from bakso.domain.returns import ReturnLine, ReturnRun
from bakso.domain.sasaran import (
    Followup,
    ImportResult,
    ImportRun,
    SasaranRow,
    Tombstone,
    after_cursor,
    revise,
    revision_cursor,
    scopes,
)
from bakso.domain.service_times import DayCounts
from bakso.ports import (
    MAX_REQUEST_WRITES,
    RETURN_LINES_PER_WRITE,
    AuditLog,
    BatchStore,
    Blobs,
    BlobSink,
    ChangesPage,
    CodeTaken,
    CounterStore,
    DuePage,
    ImportLineWrite,
    ImportStore,
    LoginAttemptStore,
    Message,
    Notifier,
    Page,
    Queue,
    Records,
    RequestStore,
    RequestWrite,
    ReturnStore,
    RowWrite,
    SasaranPage,
    SasaranStore,
    ScanStore,
    SendFailed,
    SentMessage,
    SessionStore,
    UploadTarget,
    UserStore,
    WorklistStore,
)
from fakes_ikm import FakeIkmStore
from fakes_reports import ReportMemory

T = TypeVar("T")


def _copy(value: T) -> T:
    return copy.deepcopy(value)


def _json(data: Any) -> Any:
    """What a store gives back after JSON: tuples become lists, keys strings."""
    return json.loads(json.dumps(data, ensure_ascii=False, sort_keys=True))


class _Memory:
    """The lock every fake holds for each call (re-entrant: one write may call another)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()


def _due_page(
    found: Iterator[tuple[str | None, T]], before: str, cursor: str | None, limit: int
) -> DuePage[T]:
    """The retention index (bakso.ports.due) read as the stores read it: positions below
    `before`, after the cursor's, oldest first; the caller holds the lock."""
    after = due.position_after(cursor) if cursor else ""
    ranked = sorted(
        ((p, item) for p, item in found if p is not None and after < p < before),
        key=lambda pair: pair[0],
    )
    items = ranked[:limit]
    next_cursor = due.cursor_after(items[-1][0]) if len(ranked) > limit else None
    return DuePage(_copy([item for _, item in items]), next_cursor)


# Records ----------------------------------------------------------------------


class _AuditMemory(_Memory):
    """One list of rows per chain, each chain's sealed head apart (tests tamper with either,
    like a table). Chains are kept by their name; the default kabupaten's under its code."""

    # The adapters' default when given no keys; set on an instance to use others.
    audit_keys = AuditKeys.from_settings(None)

    def __init__(self) -> None:
        super().__init__()
        self._audit: dict[str, list[AuditEntry]] = {}
        self._audit_head: dict[str, AuditHead] = {}

    def _chain_rows(self, chain: str | None) -> tuple[str, list[AuditEntry]]:
        name = self.audit_keys.chain(chain)
        return name, self._audit.setdefault(name, [])

    def append_audit(
        self, *, chain: str, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        with self._lock:
            name, rows = self._chain_rows(chain)
            stored = _json(data)
            last = (rows[-1].seq, rows[-1].hash) if rows else None
            seq, prev = self.audit_keys.start(self._audit_head.get(name), last, chain=name)
            entry = self.audit_keys.entry(
                seq + 1, at, actor, action, target, stored, prev, chain=name
            )
            rows.append(entry)
            self._audit_head[name] = self.audit_keys.seal(entry.seq, entry.hash, chain=name)
            return _copy(entry)

    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        with self._lock:
            _, rows = self._chain_rows(chain)
            start = bisect.bisect_right([e.seq for e in rows], after_seq)
            return _copy(rows[start : start + max(limit, 0)])

    def audit_head(self, chain: str | None = None) -> AuditHead | None:
        with self._lock:
            return self._audit_head.get(self.audit_keys.chain(chain))

    def index_audit_times(
        self, after_seq: int, limit: int, *, chain: str | None = None
    ) -> tuple[int, int | None]:
        return 0, None  # searched by time directly, as SQLite's index holds every row

    def move_legacy_audit(self, limit: int) -> tuple[int, bool]:
        return 0, True  # one layout, as SQLite

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
        with self._lock:
            _, rows = self._chain_rows(chain)
            by_time = since is not None or until is not None
            entries = list(reversed(rows))
            after: tuple[str, int] | None = None
            if by_time:
                # As the stores' time indexes: newest by (at, seq), paged from the
                # cursor entry's (at, seq); an unknown cursor entry matches nothing.
                entries.sort(key=lambda e: (e.at, e.seq), reverse=True)
                if before_seq is not None:
                    cursor = [e for e in rows if e.seq == before_seq]
                    if not cursor:
                        return []
                    after = (cursor[0].at, before_seq)
            found = [
                entry
                for entry in entries
                if (target is None or entry.target == target)
                and (actor is None or entry.actor == actor)
                and (since is None or entry.at >= since)
                and (until is None or entry.at < until)
                and (by_time or before_seq is None or entry.seq < before_seq)
                and (after is None or (entry.at, entry.seq) < after)
            ]
            return _copy(found[: max(limit, 0)])


class _RequestMemory(_AuditMemory):
    """Requests and their timelines; each event is also appended to this fake's audit log."""

    def __init__(self) -> None:
        super().__init__()
        self._requests: dict[str, Request] = {}
        self._timelines: dict[str, list[Event]] = {}

    def create_request(self, request: Request, event: Event) -> bool:
        with self._lock:
            if request.id in self._requests:
                return False
            if self._holder("code", request.code, request.id):
                raise CodeTaken(request.code)
            self._requests[request.id] = _copy(request)
            self._add_event(event, request)
            return True

    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        with self._lock:
            current = self._requests.get(request.id)
            if current is None or current.version != expected_version:
                raise Conflict(
                    refusals.STALE_REQUEST, current_version=current.version if current else None
                )
            self._check_unique(request)
            self._requests[request.id] = _copy(request)
            if event is not None:
                self._add_event(event, request)

    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        if len(writes) > MAX_REQUEST_WRITES:
            raise ValueError(f"at most {MAX_REQUEST_WRITES} writes in one transaction")
        with self._lock:
            for write in writes:  # every check before any write: all or none
                current = self._requests.get(write.request.id)
                if current is None or current.version != write.expected_version:
                    raise Conflict(refusals.STALE_REQUEST)
                self._check_unique(write.request)
            for write in writes:
                self._requests[write.request.id] = _copy(write.request)
                if write.event is not None:
                    self._add_event(write.event, write.request)

    def get_request(self, request_id: str) -> Request | None:
        with self._lock:
            return _copy(self._requests.get(request_id))

    def get_request_by_code(self, code: str) -> Request | None:
        with self._lock:
            found = self._holder("code", code, None)
            return _copy(self._requests[found]) if found else None

    def requests_by_nik(self, nik_key: str, *, limit: int) -> list[Request]:
        with self._lock:
            found = sorted(
                (r for r in self._requests.values() if r.nik_key == nik_key),
                key=lambda r: (r.created_at, r.id),
                reverse=True,
            )
            return _copy(found[: max(1, limit)])

    def get_request_by_token(self, token: str) -> Request | None:
        with self._lock:
            found = self._holder("token", token, None)
            return _copy(self._requests[found]) if found else None

    def list_requests(
        self,
        *,
        kabupaten: str,
        desa: str | None,
        status: Status | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        limit = paging.page_size(limit)
        before = paging.decode_position(cursor) if cursor is not None else None
        with self._lock:
            found = sorted(
                (
                    r
                    for r in self._requests.values()
                    if kabupaten_of(r.desa) == kabupaten
                    and (desa is None or r.desa == desa)
                    and (status is None or r.status is status)
                    and (before is None or (r.created_at, r.id) < before)
                ),
                key=lambda r: (r.created_at, r.id),
                reverse=True,
            )
            items = _copy(found[:limit])
        next_cursor = (
            paging.encode_position(items[-1].created_at, items[-1].id)
            if len(found) > limit
            else None
        )
        return Page(items=items, cursor=next_cursor)

    def list_unpartitioned_requests(self, *, cursor: str | None, limit: int) -> Page:
        paging.page_size(limit)
        return Page(items=[], cursor=None)  # kept by kabupaten from the start

    def timeline(self, request_id: str) -> list[Event]:
        with self._lock:
            return list(self._timelines.get(request_id, []))

    def requests_in_batch(
        self,
        batch_id: str,
        *,
        after: str | None = None,
        through: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        low = tuple(after.rsplit("#", 1)) if after is not None else None
        high = tuple(through.rsplit("#", 1)) if through is not None else None
        with self._lock:
            found = sorted(
                (
                    r
                    for r in self._requests.values()
                    if r.batch_id == batch_id
                    and (low is None or (r.created_at, r.id) > low)
                    and (high is None or (r.created_at, r.id) <= high)
                ),
                key=lambda r: (r.created_at, r.id),
            )
            return _copy(found if limit is None else found[: max(limit, 0)])

    def get_requests_by_codes(self, codes: Sequence[str]) -> dict[str, Request]:
        wanted = set(codes)
        with self._lock:
            return {r.code: _copy(r) for r in self._requests.values() if r.code in wanted}

    def list_retention_due(
        self, *, desa: str, clock: str, until: str, cursor: str | None, limit: int
    ) -> Page:
        limit = paging.page_size(limit)
        after = paging.decode_position(cursor) if cursor is not None else ("", "")
        with self._lock:
            found = []
            for r in self._requests.values():
                running = retention_clock(r)
                if r.desa != desa or running is None or running.name != clock:
                    continue
                if running.since <= until and (running.since, r.id) > after:
                    found.append((running.since, r))
            found.sort(key=lambda pair: (pair[0], pair[1].id))
            items = _copy([r for _, r in found[:limit]])
        next_cursor = None
        if len(found) > limit:
            next_cursor = paging.encode_position(found[limit - 1][0], items[-1].id)
        return Page(items=items, cursor=next_cursor)

    def clear_timeline_notes(self, request_id: str) -> None:
        with self._lock:
            events = self._timelines.get(request_id, [])
            self._timelines[request_id] = [replace(e, note="") for e in events]

    def _holder(self, field: str, value: str | None, other_than: str | None) -> str | None:
        """The id of the request (not `other_than`) holding this code or token."""
        if value is None:
            return None
        for request_id, request in self._requests.items():
            if request_id != other_than and getattr(request, field) == value:
                return request_id
        return None

    def _check_unique(self, request: Request) -> None:
        if self._holder("code", request.code, request.id) or self._holder(
            "token", request.token, request.id
        ):
            raise Conflict(refusals.CODE_TAKEN)

    def _add_event(self, event: Event, request: Request) -> None:
        self._timelines.setdefault(event.request_id, []).append(event)
        self.append_audit(
            chain=kabupaten_of(request.desa),
            at=event.at,
            actor=event.by,
            action=event.action,
            target=event.request_id,
            data=event_audit_data(event),
        )


class _ScanMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._scans: dict[tuple[str, str], Scan] = {}

    def add_scan(self, scan: Scan) -> Scan:
        with self._lock:
            stored = self._scans.setdefault((scan.request_id, scan.id), _copy(scan))
            return _copy(stored)

    def get_scan(self, request_id: str, scan_id: str) -> Scan | None:
        with self._lock:
            return _copy(self._scans.get((request_id, scan_id)))

    def list_scans(self, request_id: str) -> list[Scan]:
        with self._lock:
            found = [s for (rid, _), s in self._scans.items() if rid == request_id]
            return _copy(sorted(found, key=lambda s: (s.created_at, s.id)))

    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None:
        with self._lock:
            scan = self._scans.get((request_id, scan_id))
            if scan is None:
                raise NotFound(refusals.SCAN_NOT_FOUND)
            self._scans[(request_id, scan_id)] = replace(scan, state=state)

    def delete_scan(self, request_id: str, scan_id: str) -> None:
        with self._lock:
            self._scans.pop((request_id, scan_id), None)

    def pending_scans(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Scan]:
        with self._lock:
            found = ((due.scan_position(s), s) for s in self._scans.values())
            return _due_page(found, before, cursor, limit)


class _BatchMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._batches: dict[str, Batch] = {}

    def create_batch(self, batch: Batch) -> None:
        with self._lock:
            if batch.id in self._batches:
                raise Conflict(refusals.BATCH_EXISTS)
            self._batches[batch.id] = _copy(batch)

    def save_batch(self, batch: Batch, expected_version: int) -> None:
        with self._lock:
            current = self._batches.get(batch.id)
            if current is None or current.version != expected_version:
                raise Conflict(refusals.BATCH_CHANGED)
            self._batches[batch.id] = _copy(batch)

    def get_batch(self, batch_id: str) -> Batch | None:
        with self._lock:
            return _copy(self._batches.get(batch_id))

    def list_batches(
        self, *, kabupaten: str, cursor: str | None, limit: int
    ) -> tuple[list[Batch], str | None]:
        limit = paging.page_size(limit)
        before = paging.decode_position(cursor) if cursor is not None else None
        with self._lock:
            found = sorted(
                (
                    b
                    for b in self._batches.values()
                    if b.kabupaten == kabupaten
                    and (before is None or (b.created_at, b.id) < before)
                ),
                key=lambda b: (b.created_at, b.id),
                reverse=True,
            )
            items = _copy(found[: max(limit, 0)])
        if len(found) > limit and items:
            return items, paging.encode_position(items[-1].created_at, items[-1].id)
        return items, None

    def unpurged_batches(self, *, before: str, cursor: str | None, limit: int) -> DuePage[Batch]:
        with self._lock:
            found = ((due.batch_position(b), b) for b in self._batches.values())
            return _due_page(found, before, cursor, limit)


class _UserMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._users: dict[str, User] = {}

    def get_user(self, username: str) -> User | None:
        with self._lock:
            return _copy(self._users.get(username))

    def save_user(self, user: User) -> None:
        with self._lock:
            self._users[user.username] = _copy(user)

    def list_users(self) -> list[User]:
        with self._lock:
            return _copy([self._users[name] for name in sorted(self._users)])


class _AttemptMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._attempts: dict[str, LoginAttempts] = {}

    def get_login_attempts(self, key: str, now: float) -> LoginAttempts | None:
        with self._lock:
            stored = self._attempts.get(key)
            return _copy(stored) if stored and stored.expires_at > now else None

    def swap_login_attempts(
        self, attempts: LoginAttempts, expected: LoginAttempts | None, now: float
    ) -> bool:
        with self._lock:
            stored = self._attempts.get(attempts.key)
            live = stored if stored and stored.expires_at > now else None
            if expected is None:
                if live is not None:
                    return False
                # Like the SQLite sweep: expired keys go, so unknown names do not pile up.
                for key in [k for k, v in self._attempts.items() if v.expires_at <= now]:
                    del self._attempts[key]
            elif live is None or (live.failures, live.locked_until) != (
                expected.failures,
                expected.locked_until,
            ):
                return False
            self._attempts[attempts.key] = _copy(attempts)
            return True

    def delete_login_attempts(self, key: str) -> None:
        with self._lock:
            self._attempts.pop(key, None)

    def login_attempt_count(self) -> int:
        """How many throttle records are stored (tests: keys must not pile up)."""
        with self._lock:
            return len(self._attempts)


class _SessionMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._sessions: dict[str, OfficerSession] = {}

    def create_session(self, session: OfficerSession, now: float) -> None:
        with self._lock:
            for key in [k for k, v in self._sessions.items() if v.expires_at <= now]:
                del self._sessions[key]
            self._sessions[session.id_hash] = session

    def get_session(self, id_hash: str) -> OfficerSession | None:
        with self._lock:
            return self._sessions.get(id_hash)

    def touch_session(self, id_hash: str, last_seen: float, expires_at: float) -> None:
        with self._lock:
            stored = self._sessions.get(id_hash)
            if stored is not None:
                self._sessions[id_hash] = replace(
                    stored, last_seen=last_seen, expires_at=expires_at
                )

    def revoke_session(self, id_hash: str) -> None:
        with self._lock:
            stored = self._sessions.get(id_hash)
            if stored is not None:
                self._sessions[id_hash] = replace(stored, revoked=True)

    def revoke_user_sessions(self, username: str) -> None:
        with self._lock:
            for key, stored in self._sessions.items():
                if stored.username == username:
                    self._sessions[key] = replace(stored, revoked=True)


class _ReturnMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._runs: dict[str, ReturnRun] = {}
        self._lines: dict[str, dict[int, ReturnLine]] = {}
        self._chunks: dict[str, dict[int, dict[str, int]]] = {}

    def create_return(self, run: ReturnRun) -> bool:
        with self._lock:
            if run.id in self._runs:
                return False
            self._runs[run.id] = _copy(run)
            return True

    def save_return(self, run: ReturnRun) -> None:
        with self._lock:
            if run.id in self._runs:
                self._runs[run.id] = _copy(run)

    def get_return(self, return_id: str) -> ReturnRun | None:
        with self._lock:
            return _copy(self._runs.get(return_id))

    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        if len(lines) > RETURN_LINES_PER_WRITE:
            raise ValueError(f"at most {RETURN_LINES_PER_WRITE} lines per write")
        with self._lock:
            stored = self._lines.setdefault(return_id, {})
            for line in lines:
                stored.setdefault(line.seq, _copy(line))

    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        if limit < 1:
            return []
        with self._lock:
            stored = self._lines.get(return_id, {})
            return _copy([stored[seq] for seq in sorted(stored) if seq > after][:limit])

    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with self._lock:
            self._chunks.setdefault(return_id, {})[chunk] = dict(counts)

    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]:
        with self._lock:
            stored = self._chunks.get(return_id, {})
            return {chunk: dict(stored[chunk]) for chunk in sorted(stored)}

    def unfinished_returns(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ReturnRun]:
        with self._lock:
            found = ((due.return_position(r), r) for r in self._runs.values())
            return _due_page(found, before, cursor, limit)


# The concrete mixins above hold the state; the fakes below declare the ports. (Protocols
# come last in each class's bases: their __init__ would end the cooperative chain.)


class FakeAuditLog(_AuditMemory, AuditLog):
    pass


class FakeRequestStore(_RequestMemory, RequestStore, AuditLog):
    """Requests and timelines; each event is also in this fake's audit log."""


class FakeScanStore(_ScanMemory, ScanStore):
    pass


class FakeBatchStore(_BatchMemory, BatchStore):
    pass


class FakeUserStore(_UserMemory, UserStore):
    pass


class FakeLoginAttemptStore(_AttemptMemory, LoginAttemptStore):
    pass


class FakeSessionStore(_SessionMemory, SessionStore):
    pass


class FakeReturnStore(_ReturnMemory, ReturnStore):
    pass


class _DesaContactMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._desa_contacts: dict[str, DesaContact] = {}

    def get_desa_contact(self, desa: str) -> DesaContact | None:
        with self._lock:
            return self._desa_contacts.get(desa)

    def save_desa_contact(self, contact: DesaContact) -> None:
        with self._lock:
            self._desa_contacts[contact.desa] = contact


class _NotificationLogMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._notified: dict[str, tuple[float, float]] = {}  # key: (sent at, expires at)

    def notification_sent(self, key: str, now: float) -> bool:
        with self._lock:
            sent = self._notified.get(key)
            return sent is not None and sent[1] > now

    def mark_notification_sent(self, key: str, at: float, expires_at: float) -> None:
        with self._lock:
            kept = self._notified.get(key, (at, expires_at))
            self._notified[key] = (kept[0], max(kept[1], expires_at))

    def notification_log(self) -> dict[str, tuple[float, float]]:
        """For tests: everything the log holds (key: (sent at, expires at))."""
        with self._lock:
            return dict(self._notified)


class _ServiceTimeMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._counted: set[tuple[str, str]] = set()  # (request id, status)
        # (kabupaten, day, desa, status) -> {days: count}
        self._service_times: dict[tuple[str, str, str, str], dict[int, int]] = {}
        self.service_time_reads = 0  # for tests: the Queries a page view would make

    def count_service_time(
        self, request_id: str, status: str, kabupaten: str, desa: str, day: str, days: int
    ) -> bool:
        with self._lock:
            if (request_id, status) in self._counted:
                return False
            self._counted.add((request_id, status))
            histogram = self._service_times.setdefault((kabupaten, day, desa, status), {})
            histogram[days] = histogram.get(days, 0) + 1
            return True

    def service_time_day(self, kabupaten: str, day: str) -> list[DayCounts]:
        with self._lock:
            self.service_time_reads += 1
            found: dict[str, DayCounts] = {}
            for (kab, on, desa, status), histogram in sorted(self._service_times.items()):
                if (kab, on) != (kabupaten, day):
                    continue
                counts = found.setdefault(desa, DayCounts(desa, day))
                (counts.selesai if status == "SELESAI" else counts.diserahkan).update(histogram)
            return list(found.values())


class FakeRecords(
    _RequestMemory,
    _ScanMemory,
    _BatchMemory,
    _UserMemory,
    _AttemptMemory,
    _SessionMemory,
    _ReturnMemory,
    _DesaContactMemory,
    _NotificationLogMemory,
    _ServiceTimeMemory,
    ReportMemory,
    Records,
):
    """Every records port over one lock, as one adapter object serves them all."""


# Sasaran ----------------------------------------------------------------------


class _CounterMemory(_Memory):
    def __init__(self) -> None:
        super().__init__()
        self._counters: dict[tuple[str, str], dict[str, int]] = {}
        self._applied: set[str] = set()

    def counters(self, level: str, code: str) -> dict[str, int]:
        with self._lock:
            return {n: v for n, v in self._counters.get((level, code), {}).items() if v}

    def counters_under(self, level: str, prefix: str) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                code: {n: v for n, v in values.items() if v}
                for (lvl, code), values in sorted(self._counters.items())
                if lvl == level and code.startswith(prefix)
            }

    def upgrade_counters(self, *, limit: int) -> tuple[int, bool]:
        return 0, True

    def apply_once(self, key: str, deltas: Mapping[str, Mapping[str, int]]) -> bool:
        with self._lock:
            if key in self._applied:
                return False
            self._applied.add(key)
            self._apply(deltas)
            return True

    def _apply(self, deltas: Mapping[str, Mapping[str, int]]) -> None:
        """Each desa's changes go to the desa, its kecamatan and its kabupaten."""
        for desa, changes in deltas.items():
            for scope in scopes(desa):
                bucket = self._counters.setdefault(scope, {})
                for name, value in changes.items():
                    if value:
                        bucket[name] = bucket.get(name, 0) + value


class _WorklistMemory(_CounterMemory):
    """Rows and follow-ups; row writes apply their deltas to this fake's counters."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, SasaranRow] = {}
        self._followups: dict[str, Followup] = {}
        self._tombstones: list[Tombstone] = []
        self._floors: dict[str, int] = {}

    def get_row(self, sasaran_id: str) -> SasaranRow | None:
        with self._lock:
            return _copy(self._rows.get(sasaran_id))

    def find_by_niks(self, niks: Sequence[str]) -> dict[str, SasaranRow]:
        wanted = set(niks)
        with self._lock:
            return {r.nik: _copy(r) for r in self._rows.values() if r.nik and r.nik in wanted}

    def find_by_name_keys(self, keys: Sequence[str]) -> dict[str, list[SasaranRow]]:
        wanted = set(keys)
        found: dict[str, list[SasaranRow]] = {}
        with self._lock:
            for row_id in sorted(self._rows):
                row = self._rows[row_id]
                if row.name_key in wanted:
                    found.setdefault(row.name_key, []).append(_copy(row))
        return found

    def list_rows(self, desa: str, *, cursor: str | None, limit: int) -> SasaranPage:
        limit = paging.page_size(limit)
        after = paging.decode_key(cursor) if cursor else ""
        with self._lock:
            found = sorted(
                (
                    r
                    for r in self._rows.values()
                    if r.desa == desa and r.sort_key > after and not r.purged_at
                ),
                key=lambda r: r.sort_key,
            )
            items = _copy(found[:limit])
        return SasaranPage(
            items, paging.encode_key(items[-1].sort_key) if len(found) > limit else None
        )

    def changes(
        self, desa: str, *, since: int, cursor: str | None, limit: int
    ) -> ChangesPage | None:
        limit = paging.page_size(limit)
        after = after_cursor(since, cursor)
        with self._lock:
            if since < self._floors.get(desa, 0):
                return None
            revision = self._counters.get(("desa", desa), {}).get("revision", 0)
            found: list[tuple[int, SasaranRow | Tombstone]] = [
                (r.revision, r)
                for r in self._rows.values()
                if r.desa == desa and not r.purged_at and r.revision > after
            ]
            found += [(t.revision, t) for t in self._tombstones if t.desa == desa]
            found = sorted((f for f in found if f[0] > after), key=lambda f: f[0])
            page = [_copy(item) for _, item in found[:limit]]
        return ChangesPage(
            revision,
            [i for i in page if isinstance(i, SasaranRow)],
            [i for i in page if isinstance(i, Tombstone)],
            revision_cursor(found[limit - 1][0]) if len(found) > limit else None,
        )

    def expire_tombstones(self, *, before: str, limit: int) -> int:
        with self._lock:
            due_now = sorted(
                (t for t in self._tombstones if t.removed_at < before),
                key=lambda t: (t.removed_at, t.desa, t.revision),
            )[: max(limit, 0)]
            for t in due_now:
                self._floors[t.desa] = max(self._floors.get(t.desa, 0), t.revision)
                self._tombstones.remove(t)
            return len(due_now)

    def save_row(self, write: RowWrite) -> None:
        with self._lock:
            self._write_row(write)

    def record_followup(self, followup: Followup, write: RowWrite) -> bool:
        with self._lock:
            if followup.id in self._followups:
                return False
            self._write_row(write)
            self._followups[followup.id] = _copy(followup)
            return True

    def get_followup(self, followup_id: str) -> Followup | None:
        with self._lock:
            return _copy(self._followups.get(followup_id))

    def list_followups(self, sasaran_id: str) -> list[Followup]:
        with self._lock:
            found = [f for f in self._followups.values() if f.sasaran_id == sasaran_id]
            return _copy(sorted(found, key=lambda f: (f.at, f.id)))

    def closed_rows(self, *, before: str, cursor: str | None, limit: int) -> DuePage[SasaranRow]:
        with self._lock:
            found = ((due.row_position(r), r) for r in self._rows.values())
            return _due_page(found, before, cursor, limit)

    def erase_followup_notes(self, sasaran_id: str) -> None:
        with self._lock:
            for key, followup in list(self._followups.items()):
                if followup.sasaran_id == sasaran_id:
                    self._followups[key] = replace(followup, note="")

    def _write_row(self, write: RowWrite) -> None:
        """Check, then write the row and apply its deltas; the caller holds the lock."""
        row = write.row
        current = self._rows.get(row.id)
        if (
            (current is not None)
            if write.expected_version == 0
            else (current is None or current.version != write.expected_version)
        ):
            raise Conflict(refusals.STALE_SASARAN)
        if row.nik and any(r.nik == row.nik and r.id != row.id for r in self._rows.values()):
            raise Conflict(refusals.NIK_TAKEN)
        revisions = {
            d: self._counters.get(("desa", d), {}).get("revision", 0) for d in write.deltas
        }
        revised = revise(row, write.deltas, current, revisions)
        self._rows[row.id] = _copy(revised.row)
        if revised.tombstone is not None:
            self._tombstones.append(revised.tombstone)
        self._apply(write.deltas)


class _ImportMemory(_WorklistMemory):
    """Import runs and results; an accepted line's row goes to this fake's worklist."""

    def __init__(self) -> None:
        super().__init__()
        self._imports: dict[str, ImportRun] = {}
        self._results: dict[tuple[str, int], ImportResult] = {}
        self._import_chunks: dict[str, dict[int, dict[str, int]]] = {}

    def create_import(self, run: ImportRun) -> bool:
        with self._lock:
            if run.id in self._imports:
                return False
            self._imports[run.id] = _copy(run)
            return True

    def save_import(self, run: ImportRun) -> None:
        with self._lock:
            if run.id in self._imports:
                self._imports[run.id] = _copy(run)

    def get_import(self, import_id: str) -> ImportRun | None:
        with self._lock:
            return _copy(self._imports.get(import_id))

    def list_imports(self, *, limit: int) -> list[ImportRun]:
        with self._lock:
            found = sorted(self._imports.values(), key=lambda r: (r.created_at, r.id), reverse=True)
            return _copy(found[: max(limit, 0)])

    def apply_import_lines(self, lines: Sequence[ImportLineWrite]) -> None:
        with self._lock:
            # All or none, as the SQLite store: keep what was there to put it back.
            saved = (dict(self._rows), {k: dict(v) for k, v in self._counters.items()})
            tombstones = list(self._tombstones)
            done = dict(self._results)
            try:
                for line in lines:
                    key = (line.result.import_id, line.result.line)
                    if key in self._results:
                        continue
                    if line.write is not None:
                        self._write_row(line.write)
                    self._results[key] = _copy(line.result)
            except Conflict:
                self._rows, self._counters = saved
                self._results = done
                self._tombstones = tombstones
                raise

    def import_results(self, import_id: str, *, after_line: int, limit: int) -> list[ImportResult]:
        with self._lock:
            found = sorted(
                (r for (i, n), r in self._results.items() if i == import_id and n > after_line),
                key=lambda r: r.line,
            )
            return _copy(found[: max(limit, 0)])

    def record_chunk(self, import_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with self._lock:
            self._import_chunks.setdefault(import_id, {})[chunk] = dict(counts)

    def chunk_counts(self, import_id: str) -> dict[int, dict[str, int]]:
        with self._lock:
            stored = self._import_chunks.get(import_id, {})
            return {chunk: dict(stored[chunk]) for chunk in sorted(stored)}

    def unfinished_imports(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ImportRun]:
        with self._lock:
            found = ((due.import_position(r), r) for r in self._imports.values())
            return _due_page(found, before, cursor, limit)


class FakeCounterStore(_CounterMemory, CounterStore):
    pass


class FakeWorklistStore(_WorklistMemory, WorklistStore, CounterStore):
    """Rows and follow-ups; row writes apply their deltas to this fake's counters."""


class FakeImportStore(_ImportMemory, ImportStore, WorklistStore, CounterStore):
    """Import runs and results; an accepted line's row goes to this fake's worklist."""


class FakeSasaranStore(_ImportMemory, SasaranStore):
    """Every sasaran port over one lock."""


# Blobs and queue --------------------------------------------------------------


@dataclass(frozen=True)
class _Grant:
    kind: str  # upload | download
    key: str
    expires: float
    size: int = 0
    content_type: str = ""
    filename: str | None = None
    sha256: str | None = None
    inline: bool = False


class _Sink(io.BytesIO):
    pass


class MemoryBlobs(_Memory, Blobs):
    """Blobs in a dict; upload and download URLs are random tokens this fake remembers.

    `accept_upload` and `resolve_download` play the device's PUT and GET: an
    unknown (forged) token, an expired one, a larger body or another type are
    refused as the folder's signed URLs are.
    """

    PREFIX = "memory://blobs"

    def __init__(self, *, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._now = now
        self._blobs: dict[str, tuple[bytes, str]] = {}
        self._grants: dict[str, _Grant] = {}

    def upload_target(
        self,
        key: str,
        *,
        size: int,
        content_type: str,
        expires_in: int,
        sha256: str | None = None,
    ) -> UploadTarget:
        expires = int(self._now()) + expires_in
        token = self._grant(_Grant("upload", _key(key), expires, size, content_type, sha256=sha256))
        return UploadTarget(
            "PUT", f"{self.PREFIX}/upload/{token}", headers={"Content-Type": content_type}
        )

    def download_url(
        self, key: str, *, expires_in: int, filename: str | None = None, inline: bool = False
    ) -> str:
        token = self._grant(
            _Grant(
                "download",
                _key(key),
                int(self._now()) + expires_in,
                filename=filename,
                inline=inline,
            )
        )
        return f"{self.PREFIX}/download/{token}"

    def size(self, key: str) -> int | None:
        with self._lock:
            stored = self._blobs.get(key)
            return len(stored[0]) if stored else None

    def read_head(self, key: str, length: int) -> bytes:
        return self._data(key)[:length]

    def read_range(self, key: str, start: int, length: int) -> bytes:
        if start < 0 or length < 0:
            raise InvalidInput(refusals.BAD_RANGE)
        return self._data(key)[start : start + length]

    def iter_chunks(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        data = self._data(key)
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    def put(self, key: str, data: IO[bytes], content_type: str) -> None:
        body = data.read()
        with self._lock:
            self._blobs[_key(key)] = (body, content_type)

    @contextlib.contextmanager
    def writer(self, key: str, content_type: str) -> Iterator[BlobSink]:
        key = _key(key)
        sink = _Sink()
        yield sink
        with self._lock:
            self._blobs[key] = (sink.getvalue(), content_type)

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(key, None)

    def erase_prefix(self, prefix: str) -> int:
        if not prefix.endswith("/"):
            raise InvalidInput(refusals.BAD_BLOB_KEY)
        with self._lock:
            keys = [key for key in self._blobs if key.startswith(prefix)]
            for key in keys:
                del self._blobs[key]
            return len(keys)

    # The device's side ------------------------------------------------------------
    def accept_upload(self, url: str, content_type: str | None, data: bytes) -> str:
        grant = self._check(url, "upload")
        if (content_type or "").strip() != grant.content_type:
            raise InvalidInput(refusals.WRONG_CONTENT_TYPE)
        if len(data) > grant.size:
            raise PayloadTooLarge(refusals.LARGER_THAN_REGISTERED)
        if grant.sha256 is not None and hashlib.sha256(data).hexdigest() != grant.sha256:
            raise Conflict(refusals.OTHER_BYTES_THAN_REGISTERED)
        with self._lock:
            self._blobs[grant.key] = (bytes(data), grant.content_type)
        return grant.key

    def resolve_download(self, url: str) -> tuple[bytes, str | None]:
        grant = self._check(url, "download")
        return self._data(grant.key), grant.filename

    def download_is_inline(self, url: str) -> bool:
        return self._check(url, "download").inline

    def content_type(self, key: str) -> str | None:
        with self._lock:
            stored = self._blobs.get(key)
            return stored[1] if stored else None

    def _grant(self, grant: _Grant) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._grants[token] = grant
        return token

    def _check(self, url: str, kind: str) -> _Grant:
        with self._lock:
            grant = self._grants.get(url.rsplit("/", 1)[-1])
        if grant is None or grant.kind != kind or not url.startswith(f"{self.PREFIX}/{kind}/"):
            upload = kind == "upload"
            raise Forbidden(refusals.BAD_UPLOAD_LINK if upload else refusals.BAD_DOWNLOAD_LINK)
        if self._now() > grant.expires:
            upload = kind == "upload"
            expired = refusals.EXPIRED_UPLOAD_LINK if upload else refusals.EXPIRED_DOWNLOAD_LINK
            raise Forbidden(expired, reason="expired")
        return grant

    def _data(self, key: str) -> bytes:
        with self._lock:
            stored = self._blobs.get(key)
        if stored is None:
            raise NotFound(refusals.BLOB_NOT_FOUND)
        return stored[0]


def _key(key: str) -> str:
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in key.split("/")):
        raise InvalidInput(refusals.BAD_BLOB_KEY)
    return key


@dataclass
class _Stored:
    id: str
    body: str
    sent: int  # order of sending
    available_at: float
    attempts: int = 0
    deliveries: int = 0  # never reset (not even by redrive): old receipts stay stale
    dead: bool = False


class FakeQueue(_Memory, Queue):
    """SQS's visibility timeout, receive count and dead letters, on an injectable clock."""

    def __init__(self, *, max_receives: int = 5, now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self._max_receives = max_receives
        self._now = now
        self._messages: dict[str, _Stored] = {}
        self._sent = 0

    def send(self, body: dict[str, Any]) -> None:
        encoded = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        if len(encoded.encode()) > 1 << 20:
            raise PayloadTooLarge(refusals.MESSAGE_TOO_LARGE)
        with self._lock:
            self._sent += 1
            message_id = uuid.uuid4().hex
            self._messages[message_id] = _Stored(message_id, encoded, self._sent, self._now())

    def receive(self, *, max_messages: int = 10, visibility_timeout: int = 60) -> list[Message]:
        now = self._now()
        with self._lock:
            due = [m for m in self._messages.values() if not m.dead and m.available_at <= now]
            for message in due:
                if message.attempts >= self._max_receives:
                    message.dead = True
            ready = sorted((m for m in due if not m.dead), key=lambda m: (m.available_at, m.sent))[
                : max(max_messages, 0)
            ]
            for message in ready:
                message.available_at = now + visibility_timeout
                message.attempts += 1
                message.deliveries += 1
            return [self._message(m) for m in ready]

    def ack(self, message: Message) -> None:
        message_id, _, deliveries = message.receipt.rpartition(":")
        with self._lock:
            stored = self._messages.get(message_id)
            if stored is not None and deliveries == str(stored.deliveries):
                del self._messages[message_id]

    def dead_letters(self) -> list[Message]:
        with self._lock:
            dead = sorted((m for m in self._messages.values() if m.dead), key=lambda m: m.sent)
            return [self._message(m) for m in dead]

    def redrive(self, message_id: str) -> bool:
        with self._lock:
            stored = self._messages.get(message_id)
            if stored is None or not stored.dead:
                return False
            stored.dead, stored.attempts, stored.available_at = False, 0, self._now()
            return True

    # For tests ----------------------------------------------------------------------
    def pending(self) -> list[dict[str, Any]]:
        """Bodies of the live messages, in the order they were sent (nothing is received)."""
        with self._lock:
            live = sorted((m for m in self._messages.values() if not m.dead), key=lambda m: m.sent)
            return [json.loads(m.body) for m in live]

    @staticmethod
    def _message(stored: _Stored) -> Message:
        return Message(
            stored.id, json.loads(stored.body), f"{stored.id}:{stored.deliveries}", stored.attempts
        )


# The use cases on the fakes ---------------------------------------------------

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class FakeNotifier(Notifier):
    """Keeps what it was asked to send; `fail_next` makes the next sends raise SendFailed
    (transient unless said otherwise), as a provider's 5xx or refusal would."""

    channel = "local"

    def __init__(self, now: Callable[[], str] | None = None) -> None:
        self.messages: list[SentMessage] = []
        self.failures: list[SendFailed] = []
        self._now = now or (lambda: "2026-01-01T00:00:00Z")
        self._lock = threading.Lock()

    def fail_next(self, times: int = 1, *, transient: bool = True) -> None:
        with self._lock:
            self.failures += [SendFailed("fake failure", transient=transient)] * times

    def send(self, *, to: str, text: str, key: str, request_id: str | None) -> None:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            self.messages.append(SentMessage(key, request_id, to, text, self._now()))

    def sent(self, *, limit: int = 100) -> list[SentMessage]:
        with self._lock:
            return list(reversed(self.messages))[:limit]

    def forget(self, request_id: str) -> None:
        with self._lock:
            self.messages = [m for m in self.messages if m.request_id != request_id]


class FloatClock:
    """Seconds since the epoch that a test moves (the fake queue's and blobs' clock)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class FakeSet:
    services: Services
    records: FakeRecords
    blobs: MemoryBlobs
    queue: FakeQueue
    sasaran: FakeSasaranStore
    clock: FloatClock
    notifier: FakeNotifier


def build_services(records: FakeRecords | None = None, **overrides: Any) -> FakeSet:
    """bakso.bootstrap.build_services on fresh fakes (or the given `records`): the local
    defaults, `overrides` on top. Nothing is written to disk."""
    from bakso.bootstrap import build_services as wire
    from bakso.config import LocalConfig

    config = {key: getattr(LocalConfig, key) for key in dir(LocalConfig) if key.isupper()}
    config.update(SECRET_KEY="fake-secret", ARGON2_PARAMS=FAST_ARGON2, DATA_DIR="unused")
    config.update(overrides)
    clock = FloatClock()
    records, blobs = records or FakeRecords(), MemoryBlobs(now=clock)
    queue = FakeQueue(max_receives=config["QUEUE_MAX_RECEIVES"], now=clock)
    sasaran = FakeSasaranStore()
    notifier = FakeNotifier()
    services = wire(config, (records, blobs, queue, sasaran), notifier=notifier, ikm=FakeIkmStore())
    return FakeSet(services, records, blobs, queue, sasaran, clock, notifier)
