"""The audit log in SQLite: the hash chain every write extends, append and search."""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from ...domain.audit_chain import AuditHead, AuditKeys
from ...domain.errors import StoreUnavailable
from ...domain.model import AuditEntry
from .records_rows import _AUDIT_COLUMNS, SqliteTable, _audit_entry, _dump

_HEAD_COLUMNS = "seq, link, key_id, mac"
SEQ_END = 10**12  # past any seq (DynamoDB's entry keys have 12 digits)
log = logging.getLogger(__name__)


def _head(row: Any) -> AuditHead | None:
    return AuditHead(row[0], row[1], row[2], row[3]) if row else None


class AuditChain(SqliteTable):
    """Extends the chain and its head (table audit_head) inside the caller's write transaction."""

    _audit_keys: AuditKeys

    def _append_audit(
        self,
        db: sqlite3.Connection,
        at: str,
        actor: str,
        action: str,
        target: str,
        data: dict[str, Any],
    ) -> AuditEntry:
        """Chain one entry onto the head; the caller holds the write transaction."""
        # Link what a reader will get back from JSON, so re-verification agrees
        # (a tuple in `data` would otherwise come back as a list).
        stored = _dump(data)
        data = json.loads(stored)
        head = _head(db.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_head").fetchone())  # noqa: S608
        last = None
        if head is None:  # a new log, or one written before the head existed
            last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        try:
            seq, prev = self._audit_keys.start(head, tuple(last) if last else None)
        except StoreUnavailable:
            log.error(
                "audit append refused: the chain head is missing or not sealed by the audit key"
                " (bakso audit verify; docs/security.md, Audit log)"
            )
            raise
        entry = self._audit_keys.entry(seq + 1, at, actor, action, target, data, prev)
        db.execute(
            f"INSERT INTO audit ({_AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            (entry.seq, at, actor, action, target, stored, prev, entry.hash, entry.key_id),
        )
        sealed = self._audit_keys.seal(entry.seq, entry.hash)
        db.execute(
            f"INSERT OR REPLACE INTO audit_head (id, {_HEAD_COLUMNS})"  # noqa: S608
            " VALUES (1, ?, ?, ?, ?)",
            (sealed.length, sealed.link, sealed.key_id, sealed.mac),
        )
        return entry


class AuditRecords(AuditChain):
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

    def audit_head(self) -> AuditHead | None:
        return _head(self._read_one(f"SELECT {_HEAD_COLUMNS} FROM audit_head"))  # noqa: S608

    def index_audit_times(self, after_seq: int, limit: int) -> tuple[int, int | None]:
        return 0, None  # the audit_at index holds every row (its #15 migration)

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
        by_time = since is not None or until is not None
        cursor_at: str | None = None
        if by_time and before_seq is not None:
            # The cursor is the last entry's (at, seq): bound the time index by it (it
            # implies `at < until` when earlier). An unknown `before` matches nothing.
            row = self._read_one("SELECT at FROM audit WHERE seq = ?", before_seq)
            if row is None:
                return []
            if until is None or row[0] < until:
                cursor_at, until = row[0], None
        clauses: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("target = ?", target),
            ("actor = ?", actor),
            ("at >= ?", since),
            ("at < ?", until),
        ):
            if value is not None:
                clauses.append(clause)
                params.append(value)
        if not by_time:
            # The log's own order. The bound keeps the plan a range of the rowid (or of
            # the target's or actor's index) even without a cursor.
            clauses.append("seq < ?")
            params.append(before_seq if before_seq is not None else SEQ_END)
            order = "seq DESC"
        else:
            # By time, newest first, through audit_at / audit_actor_at / audit_target_at.
            order = "at DESC, seq DESC"
            if cursor_at is not None:
                clauses.append("(at, seq) < (?, ?)")
                params.extend((cursor_at, before_seq))
        rows = (
            self._db.connection()
            .execute(
                # Only the constant clauses above are spliced in; values are bound.
                f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE {' AND '.join(clauses)}"  # noqa: S608
                f" ORDER BY {order} LIMIT ?",
                (*params, limit),
            )
            .fetchall()
        )
        return [_audit_entry(row) for row in rows]
