"""Requests in SQLite: the request, its timeline; lists and lookups."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ...domain import paging
from ...domain.errors import Conflict
from ...domain.lifecycle import Status
from ...domain.model import Event, Request, event_audit_data
from ...domain.refusals import CODE_TAKEN, STALE_REQUEST
from ...domain.regions import kabupaten_of
from ...domain.retention import retention_clock
from ...ports import MAX_REQUEST_WRITES, CodeTaken, Page, RequestWrite
from .records_audit import AuditChain
from .records_rows import _dump

# The index columns come from the request itself (domain.retention), like the others.
_UPDATE_REQUEST = (
    "UPDATE requests SET code = ?, desa = ?, status = ?, created_at = ?, version = ?, data = ?,"
    " token = ?, batch_id = ?, retention_clock = ?, retention_since = ?, nik_key = ?,"
    " kabupaten = ? WHERE id = ? AND version = ?"
)


class RequestRecords(AuditChain):
    # Requests -------------------------------------------------------------
    def create_request(self, request: Request, event: Event) -> bool:
        with self._db.transaction() as db:
            if db.execute("SELECT 1 FROM requests WHERE id = ?", (request.id,)).fetchone():
                return False
            try:
                db.execute(
                    "INSERT INTO requests (id, code, desa, status, created_at, version, data,"
                    " token, batch_id, retention_clock, retention_since, nik_key, kabupaten)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    self._request_row(request),
                )
            except sqlite3.IntegrityError:
                # The id is free (checked under the lock), so the code is the clash.
                raise CodeTaken(request.code) from None
            self._add_event(db, event, kabupaten_of(request.desa))
            return True

    def save_request(self, request: Request, expected_version: int, event: Event | None) -> None:
        with self._db.transaction() as db:
            try:
                updated = db.execute(
                    _UPDATE_REQUEST, (*self._request_row(request)[1:], request.id, expected_version)
                ).rowcount
            except sqlite3.IntegrityError:
                raise Conflict(CODE_TAKEN) from None
            if updated == 0:
                row = db.execute(
                    "SELECT version FROM requests WHERE id = ?", (request.id,)
                ).fetchone()
                raise Conflict(STALE_REQUEST, current_version=row[0] if row else None)
            if event is not None:
                self._add_event(db, event, kabupaten_of(request.desa))

    def save_requests(self, writes: Sequence[RequestWrite]) -> None:
        if len(writes) > MAX_REQUEST_WRITES:
            raise ValueError(f"at most {MAX_REQUEST_WRITES} writes in one transaction")
        with self._db.transaction() as db:
            for write in writes:
                request = write.request
                updated = db.execute(
                    _UPDATE_REQUEST,
                    (*self._request_row(request)[1:], request.id, write.expected_version),
                ).rowcount
                if updated == 0:
                    # Raising rolls back the whole transaction: none of the writes stays.
                    raise Conflict(STALE_REQUEST)
                if write.event is not None:
                    self._add_event(db, write.event, kabupaten_of(request.desa))

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
        self,
        *,
        kabupaten: str,
        desa: str | None,
        status: Status | None,
        cursor: str | None,
        limit: int,
    ) -> Page:
        limit = paging.page_size(limit)
        clauses: list[str] = []
        params: list[Any] = []
        if desa is None:
            clauses.append("kabupaten = ?")
            params.append(kabupaten)
        elif kabupaten_of(desa) != kabupaten:
            return Page(items=[], cursor=None)
        else:
            clauses.append("desa = ?")
            params.append(desa)
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        records, next_cursor = self._newest_page("requests", clauses, params, cursor, limit)
        items = [Request.from_record(record) for record in records]
        return Page(items=items, cursor=next_cursor)

    def list_unpartitioned_requests(self, *, cursor: str | None, limit: int) -> Page:
        paging.page_size(limit)
        return Page(items=[], cursor=None)  # the #16 migration keyed every row

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

    def requests_by_nik(self, nik_key: str, *, limit: int) -> list[Request]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT data FROM requests WHERE nik_key = ?"
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (nik_key, max(1, limit)),
            )
            .fetchall()
        )
        return [Request.from_record(json.loads(row[0])) for row in rows]

    def list_retention_due(
        self, *, desa: str, clock: str, until: str, cursor: str | None, limit: int
    ) -> Page:
        limit = paging.page_size(limit)
        after = paging.decode_position(cursor) if cursor is not None else ("", "")
        rows = (
            self._db.connection()
            .execute(
                "SELECT data, retention_since FROM requests"
                " WHERE desa = ? AND retention_clock = ? AND retention_since <= ?"
                " AND (retention_since, id) > (?, ?)"
                " ORDER BY retention_since, id LIMIT ?",
                (desa, clock, until, *after, limit + 1),
            )
            .fetchall()
        )
        items = [Request.from_record(json.loads(row[0])) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = paging.encode_position(rows[limit - 1][1], items[-1].id)
        return Page(items=items, cursor=next_cursor)

    def clear_timeline_notes(self, request_id: str) -> None:
        with self._db.transaction() as db:
            db.execute(
                "UPDATE timeline SET note = '' WHERE request_id = ? AND note != ''", (request_id,)
            )

    @staticmethod
    def _request_row(request: Request) -> tuple[Any, ...]:
        clock = retention_clock(request)
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
            clock.name if clock else None,
            clock.since if clock else None,
            request.nik_key,
            kabupaten_of(request.desa),
        )

    def _add_event(self, db: sqlite3.Connection, event: Event, chain: str) -> None:
        """Timeline row and audit entry (in `chain`, the request's kabupaten's); the caller
        holds the write transaction."""
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
            db, chain, event.at, event.by, event.action, event.request_id, event_audit_data(event)
        )
