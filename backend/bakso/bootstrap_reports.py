"""Wiring beside bootstrap.py: residents' reports to the kabupaten's overseer (#19,
docs/reports.md), and their erasure with the request's personal data."""

from __future__ import annotations

from collections.abc import Callable

from .bootstrap_notify import utc_now
from .ports import Records
from .services.reports import ReportService

__all__ = ["ReportService", "build_reports", "forget_with"]


def build_reports(records: Records) -> ReportService:
    return ReportService(records, utc_now)


def forget_with(
    reports: ReportService, forget_messages: Callable[[str], None]
) -> Callable[[str], None]:
    """What retention calls for an erased request: the notifier's copies, then the text
    and contact of the request's reports (docs/retention.md)."""

    def forget(request_id: str) -> None:
        forget_messages(request_id)
        reports.forget_request(request_id)

    return forget
