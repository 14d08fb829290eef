"""Residents' reports (domain.reports, docs/reports.md): by id, by kabupaten, by request.

On DynamoDB: the report under its own key, a pointer per kabupaten (partition
`REPORTS#<kabupaten>`, sorted by time) and per request, and one counter item per
kabupaten — never a constant partition across kabupaten, never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.reports import Report


@dataclass(frozen=True)
class ReportPage:
    items: list[Report]
    cursor: str | None  # opaque; None when there is no next page


class ReportStore(Protocol):
    def add_report(self, report: Report, form_id: str) -> Report:
        """Store a new report, once per `form_id`: a form sent again (a double tap, a
        reload) answers the report the first sending made, and stores nothing."""

    def get_report(self, report_id: str) -> Report | None: ...

    def reports_of_kabupaten(
        self, kabupaten: str, limit: int, cursor: str | None = None
    ) -> ReportPage:
        """Newest first; `cursor` from the previous page."""

    def reports_of_request(self, request_id: str, limit: int) -> list[Report]:
        """Newest first, at most `limit` (the service bounds how many a request can have)."""

    def save_report(self, report: Report, expected_version: int) -> None:
        """Replace a report (a follow-up, an erasure); Conflict unless the stored one
        has `expected_version`. Keeps the kabupaten's counts by status in step."""

    def report_counts(self, kabupaten: str) -> dict[str, int]:
        """How many of the kabupaten's reports have each status (statuses with none: 0
        or absent)."""
