"""Records in one SQLite file (WAL), for `make run` on one machine.

SQLite serialises writers, so every multi-row write takes the write lock up
front (BEGIN IMMEDIATE): the existence/version checks and the writes they
guard then see the same snapshot, which is what DynamoDB's conditional writes
give the AWS adapter.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ...domain import paging
from ...domain.errors import Conflict, NotFound
from ...domain.lifecycle import Role, Status
from ...domain.model import (
    GENESIS_HASH,
    AuditEntry,
    Batch,
    Event,
    LoginAttempts,
    Request,
    Scan,
    User,
    audit_hash,
    event_audit_data,
)
from ...domain.refusals import BATCH_CHANGED, CODE_TAKEN, SCAN_NOT_FOUND, STALE_REQUEST
from ...domain.returns import ReturnLine, ReturnRun
from ...ports import (
    MAX_REQUEST_WRITES,
    RETURN_LINES_PER_WRITE,
    CodeTaken,
    Page,
    Records,
    RequestWrite,
)
from .sqlite import SqliteDatabase

# SqliteDatabase moved to .sqlite; importing it from here still works.
__all__ = ["MIGRATIONS", "SqliteDatabase", "SqliteRecords"]

MIGRATIONS = [
    """
    CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        desa TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX requests_newest ON requests (created_at, id);
    CREATE INDEX requests_desa_newest ON requests (desa, created_at, id);
    CREATE INDEX requests_status_newest ON requests (status, created_at, id);
    CREATE TABLE timeline (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES requests (id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        note TEXT NOT NULL,
        action TEXT NOT NULL
    );
    CREATE INDEX timeline_request ON timeline (request_id, seq);
    CREATE TABLE scans (
        request_id TEXT NOT NULL,
        id TEXT NOT NULL,
        requirement TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        key TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (request_id, id)
    );
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        desa TEXT,
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL,
        session_epoch INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE login_attempts (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until REAL NOT NULL
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    """,
    # The resident's status link finds a request by its public token.
    """
    ALTER TABLE requests ADD COLUMN token TEXT;
    CREATE UNIQUE INDEX requests_token ON requests (token) WHERE token IS NOT NULL;
    """,
    # Dukcapil batches, and the lookups the audit view filters by.
    """
    ALTER TABLE requests ADD COLUMN batch_id TEXT;
    CREATE INDEX requests_batch ON requests (batch_id) WHERE batch_id IS NOT NULL;
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX batches_newest ON batches (created_at, id);
    CREATE INDEX audit_target ON audit (target, seq);
    CREATE INDEX audit_actor ON audit (actor, seq);
    """,
    # Bulk returns: a run, each line's result, each applied chunk's counts.
    """
    CREATE TABLE return_runs (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE return_lines (
        return_id TEXT NOT NULL REFERENCES return_runs (id),
        seq INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (return_id, seq)
    );
    CREATE TABLE return_chunks (
        return_id TEXT NOT NULL REFERENCES return_runs (id),
        chunk INTEGER NOT NULL,
        counts TEXT NOT NULL,
        PRIMARY KEY (return_id, chunk)
    );
    """,
]

_SCAN_COLUMNS = "id, request_id, requirement, sha256, size, content_type, key, state, created_at"
_USER_COLUMNS = "username, role, desa, password_hash, active, session_epoch, created_at"
_AUDIT_COLUMNS = "seq, at, actor, action, target, data, prev_hash, hash"


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _scan(row: Sequence[Any]) -> Scan:
    return Scan(*row)


def _user(row: Sequence[Any]) -> User:
    username, role, desa, password_hash, active, session_epoch, created_at = row
    return User(
        username=username,
        role=Role(role),
        desa=desa,
        password_hash=password_hash,
        active=bool(active),
        session_epoch=session_epoch,
        created_at=created_at,
    )


def _audit_entry(row: Sequence[Any]) -> AuditEntry:
    seq, at, actor, action, target, data, prev_hash, hash_ = row
    return AuditEntry(seq, at, actor, action, target, json.loads(data), prev_hash, hash_)


class SqliteRecords(Records):
    def __init__(self, path: Path) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()

    # Requests -------------------------------------------------------------
    def create_request(self, request: Request, event: Event) -> bool:
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM requests WHERE id = ?", (request.id,)).fetchone():
                return False
            try:
                db.execute(
                    "INSERT INTO requests"
                    " (id, code, desa, status, created_at, version, data, token, batch_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._request_row(request),
                )
            except sqlite3.IntegrityError:
                # The id is free (checked under the lock), so the code is the clash.
                raise CodeTaken(request.code) from None
            self._add_event(db, event)
            return True

    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        with self._db.transaction() as db:
            try:
                updated = db.execute(
                    "UPDATE requests SET code = ?, desa = ?, status = ?, created_at = ?,"
                    " version = ?, data = ?, token = ?, batch_id = ? WHERE id = ? AND version = ?",
                    (*self._request_row(request)[1:], request.id, expected_version),
                ).rowcount
            except sqlite3.IntegrityError:
                raise Conflict(CODE_TAKEN) from None
            if updated == 0:
                row = db.execute(
                    "SELECT version FROM requests WHERE id = ?", (request.id,)
                ).fetchone()
                raise Conflict(STALE_REQUEST, current_version=row[0] if row else None)
            if event is not None:
                self._add_event(db, event)

    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        if len(writes) > MAX_REQUEST_WRITES:
            raise ValueError(f"at most {MAX_REQUEST_WRITES} writes in one transaction")
        with self._db.transaction() as db:
            for write in writes:
                request = write.request
                updated = db.execute(
                    "UPDATE requests SET code = ?, desa = ?, status = ?, created_at = ?,"
                    " version = ?, data = ?, token = ?, batch_id = ? WHERE id = ? AND version = ?",
                    (*self._request_row(request)[1:], request.id, write.expected_version),
                ).rowcount
                if updated == 0:
                    # Raising rolls back the whole transaction: none of the writes stays.
                    raise Conflict(STALE_REQUEST)
                if write.event is not None:
                    self._add_event(db, write.event)

    def get_request(self, request_id: str) -> Request | None:
        row = self._read_one("SELECT data FROM requests WHERE id = ?", request_id)
        return Request.from_record(json.loads(row[0])) if row else None

    def get_request_by_code(self, code: str) -> Request | None:
        row = self._read_one("SELECT data FROM requests WHERE code = ?", code)
        return Request.from_record(json.loads(row[0])) if row else None

    def get_request_by_token(self, token: str) -> Request | None:
        row = self._read_one("SELECT data FROM requests WHERE token = ?", token)
        return Request.from_record(json.loads(row[0])) if row else None

    def list_requests(
        self, *, desa: str | None, status: Status | None, cursor: str | None, limit: int
    ) -> Page:
        limit = paging.page_size(limit)
        clauses: list[str] = []
        params: list[Any] = []
        if desa is not None:
            clauses.append("desa = ?")
            params.append(desa)
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if cursor is not None:
            clauses.append("(created_at, id) < (?, ?)")
            params.extend(paging.decode_position(cursor))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # One extra row tells whether a next page exists without a second query.
        rows = (
            self._db.connection()
            .execute(
                # Only the constant clauses above are spliced in; values are bound.
                f"SELECT data FROM requests {where}"  # noqa: S608
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, limit + 1),
            )
            .fetchall()
        )
        items = [Request.from_record(json.loads(row[0])) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = paging.encode_position(items[-1].created_at, items[-1].id)
        return Page(items=items, cursor=next_cursor)

    def timeline(self, request_id: str) -> list[Event]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT request_id, at, actor, from_status, to_status, note, action"
                " FROM timeline WHERE request_id = ? ORDER BY seq",
                (request_id,),
            )
            .fetchall()
        )
        return [
            Event(
                request_id=row[0],
                at=row[1],
                by=row[2],
                from_status=Status(row[3]) if row[3] is not None else None,
                to_status=Status(row[4]),
                note=row[5],
                action=row[6],
            )
            for row in rows
        ]

    # Scans ----------------------------------------------------------------
    def add_scan(self, scan: Scan) -> Scan:
        with self._db.transaction() as db:
            db.execute(
                f"INSERT OR IGNORE INTO scans ({_SCAN_COLUMNS})"  # noqa: S608 - constant columns
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    scan.id,
                    scan.request_id,
                    scan.requirement,
                    scan.sha256,
                    scan.size,
                    scan.content_type,
                    scan.key,
                    scan.state,
                    scan.created_at,
                ),
            )
            row = db.execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ? AND id = ?",  # noqa: S608
                (scan.request_id, scan.id),
            ).fetchone()
        return _scan(row)

    def get_scan(self, request_id: str, scan_id: str) -> Scan | None:
        row = self._read_one(
            f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ? AND id = ?",  # noqa: S608
            request_id,
            scan_id,
        )
        return _scan(row) if row else None

    def list_scans(self, request_id: str) -> list[Scan]:
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_SCAN_COLUMNS} FROM scans WHERE request_id = ?"  # noqa: S608
                " ORDER BY created_at, id",
                (request_id,),
            )
            .fetchall()
        )
        return [_scan(row) for row in rows]

    def set_scan_state(self, request_id: str, scan_id: str, state: str) -> None:
        updated = (
            self._db.connection()
            .execute(
                "UPDATE scans SET state = ? WHERE request_id = ? AND id = ?",
                (state, request_id, scan_id),
            )
            .rowcount
        )
        if updated == 0:
            raise NotFound(SCAN_NOT_FOUND)

    def delete_scan(self, request_id: str, scan_id: str) -> None:
        self._db.connection().execute(
            "DELETE FROM scans WHERE request_id = ? AND id = ?", (request_id, scan_id)
        )

    # Officers and login throttling ------------------------------------------
    def get_user(self, username: str) -> User | None:
        row = self._read_one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?",  # noqa: S608
            username,
        )
        return _user(row) if row else None

    def save_user(self, user: User) -> None:
        self._db.connection().execute(
            f"INSERT OR REPLACE INTO users ({_USER_COLUMNS})"  # noqa: S608 - constant columns
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user.username,
                user.role.value,
                user.desa,
                user.password_hash,
                int(user.active),
                user.session_epoch,
                user.created_at,
            ),
        )

    def list_users(self) -> list[User]:
        rows = (
            self._db.connection()
            .execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")  # noqa: S608
            .fetchall()
        )
        return [_user(row) for row in rows]

    def get_login_attempts(self, key: str) -> LoginAttempts | None:
        row = self._read_one(
            "SELECT key, failures, locked_until FROM login_attempts WHERE key = ?", key
        )
        return LoginAttempts(key=row[0], failures=row[1], locked_until=row[2]) if row else None

    def save_login_attempts(self, attempts: LoginAttempts) -> None:
        self._db.connection().execute(
            "INSERT OR REPLACE INTO login_attempts (key, failures, locked_until) VALUES (?, ?, ?)",
            (attempts.key, attempts.failures, attempts.locked_until),
        )

    # Audit log ------------------------------------------------------------
    def append_audit(
        self, *, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        with self._db.transaction() as db:
            return self._append_audit(db, at, actor, action, target, data)

    def audit_entries(self, after_seq: int = 0, limit: int = 1000) -> list[AuditEntry]:
        if limit < 1:  # as on DynamoDB (SQLite would read LIMIT -1 as no limit)
            return []
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE seq > ?"  # noqa: S608
                " ORDER BY seq LIMIT ?",
                (after_seq, limit),
            )
            .fetchall()
        )
        return [_audit_entry(row) for row in rows]

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
        if limit < 1:  # as on DynamoDB (SQLite would read LIMIT -1 as no limit)
            return []
        clauses, params = [], []
        for clause, value in (
            ("target = ?", target),
            ("actor = ?", actor),
            ("at >= ?", since),
            ("at < ?", until),
            ("seq < ?", before_seq),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = (
            self._db.connection()
            .execute(
                # Only the constant clauses above are spliced in; values are bound.
                f"SELECT {_AUDIT_COLUMNS} FROM audit {where} ORDER BY seq DESC LIMIT ?",  # noqa: S608
                (*params, limit),
            )
            .fetchall()
        )
        return [_audit_entry(row) for row in rows]

    # Batches --------------------------------------------------------------
    def requests_in_batch(
        self,
        batch_id: str,
        *,
        after: str | None = None,
        through: str | None = None,
        limit: int | None = None,
    ) -> list[Request]:
        clauses, params = ["batch_id = ?"], [batch_id]
        if after is not None:
            clauses.append("(created_at, id) > (?, ?)")
            params.extend(after.rsplit("#", 1))
        if through is not None:
            clauses.append("(created_at, id) <= (?, ?)")
            params.extend(through.rsplit("#", 1))
        # Only the fixed clauses above are joined in; every value is a parameter.
        where = " AND ".join(clauses)
        sql = f"SELECT data FROM requests WHERE {where} ORDER BY created_at, id"  # noqa: S608
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._db.connection().execute(sql, params).fetchall()
        return [Request.from_record(json.loads(row[0])) for row in rows]

    def create_batch(self, batch: Batch) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO batches (id, created_at, data) VALUES (?, ?, ?)",
                (batch.id, batch.created_at, _dump(batch.to_record())),
            )

    def save_batch(self, batch: Batch, expected_version: int) -> None:
        with self._db.transaction() as db:
            updated = db.execute(
                "UPDATE batches SET data = ? WHERE id = ?"
                " AND coalesce(json_extract(data, '$.version'), 0) = ?",
                (_dump(batch.to_record()), batch.id, expected_version),
            ).rowcount
            if updated == 0:
                raise Conflict(BATCH_CHANGED)

    def get_batch(self, batch_id: str) -> Batch | None:
        row = self._read_one("SELECT data FROM batches WHERE id = ?", batch_id)
        return Batch.from_record(json.loads(row[0])) if row else None

    def list_batches(self, *, cursor: str | None, limit: int) -> tuple[list[Batch], str | None]:
        limit = paging.page_size(limit)
        params: list[Any] = []
        where = ""
        if cursor is not None:
            where = "WHERE (created_at, id) < (?, ?)"
            params.extend(paging.decode_position(cursor))
        rows = (
            self._db.connection()
            .execute(
                f"SELECT data FROM batches {where}"  # noqa: S608
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, limit + 1),
            )
            .fetchall()
        )
        batches = [Batch.from_record(json.loads(row[0])) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = paging.encode_position(batches[-1].created_at, batches[-1].id)
        return batches, next_cursor

    # Bulk returns ---------------------------------------------------------
    def get_requests_by_codes(self, codes: Sequence[str]) -> dict[str, Request]:
        found: dict[str, Request] = {}
        unique = sorted(set(codes))
        db = self._db.connection()
        # SQLite binds at most 999 values per statement in older builds.
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows = db.execute(
                f"SELECT data FROM requests WHERE code IN ({', '.join('?' * len(part))})",  # noqa: S608
                part,
            ).fetchall()
            for row in rows:
                request = Request.from_record(json.loads(row[0]))
                found[request.code] = request
        return found

    def create_return(self, run: ReturnRun) -> bool:
        with self._db.transaction() as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO return_runs (id, data) VALUES (?, ?)",
                (run.id, _dump(run.to_record())),
            ).rowcount
        return bool(inserted)

    def save_return(self, run: ReturnRun) -> None:
        with self._db.transaction() as db:
            db.execute(
                "UPDATE return_runs SET data = ? WHERE id = ?", (_dump(run.to_record()), run.id)
            )

    def get_return(self, return_id: str) -> ReturnRun | None:
        row = self._read_one("SELECT data FROM return_runs WHERE id = ?", return_id)
        return ReturnRun.from_record(json.loads(row[0])) if row else None

    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        if len(lines) > RETURN_LINES_PER_WRITE:
            raise ValueError(f"at most {RETURN_LINES_PER_WRITE} lines per write")
        with self._db.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO return_lines (return_id, seq, data) VALUES (?, ?, ?)",
                [(return_id, line.seq, _dump(line.to_record())) for line in lines],
            )

    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        if limit < 1:
            return []
        rows = (
            self._db.connection()
            .execute(
                "SELECT data FROM return_lines WHERE return_id = ? AND seq > ?"
                " ORDER BY seq LIMIT ?",
                (return_id, after, limit),
            )
            .fetchall()
        )
        return [ReturnLine.from_record(json.loads(row[0])) for row in rows]

    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        with self._db.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO return_chunks (return_id, chunk, counts) VALUES (?, ?, ?)",
                (return_id, chunk, _dump(dict(counts))),
            )

    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT chunk, counts FROM return_chunks WHERE return_id = ? ORDER BY chunk",
                (return_id,),
            )
            .fetchall()
        )
        return {row[0]: json.loads(row[1]) for row in rows}

    # Helpers --------------------------------------------------------------
    def _read_one(self, sql: str, *params: Any) -> Any:
        return self._db.connection().execute(sql, params).fetchone()

    @staticmethod
    def _request_row(request: Request) -> tuple[Any, ...]:
        return (
            request.id,
            request.code,
            request.desa,
            request.status.value,
            request.created_at,
            request.version,
            _dump(request.to_record()),
            request.token,
            request.batch_id,
        )

    def _add_event(self, db: sqlite3.Connection, event: Event) -> None:
        """Timeline row and audit entry; the caller holds the write transaction."""
        db.execute(
            "INSERT INTO timeline (request_id, at, actor, from_status, to_status, note, action)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                event.request_id,
                event.at,
                event.by,
                event.from_status.value if event.from_status is not None else None,
                event.to_status.value,
                event.note,
                event.action,
            ),
        )
        self._append_audit(
            db, event.at, event.by, event.action, event.request_id, event_audit_data(event)
        )

    @staticmethod
    def _append_audit(
        db: sqlite3.Connection, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        """Chain one entry onto the last; the caller holds the write transaction."""
        # Hash what a reader will get back from JSON, so re-verification agrees
        # (a tuple in `data` would otherwise come back as a list).
        stored = _dump(data)
        data = json.loads(stored)
        last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        digest = audit_hash(seq, at, actor, action, target, data, prev_hash)
        db.execute(
            f"INSERT INTO audit ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (seq, at, actor, action, target, stored, prev_hash, digest),
        )
        return AuditEntry(seq, at, actor, action, target, data, prev_hash, digest)
