"""What the SQLite records mixins share: columns, row translations, the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ...domain import paging
from ...domain.lifecycle import Role
from ...domain.model import AuditEntry, Scan, User
from .sqlite import SqliteDatabase

_SCAN_COLUMNS = (
    "id, request_id, requirement, sha256, size, content_type, key, state, created_at,"
    " replaces, placed_at, submission, quality"
)
_USER_COLUMNS = (
    "username, role, desa, password_hash, active, session_epoch, created_at, kabupaten, provinsi"
)
_AUDIT_COLUMNS = "seq, at, actor, action, target, data, prev_hash, hash, key_id"


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _scan(row: Sequence[Any]) -> Scan:
    *columns, quality = row
    scan = Scan(*columns)
    scan.quality = tuple(quality.split(",")) if quality else ()
    return scan


def _user(row: Sequence[Any]) -> User:
    username, role, desa, password_hash, active, session_epoch, created_at, kabupaten, provinsi = (
        row
    )
    return User(
        username=username,
        role=Role(role),
        desa=desa,
        password_hash=password_hash,
        active=bool(active),
        session_epoch=session_epoch,
        created_at=created_at,
        kabupaten=kabupaten,
        provinsi=provinsi,
    )


def _audit_entry(row: Sequence[Any]) -> AuditEntry:
    seq, at, actor, action, target, data, prev_hash, hash_, key_id = row
    return AuditEntry(seq, at, actor, action, target, json.loads(data), prev_hash, hash_, key_id)


class SqliteTable:
    """The database every records mixin reads and writes (SqliteRecords opens it)."""

    _db: SqliteDatabase

    def _read_one(self, sql: str, *params: Any) -> Any:
        return self._db.connection().execute(sql, params).fetchone()

    def _newest_page(
        self, table: str, clauses: list[str], params: list[Any], cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of `table`'s JSON records, newest first, and the next page's cursor.

        `table` and `clauses` are constants of the caller; every value is bound.
        """
        clauses, params = list(clauses), list(params)
        if cursor is not None:
            clauses.append("(created_at, id) < (?, ?)")
            params.extend(paging.decode_position(cursor))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # One extra row tells whether a next page exists without a second query.
        rows = (
            self._db.connection()
            .execute(
                f"SELECT data FROM {table} {where}"  # noqa: S608
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, limit + 1),
            )
            .fetchall()
        )
        records = [json.loads(row[0]) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = paging.encode_position(records[-1]["created_at"], records[-1]["id"])
        return records, next_cursor
