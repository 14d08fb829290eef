"""The in-memory report store (ports.reports), a base of fakes.FakeRecords."""

from __future__ import annotations

import threading

from bakso.domain.errors import Conflict
from bakso.domain.reports import Report
from bakso.ports.reports import ReportPage


class ReportMemory:
    _lock: threading.RLock

    def __init__(self) -> None:
        super().__init__()
        self._reports: dict[str, Report] = {}
        self._report_forms: dict[str, str] = {}

    def add_report(self, report: Report, form_id: str) -> Report:
        with self._lock:
            if form_id in self._report_forms:
                return self._reports[self._report_forms[form_id]]
            if report.id in self._reports:
                raise Conflict("Nomor laporan sudah dipakai; kirim lagi.")
            self._reports[report.id] = report
            self._report_forms[form_id] = report.id
            return report

    def get_report(self, report_id: str) -> Report | None:
        with self._lock:
            return self._reports.get(report_id)

    def _newest(self, keep: str, value: str) -> list[Report]:
        found = [r for r in self._reports.values() if getattr(r, keep) == value]
        return sorted(found, key=lambda r: (r.created_at, r.id), reverse=True)

    def reports_of_kabupaten(
        self, kabupaten: str, limit: int, cursor: str | None = None
    ) -> ReportPage:
        with self._lock:
            found = self._newest("kabupaten", kabupaten)
        if cursor:
            at, _, last = cursor.partition("|")
            found = [r for r in found if (r.created_at, r.id) < (at, last)]
        items = found[:limit]
        more = len(found) > limit
        return ReportPage(items, f"{items[-1].created_at}|{items[-1].id}" if more else None)

    def reports_of_request(self, request_id: str, limit: int) -> list[Report]:
        with self._lock:
            return self._newest("request_id", request_id)[:limit]

    def save_report(self, report: Report, expected_version: int) -> None:
        with self._lock:
            stored = self._reports.get(report.id)
            if stored is None or stored.version != expected_version:
                raise Conflict(
                    "Laporan ini baru saja diubah orang lain; muat ulang lalu coba lagi."
                )
            self._reports[report.id] = report

    def report_counts(self, kabupaten: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self._lock:
            for report in self._reports.values():
                if report.kabupaten == kabupaten:
                    counts[report.status.value] = counts.get(report.status.value, 0) + 1
        return counts
