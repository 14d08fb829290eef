"""Residents' reports for the kabupaten's overseer (`pengawas`); counts for its admin.

Every other role — operators of any desa, Dukcapil officers, the province — is answered
404 here, as if the report did not exist (services/reports.py, docs/reports.md).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field

from ...domain.lifecycle import LABELS
from ...domain.reports import NOTE_MAX, Report
from ...schemas import In
from ..common import actor, doc, parse, query, services
from ..queries import BatchListQuery

bp = Blueprint("reports", __name__, url_prefix="/reports")


class FollowUpIn(In):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=NOTE_MAX, description="what was done or found")
    status: Literal["diterima", "ditindaklanjuti", "selesai"] | None = Field(
        default=None, description="the new status; closing (selesai) needs the note"
    )


class FollowUpOut(BaseModel):
    at: str
    by: str
    note: str
    status: str


class ReportListItem(BaseModel):
    id: str
    status: str
    kind: str
    desa: str
    desa_name: str
    service: str
    created_at: str


class ReportPageOut(BaseModel):
    items: list[ReportListItem]
    cursor: str | None


class RequestBrief(BaseModel):
    id: str
    code: str
    status: str
    status_label: str
    service: str
    desa: str
    created_at: str


class ReportOut(ReportListItem):
    request_id: str
    text: str
    amount: int | None
    happened_on: str | None
    by_whom: str
    contact: str
    followups: list[FollowUpOut]
    erased: bool
    request: RequestBrief | None = Field(description="null once the request was erased")


class SummaryOut(BaseModel):
    kabupaten: str
    counts: dict[str, int] = Field(description="status → number of reports; no content")


def _desa_name(code: str) -> str:
    desa = services().regions.get(code)
    return desa.name if desa else code


def _brief(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "status": report.status.value,
        "kind": report.kind.value,
        "desa": report.desa,
        "desa_name": _desa_name(report.desa),
        "service": report.service,
        "created_at": report.created_at,
    }


@bp.get("")
@doc(
    summary="The overseer's reports of its kabupaten, newest first",
    query=BatchListQuery,
    response=ReportPageOut,
    errors=(404,),
)
def list_reports() -> Response:
    args = query(BatchListQuery)
    page = services().reports.list(actor(), args.limit, args.cursor)
    return jsonify({"items": [_brief(r) for r in page.items], "cursor": page.cursor})


@bp.get("/summary")
@doc(
    summary="How many reports have each status (admin, overseer): counts only",
    response=SummaryOut,
    errors=(404,),
)
def summary() -> Response:
    who = actor()
    return jsonify({"kabupaten": who.kabupaten, "counts": services().reports.summary(who)})


def _out(report: Report) -> dict[str, Any]:
    return {
        **_brief(report),
        "request_id": report.request_id,
        "text": report.text,
        "amount": report.amount,
        "happened_on": report.happened_on,
        "by_whom": report.by_whom,
        "contact": report.contact,
        "followups": [f.to_json() for f in report.followups],
        "erased": report.erased_at is not None,
    }


@bp.get("/<report_id>")
@doc(summary="One report, with its request's code and status (the overseer)", response=ReportOut)
def get_report(report_id: str) -> Response:
    detail = services().reports.get(actor(), report_id)
    request = detail.request
    brief = None
    if request is not None:
        brief = {
            "id": request.id,
            "code": request.code,
            "status": request.status.value,
            "status_label": LABELS[request.status],
            "service": request.service,
            "desa": request.desa,
            "created_at": request.created_at,
        }
    return jsonify({**_out(detail.report), "request": brief})


@bp.post("/<report_id>/followup")
@doc(
    summary="Record a follow-up, optionally moving the status (the overseer)",
    body=FollowUpIn,
    response=ReportOut,
    errors=(409,),
)
def follow_up(report_id: str) -> Response:
    body = parse(FollowUpIn)
    report = services().reports.follow_up(actor(), report_id, body.note, body.status)
    return jsonify({**_out(report), "request": None})
