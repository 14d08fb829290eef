"""The audit log in SQLite: the hash chains every write extends, append and search.

One chain per kabupaten (#16): rows keyed (chain, seq), one head row per chain. The
default kabupaten's chain (the one log from before #16) is stored under the name ''
and read back under its code; every other chain under its code.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import replace
from typing import Any

from ...domain.audit_chain import AuditHead, AuditKeys
from ...domain.errors import StoreUnavailable
from ...domain.model import AuditEntry
from .records_rows import _AUDIT_COLUMNS, SqliteTable, _audit_entry, _dump

_HEAD_COLUMNS = "seq, link, key_id, mac"
SEQ_END = 10**12  # past any seq (DynamoDB's entry keys have 12 digits)
log = logging.getLogger(__name__)


def _head(row: Any, chain: str) -> AuditHead | None:
    return AuditHead(row[0], row[1], row[2], row[3], chain) if row else None


class AuditChain(SqliteTable):
    """Extends a chain and its head (table audit_head) inside the caller's write transaction."""

    _audit_keys: AuditKeys

    def _chain(self, chain: str | None) -> tuple[str, str]:
        """(the chain's name, the name its rows are stored under)."""
        name = self._audit_keys.chain(chain)
        return name, "" if name == self._audit_keys.legacy_chain else name

    def _entries(self, rows: list[Any], chain: str) -> list[AuditEntry]:
        return [replace(_audit_entry(row), chain=chain) for row in rows]

    def _append_audit(
        self,
        db: sqlite3.Connection,
        chain: str,
        at: str,
        actor: str,
        action: str,
        target: str,
        data: dict[str, Any],
    ) -> AuditEntry:
        """Chain one entry onto its chain's head; the caller holds the write transaction."""
        name, stored_as = self._chain(chain)
        # Link what a reader will get back from JSON, so re-verification agrees
        # (a tuple in `data` would otherwise come back as a list).
        stored = _dump(data)
        data = json.loads(stored)
        head = _head(
            db.execute(
                f"SELECT {_HEAD_COLUMNS} FROM audit_head WHERE chain = ?",  # noqa: S608
                (stored_as,),
            ).fetchone(),
            name,
        )
        last = None
        if head is None:  # a new chain, or one written before the head existed
            last = db.execute(
                "SELECT seq, hash FROM audit WHERE chain = ? ORDER BY seq DESC LIMIT 1",
                (stored_as,),
            ).fetchone()
        try:
            seq, prev = self._audit_keys.start(head, tuple(last) if last else None, chain=name)
        except StoreUnavailable:
            log.error(
                "audit append refused: the head of chain %s is missing or not sealed by the"
                " audit key (bakso audit verify; docs/security.md, Audit log)",
                name,
            )
            raise
        entry = self._audit_keys.entry(seq + 1, at, actor, action, target, data, prev, chain=name)
        db.execute(
            f"INSERT INTO audit (chain, {_AUDIT_COLUMNS})"  # noqa: S608
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored_as,
                entry.seq,
                at,
                actor,
                action,
                target,
                stored,
                prev,
                entry.hash,
                entry.key_id,
            ),
        )
        sealed = self._audit_keys.seal(entry.seq, entry.hash, chain=name)
        db.execute(
            f"INSERT OR REPLACE INTO audit_head (chain, {_HEAD_COLUMNS})"  # noqa: S608
            " VALUES (?, ?, ?, ?, ?)",
            (stored_as, sealed.length, sealed.link, sealed.key_id, sealed.mac),
        )
        return entry


class AuditRecords(AuditChain):
    # Audit log ------------------------------------------------------------
    def append_audit(
        self, *, chain: str, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        with self._db.transaction() as db:
            return self._append_audit(db, chain, at, actor, action, target, data)

    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        if limit < 1:  # as on DynamoDB (SQLite would read LIMIT -1 as no limit)
            return []
        name, stored_as = self._chain(chain)
        rows = (
            self._db.connection()
            .execute(
                f"SELECT {_AUDIT_COLUMNS} FROM audit WHERE chain = ? AND seq > ?"  # noqa: S608
                " ORDER BY seq LIMIT ?",
                (stored_as, after_seq, limit),
            )
            .fetchall()
        )
        return self._entries(rows, name)

    def audit_head(self, chain: str | None = None) -> AuditHead | None:
        name, stored_as = self._chain(chain)
        row = self._read_one(
            f"SELECT {_HEAD_COLUMNS} FROM audit_head WHERE chain = ?",  # noqa: S608
            stored_as,
        )
        return _head(row, name)

    def index_audit_times(
        self, after_seq: int, limit: int, *, chain: str | None = None
    ) -> tuple[int, int | None]:
        return 0, None  # the audit_at index holds every row (its #15 migration)

    def move_legacy_audit(self, limit: int) -> tuple[int, bool]:
        return 0, True  # the rows from before #16 are the default chain's where they are

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
        if limit < 1:  # as on DynamoDB (SQLite would read LIMIT -1 as no limit)
            return []
        name, stored_as = self._chain(chain)
        by_time = since is not None or until is not None
        cursor_at: str | None = None
        if by_time and before_seq is not None:
            # The cursor is the last entry's (at, seq): bound the time index by it (it
            # implies `at < until` when earlier). An unknown `before` matches nothing.
            row = self._read_one(
                "SELECT at FROM audit WHERE chain = ? AND seq = ?", stored_as, before_seq
            )
            if row is None:
                return []
            if until is None or row[0] < until:
                cursor_at, until = row[0], None
        # Every index leads with the chain: a search never leaves it.
        clauses: list[str] = ["chain = ?"]
        params: list[Any] = [stored_as]
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
            # The log's own order. The bound keeps the plan a range of the key (chain, seq) (or of
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
        return self._entries(rows, name)
