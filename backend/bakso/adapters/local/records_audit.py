"""The audit log in SQLite: the hash chain every write extends, append and search."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...domain.model import GENESIS_HASH, AuditEntry, audit_hash
from .records_rows import _AUDIT_COLUMNS, SqliteTable, _audit_entry, _dump


class AuditChain(SqliteTable):
    """Extends the chain inside the caller's write transaction."""

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
