"""Residents' reports in SQLite (ports.reports): one row per report, its form ids beside."""

from __future__ import annotations

import json
import sqlite3

from ...domain.errors import Conflict
from ...domain.reports import Report
from ...ports.reports import ReportPage
from .records_rows import SqliteTable

MIGRATION = """
    CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL,
        kabupaten TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX reports_kabupaten_newest ON reports (kabupaten, created_at, id);
    CREATE INDEX reports_request_newest ON reports (request_id, created_at, id);
    CREATE TABLE report_forms (
        form_id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id)
    );
"""


def _report(data: str) -> Report:
    return Report.from_json(json.loads(data))


class ReportRecords(SqliteTable):
    def add_report(self, report: Report, form_id: str) -> Report:
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT r.data FROM report_forms f JOIN reports r ON r.id = f.report_id"
                " WHERE f.form_id = ?",
                (form_id,),
            ).fetchone()
            if row is not None:
                return _report(row[0])
            try:
                db.execute(
                    "INSERT INTO reports (id, request_id, kabupaten, status, created_at,"
                    " version, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        report.id,
                        report.request_id,
                        report.kabupaten,
                        report.status.value,
                        report.created_at,
                        report.version,
                        json.dumps(report.to_json(), ensure_ascii=False),
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict("Nomor laporan sudah dipakai; kirim lagi.") from None
            db.execute(
                "INSERT INTO report_forms (form_id, report_id) VALUES (?, ?)", (form_id, report.id)
            )
        return report

    def get_report(self, report_id: str) -> Report | None:
        row = self._read_one("SELECT data FROM reports WHERE id = ?", report_id)
        return _report(row[0]) if row else None

    def reports_of_kabupaten(
        self, kabupaten: str, limit: int, cursor: str | None = None
    ) -> ReportPage:
        params: list[object] = [kabupaten]
        after = ""
        if cursor:
            at, _, last = cursor.partition("|")
            after = " AND (created_at < ? OR (created_at = ? AND id < ?))"
            params += [at, at, last]
        rows = (
            self._db.connection()
            .execute(
                "SELECT data FROM reports WHERE kabupaten = ?"  # noqa: S608 - constant clauses
                f"{after} ORDER BY created_at DESC, id DESC LIMIT ?",
                (*params, limit + 1),
            )
            .fetchall()
        )
        items = [_report(r[0]) for r in rows[:limit]]
        more = len(rows) > limit
        return ReportPage(items, f"{items[-1].created_at}|{items[-1].id}" if more else None)

    def reports_of_request(self, request_id: str, limit: int) -> list[Report]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT data FROM reports WHERE request_id = ?"
                " ORDER BY created_at DESC, id DESC LIMIT ?",
                (request_id, limit),
            )
            .fetchall()
        )
        return [_report(r[0]) for r in rows]

    def save_report(self, report: Report, expected_version: int) -> None:
        with self._db.transaction() as db:
            changed = db.execute(
                "UPDATE reports SET status = ?, version = ?, data = ? WHERE id = ? AND version = ?",
                (
                    report.status.value,
                    report.version,
                    json.dumps(report.to_json(), ensure_ascii=False),
                    report.id,
                    expected_version,
                ),
            ).rowcount
        if changed != 1:
            raise Conflict("Laporan ini baru saja diubah orang lain; muat ulang lalu coba lagi.")

    def report_counts(self, kabupaten: str) -> dict[str, int]:
        rows = (
            self._db.connection()
            .execute(
                "SELECT status, COUNT(*) FROM reports WHERE kabupaten = ? GROUP BY status",
                (kabupaten,),
            )
            .fetchall()
        )
        return {status: count for status, count in rows}
