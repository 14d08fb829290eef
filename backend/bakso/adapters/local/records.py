"""Records in one SQLite file (WAL), for `make run` on one machine.

SQLite serialises writers, so every multi-row write takes the write lock up
front (BEGIN IMMEDIATE): the existence/version checks and the writes they
guard then see the same snapshot, which is what DynamoDB's conditional writes
give the AWS adapter.

The adapter is composed of one mixin per aggregate: records_requests (requests,
their timeline), records_scans, records_batches, records_users (officers, login
throttling), records_audit (the chain, append and search) and records_returns
(bulk returns); records_rows holds the columns and row translations they share.
"""

from __future__ import annotations

from pathlib import Path

from ...ports import Records
from .records_audit import AuditRecords
from .records_batches import BatchRecords
from .records_requests import RequestRecords
from .records_returns import ReturnRecords
from .records_scans import ScanRecords
from .records_users import UserRecords
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


class SqliteRecords(
    RequestRecords,
    ScanRecords,
    BatchRecords,
    UserRecords,
    AuditRecords,
    ReturnRecords,
    Records,
):
    """Every records port in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()
