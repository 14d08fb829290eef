"""Requests as the API shows them to officers (DESIGN §4.1)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..domain.lifecycle import LABELS
from ..domain.model import Request, Scan
from ..domain.resident_download import event_label
from ..domain.retention import RetentionNote
from ..schemas import RequestOut, ScanOut
from ..services.requests import RequestDetail


def scan_out(scan: Scan) -> dict[str, Any]:
    data = asdict(scan)
    return ScanOut.model_validate(data).model_dump(mode="json")


def request_out(
    request: Request, detail: RequestDetail | None = None, retention: RetentionNote | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        **request.to_record(),
        "status_label": LABELS[request.status],
        "ready": request.ready,
    }
    if retention is not None:
        data["purge_due"] = retention.purge_due
        data["purge_warning"] = retention.purge_warning
    if detail is not None:
        data["scans"] = [asdict(s) for s in detail.scans]
        data["requirements"] = [
            {**asdict(r), "satisfied": r.code in detail.satisfied}
            for r in detail.service.requirements
        ]
        data["timeline"] = [
            {
                "status": e.to_status.value,
                "label": event_label(e),
                "action": e.action,
                "at": e.at,
                "by": e.by,
                "note": e.note,
            }
            for e in detail.timeline
        ]
    return RequestOut.model_validate(data).model_dump(mode="json")
