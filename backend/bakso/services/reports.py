"""Residents' reports of a demand for money or a hard time (#19, docs/reports.md).

The resident reports from the status link (no account); the kabupaten's `pengawas`
reads, follows up and closes; an admin sees counts by status only. Anyone else —
the accused desa's operator, any other operator, Dukcapil officers, the province —
is told a report does not exist. Audit entries carry ids and statuses, never the
text, the named person or the contact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.actors import Actor
from ..domain.errors import NotFound, TooManyAttempts
from ..domain.lifecycle import Role
from ..domain.model import Request
from ..domain.regions import kabupaten_of
from ..domain.reports import (
    PER_DAY,
    PER_REQUEST,
    Report,
    ReportStatus,
    checked_form_id,
    checked_input,
    erased_report,
    followed_up,
    new_report_id,
)
from ..ports import AuditLog, RequestStore
from ..ports.reports import ReportPage, ReportStore
from .status import TOKEN_SHAPE

NOT_FOUND = "Laporan tidak ditemukan."
LINK_NOT_FOUND = "Tautan status tidak ditemukan. Periksa kembali tautan dari tanda terima."
RESIDENT = "warga"
PAGE_MAX = 50


class ReportRecords(RequestStore, ReportStore, AuditLog, Protocol):
    """The records ports ReportService uses (one Records adapter serves them all)."""


@dataclass(frozen=True)
class ReportDetail:
    report: Report
    request: Request | None  # None once erased with its data


class ReportService:
    def __init__(self, records: ReportRecords, clock: Callable[[], datetime]) -> None:
        self.records = records
        self.clock = clock

    def _now(self) -> str:
        return self.clock().isoformat(timespec="milliseconds")

    # The resident -------------------------------------------------------------

    def request_of(self, token: str) -> Request:
        request = self.records.get_request_by_token(token) if TOKEN_SHAPE.match(token) else None
        if request is None or request.token is None:
            raise NotFound(LINK_NOT_FOUND)
        return request

    def submit(
        self,
        token: str,
        form_id: str,
        *,
        kind: str,
        text: str,
        amount: str = "",
        happened_on: str = "",
        by_whom: str = "",
        contact: str = "",
    ) -> Report:
        """Store the resident's report once per form; PER_DAY a day per request."""
        request = self.request_of(token)
        form_id = checked_form_id(form_id)
        fields = checked_input(kind, text, amount, happened_on, by_whom, contact)
        now = self.clock()
        earlier = self.records.reports_of_request(request.id, PER_REQUEST)
        since = (now - timedelta(days=1)).isoformat(timespec="milliseconds")
        # The same words again within a day: a form resent (a double tap) or sent anew
        # after Back (the page is not cached, so it carries a new form id). Both answer
        # the report the first sending made, before the daily limit is counted.
        for same in earlier:
            if same.created_at > since and (same.kind, same.text) == (fields.kind, fields.text):
                return same
        if len(earlier) >= PER_REQUEST or sum(r.created_at > since for r in earlier) >= PER_DAY:
            raise TooManyAttempts(
                f"Permohonan ini sudah dilaporkan {PER_DAY} kali hari ini (paling banyak"
                f" {PER_DAY} sehari, {PER_REQUEST} seluruhnya). Laporan Anda sudah diterima;"
                " gunakan LAPOR! (lapor.go.id) untuk menambah."
            )
        report = Report(
            id=new_report_id(),
            request_id=request.id,
            desa=request.desa,
            kabupaten=kabupaten_of(request.desa),
            service=request.service,
            kind=fields.kind,
            text=fields.text,
            amount=fields.amount,
            happened_on=fields.happened_on,
            by_whom=fields.by_whom,
            contact=fields.contact,
            status=ReportStatus.DITERIMA,
            created_at=now.isoformat(timespec="milliseconds"),
        )
        stored = self.records.add_report(report, form_id)
        if stored.id == report.id:  # not a form sent again
            self._audit(stored, RESIDENT, "report.created")
        return stored

    def of_request(self, token: str) -> list[Report]:
        """The request's reports, for its status page (which shows their status only)."""
        return self.records.reports_of_request(self.request_of(token).id, PER_REQUEST)

    def receipt(self, token: str, report_id: str) -> Report:
        found = next((r for r in self.of_request(token) if r.id == report_id), None)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    # The overseer and the admin ----------------------------------------------

    def _own(self, who: Actor, report_id: str) -> Report:
        report = self.records.get_report(report_id)
        if (
            who.role is not Role.PENGAWAS
            or report is None
            or who.kabupaten is None
            or report.kabupaten != who.kabupaten
        ):
            raise NotFound(NOT_FOUND)
        return report

    def list(self, who: Actor, limit: int = 20, cursor: str | None = None) -> ReportPage:
        if who.role is not Role.PENGAWAS or who.kabupaten is None:
            raise NotFound(NOT_FOUND)
        return self.records.reports_of_kabupaten(
            who.kabupaten, max(1, min(limit, PAGE_MAX)), cursor
        )

    def get(self, who: Actor, report_id: str) -> ReportDetail:
        report = self._own(who, report_id)
        request = self.records.get_request(report.request_id)
        self._audit(report, who.username, "report.viewed")
        return ReportDetail(report, request)

    def follow_up(self, who: Actor, report_id: str, note: str, status: str | None = None) -> Report:
        report = self._own(who, report_id)
        target = ReportStatus(status) if status else None
        changed = followed_up(report, self._now(), who.username, note, target)
        self.records.save_report(changed, report.version)
        self._audit(changed, who.username, "report.followup", before=report.status)
        return changed

    def summary(self, who: Actor) -> dict[str, int]:
        """Counts by status of the kabupaten's reports: an admin's, or the overseer's."""
        if who.role not in (Role.ADMIN, Role.PENGAWAS) or who.kabupaten is None:
            raise NotFound(NOT_FOUND)
        counts = self.records.report_counts(who.kabupaten)
        return {s.value: counts.get(s.value, 0) for s in ReportStatus}

    # Retention ----------------------------------------------------------------

    def forget_request(self, request_id: str) -> None:
        """Erase the text, named person and contact of a request's reports (with the
        request's own personal data, services/retention.py); ids and statuses stay."""
        at = self._now()
        for report in self.records.reports_of_request(request_id, PER_REQUEST):
            if report.erased_at is None:
                self.records.save_report(erased_report(report, at), report.version)

    def _audit(
        self, report: Report, actor: str, action: str, before: ReportStatus | None = None
    ) -> None:
        data: dict[str, object] = {"status": report.status.value, "version": report.version}
        if before is not None:
            data["from"] = before.value
        self.records.append_audit(
            chain=report.kabupaten,
            at=self._now(),
            actor=actor,
            action=action,
            target=report.id,
            data=data,
        )
