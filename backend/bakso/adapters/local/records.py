"""Records in one SQLite file (WAL), for `make run` on one machine.

SQLite serialises writers, so every multi-row write takes the write lock up
front (BEGIN IMMEDIATE): the existence/version checks and the writes they
guard then see the same snapshot, which is what DynamoDB's conditional writes
give the AWS adapter.

The adapter is composed of one mixin per aggregate: records_requests (requests,
their timeline), records_scans, records_batches, records_users (officers, login
throttling), records_sessions (officers' sessions), records_audit (the chain,
append and search) and records_returns
(bulk returns); records_rows holds the columns and row translations they share.
"""

from __future__ import annotations

from pathlib import Path

from ...domain.audit_chain import AuditKeys
from ...ports import Records
from .records_audit import AuditRecords
from .records_batches import BatchRecords
from .records_desa import DesaContactRecords
from .records_due import DueRecords
from .records_notifications import NotificationLogRecords
from .records_reports import MIGRATION as REPORTS_MIGRATION
from .records_reports import ReportRecords
from .records_requests import RequestRecords
from .records_returns import ReturnRecords
from .records_scans import ScanRecords
from .records_service_times import ServiceTimeRecords
from .records_sessions import SessionRecords
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
    # #13: throttle records expire (so keys tried once do not pile up), and officers'
    # sessions live here, so that logging out ends them.
    """
    ALTER TABLE login_attempts ADD COLUMN expires_at REAL NOT NULL DEFAULT 0;
    UPDATE login_attempts
        SET expires_at = max(locked_until, CAST(strftime('%s', 'now') AS REAL)) + 86400;
    CREATE INDEX login_attempts_expiry ON login_attempts (expires_at);
    CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        created_at REAL NOT NULL,
        last_seen REAL NOT NULL,
        expires_at REAL NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sessions_expiry ON sessions (expires_at);
    """,
    # #13: keyed audit links name their key; the chain's sealed head lives apart from the rows.
    """
    ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
    CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        link TEXT NOT NULL,
        key_id TEXT NOT NULL,
        mac TEXT NOT NULL
    );
    """,
    # #13: what retention cleans up is found through an index on time (domain.due):
    # never-completed scans, batches not yet purged, unfinished bulk returns.
    """
    ALTER TABLE scans ADD COLUMN retain_from TEXT;
    UPDATE scans SET retain_from = created_at || '#' || request_id || '/' || id
        WHERE state = 'pending';
    CREATE INDEX scans_retain ON scans (retain_from) WHERE retain_from IS NOT NULL;
    ALTER TABLE batches ADD COLUMN retain_from TEXT;
    UPDATE batches SET retain_from = created_at || '#' || id
        WHERE json_extract(data, '$.purged_at') IS NULL;
    CREATE INDEX batches_retain ON batches (retain_from) WHERE retain_from IS NOT NULL;
    ALTER TABLE return_runs ADD COLUMN retain_from TEXT;
    UPDATE return_runs SET retain_from = json_extract(data, '$.created_at') || '#' || id
        WHERE json_extract(data, '$.status') NOT IN ('DONE', 'FAILED');
    CREATE INDEX return_runs_retain ON return_runs (retain_from) WHERE retain_from IS NOT NULL;
    """,
    # #13: each request's retention clock (domain.retention.retention_clock), indexed
    # per desa by when it started. Rows from before were never erased, so every
    # final, SELESAI or editable one has its clock running; the rest have none.
    """
    ALTER TABLE requests ADD COLUMN retention_clock TEXT;
    ALTER TABLE requests ADD COLUMN retention_since TEXT;
    UPDATE requests SET
        retention_clock = CASE
            WHEN status IN ('DITOLAK', 'DISERAHKAN', 'DIBATALKAN') THEN 'final'
            WHEN status = 'SELESAI' THEN 'uncollected'
            WHEN status IN ('DRAF', 'PERLU_PERBAIKAN') THEN 'abandoned'
        END,
        retention_since = CASE
            WHEN status IN ('DRAF', 'PERLU_PERBAIKAN') THEN json_extract(data, '$.updated_at')
            WHEN status IN ('DITOLAK', 'DISERAHKAN', 'DIBATALKAN', 'SELESAI')
                THEN json_extract(data, '$.status_since')
        END;
    CREATE INDEX requests_retention ON requests (desa, retention_clock, retention_since, id)
        WHERE retention_clock IS NOT NULL;
    """,
    # #14: a photo taken again replaces a page sent back (services/request_scans.py).
    """
    ALTER TABLE scans ADD COLUMN replaces TEXT;
    ALTER TABLE scans ADD COLUMN placed_at TEXT NOT NULL DEFAULT '';
    ALTER TABLE scans ADD COLUMN submission INTEGER NOT NULL DEFAULT 0;
    """,
    # #14: the NIK search index (domain.search): a keyed hash of the applicant's NIK, set
    # by the service on every write; older rows have none until they are next saved.
    """
    ALTER TABLE requests ADD COLUMN nik_key TEXT;
    CREATE INDEX requests_nik ON requests (nik_key, created_at, id) WHERE nik_key IS NOT NULL;
    """,
    # #15: every list reads through an index (tests/contract/test_sqlite_plans.py): an
    # operator's status filter within the desa, and the audit log by time (alone, or with
    # an officer or a target), in the order the date-filtered search pages by, (at, seq).
    """
    CREATE INDEX IF NOT EXISTS requests_desa_status_newest
        ON requests (desa, status, created_at, id);
    CREATE INDEX IF NOT EXISTS audit_at ON audit (at, seq);
    CREATE INDEX IF NOT EXISTS audit_actor_at ON audit (actor, at, seq);
    CREATE INDEX IF NOT EXISTS audit_target_at ON audit (target, at, seq);
    """,
    # #14: the desa office's contact, kept by its operator (domain.desa).
    """
    CREATE TABLE desa_contacts (
        desa TEXT PRIMARY KEY,
        phone TEXT NOT NULL,
        whatsapp INTEGER NOT NULL,
        hours TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
    );
    """,
    # #16: a Dukcapil officer's lists are the kabupaten's ("52.03", the desa code's first
    # two parts), with and without a status, as the DynamoDB set partitions them.
    """
    ALTER TABLE requests ADD COLUMN kabupaten TEXT NOT NULL DEFAULT '';
    UPDATE requests SET kabupaten = substr(desa, 1, 5);
    CREATE INDEX requests_kabupaten_newest ON requests (kabupaten, created_at, id);
    CREATE INDEX requests_kabupaten_status_newest
        ON requests (kabupaten, status, created_at, id);
    """,
    # #16: the kabupaten an officer or admin works for, the province of the province role;
    # NULL in accounts from before (they belong to the default kabupaten).
    """
    ALTER TABLE users ADD COLUMN kabupaten TEXT;
    ALTER TABLE users ADD COLUMN provinsi TEXT;
    """,
    # #16: an officer's batch list is their kabupaten's; '' for batches from before,
    # which name none (the service lists them with the default kabupaten's).
    """
    ALTER TABLE batches ADD COLUMN kabupaten TEXT NOT NULL DEFAULT '';
    UPDATE batches SET kabupaten = coalesce(json_extract(data, '$.kabupaten'), '');
    CREATE INDEX batches_kabupaten_newest ON batches (kabupaten, created_at, id);
    """,
    # #16: one audit chain per kabupaten, each numbered 1..n with its own sealed head. The
    # one chain from before becomes the default kabupaten's, stored under the name ''
    # (records_audit.py: the deployment's first kabupaten, which a migration cannot know).
    """
    CREATE TABLE audit_chained (
        chain TEXT NOT NULL DEFAULT '',
        seq INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        key_id TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (chain, seq)
    ) WITHOUT ROWID;
    INSERT INTO audit_chained
        (chain, seq, at, actor, action, target, data, prev_hash, hash, key_id)
        SELECT '', seq, at, actor, action, target, data, prev_hash, hash, key_id FROM audit;
    DROP TABLE audit;
    ALTER TABLE audit_chained RENAME TO audit;
    CREATE INDEX audit_target ON audit (chain, target, seq);
    CREATE INDEX audit_actor ON audit (chain, actor, seq);
    CREATE INDEX audit_at ON audit (chain, at, seq);
    CREATE INDEX audit_actor_at ON audit (chain, actor, at, seq);
    CREATE INDEX audit_target_at ON audit (chain, target, at, seq);
    CREATE TABLE audit_heads (
        chain TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        link TEXT NOT NULL,
        key_id TEXT NOT NULL,
        mac TEXT NOT NULL
    );
    INSERT INTO audit_heads (chain, seq, link, key_id, mac)
        SELECT '', seq, link, key_id, mac FROM audit_head;
    DROP TABLE audit_head;
    ALTER TABLE audit_heads RENAME TO audit_head;
    """,
    # #17: the photo check's flags a page was kept despite, comma-separated ('' for none).
    """
    ALTER TABLE scans ADD COLUMN quality TEXT NOT NULL DEFAULT '';
    """,
    # #18: the notifications already sent (the worker's idempotency): key and time only.
    """
    CREATE TABLE notifications_sent (
        key TEXT PRIMARY KEY,
        sent_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX notifications_sent_expiry ON notifications_sent (expires_at);
    """,
    # #19: the service-time histograms of /layanan and the markers of what they counted.
    """
    CREATE TABLE service_time_counted (
        request_id TEXT NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (request_id, status)
    );
    CREATE TABLE service_time_days (
        kabupaten TEXT NOT NULL,
        day TEXT NOT NULL,
        desa TEXT NOT NULL,
        status TEXT NOT NULL,
        days INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (kabupaten, day, desa, status, days)
    );
    """,
    # #19: residents' reports to the kabupaten's overseer (docs/reports.md).
    REPORTS_MIGRATION,
]


class SqliteRecords(
    RequestRecords,
    ScanRecords,
    BatchRecords,
    UserRecords,
    SessionRecords,
    AuditRecords,
    ReturnRecords,
    DueRecords,
    DesaContactRecords,
    NotificationLogRecords,
    ServiceTimeRecords,
    ReportRecords,
    Records,
):
    """Every records port in one SQLite file."""

    def __init__(self, path: Path, audit_keys: AuditKeys | None = None) -> None:
        self._db = SqliteDatabase(path, MIGRATIONS)
        # bootstrap passes the configured key; without one (tests) a fixed test key.
        self._audit_keys = audit_keys or AuditKeys.from_settings(None)

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        self._db.close()

    def compact(self) -> None:
        self._db.checkpoint()
