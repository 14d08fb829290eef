"""The resident's report of a demand for money or a hard time (docs/reports.md):
`/cek/<token>/lapor`, a plain HTML form that goes to the kabupaten's overseer, never
to the desa. Script-free like the status page (security_headers: every `/cek/…` path
is the resident's). The status page shows the link and the reports' statuses through
`resident_reports(token)`, a template helper, so the page's view stays as it is.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, request
from werkzeug.wrappers import Response as WerkzeugResponse

from ..domain.errors import InvalidInput, NotFound, TooManyAttempts
from ..domain.reports import (
    BY_WHOM_MAX,
    CONTACT_MAX,
    KIND_LABELS,
    PER_DAY,
    TEXT_MAX,
    Report,
    new_form_id,
)
from ..services.reports import ReportService
from . import _page, bp

# Every field as the form names it, cut to its limit before the service judges it.
_FIELDS = {
    "kind": 20,
    "text": TEXT_MAX + 50,
    "amount": 20,
    "happened_on": 10,
    "by_whom": BY_WHOM_MAX + 10,
    "contact": CONTACT_MAX + 10,
}


def _reports() -> ReportService:
    service: ReportService = current_app.extensions["bakso"].reports
    return service


@bp.app_context_processor
def _reports_helper() -> dict[str, Any]:
    def resident_reports(token: str) -> list[Report]:
        try:
            return _reports().of_request(token)
        except NotFound:
            return []

    return {"resident_reports": resident_reports}


def _form(token: str, status: int = 200, error: str | None = None) -> Response:
    svc = current_app.extensions["bakso"]
    request_ = _reports().request_of(token)
    sent = {name: request.form.get(name, "")[:cut] for name, cut in _FIELDS.items()}
    return _page(
        "lapor_form.html",
        status,
        kabupaten=svc.tenants.of_desa(request_.desa),
        token=token,
        kinds=KIND_LABELS,
        sent=sent if request.method == "POST" else {},
        form_id=request.form.get("form_id", "")[:64] if error else new_form_id(),
        text_max=TEXT_MAX,
        per_day=PER_DAY,
        error=error,
    )


@bp.get("/cek/<token>/lapor")
def report_form(token: str) -> Response:
    try:
        return _form(token)
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)


@bp.post("/cek/<token>/lapor")
def report_submit(token: str) -> Response | WerkzeugResponse:
    form = {name: request.form.get(name, "")[:cut] for name, cut in _FIELDS.items()}
    try:
        report = _reports().submit(token, request.form.get("form_id", "")[:64], **form)
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)
    except InvalidInput as exc:
        return _form(token, 422, exc.detail)
    except TooManyAttempts as exc:
        return _form(token, 429, exc.detail)
    # 303 to the receipt: a reload shows it again rather than sending the form twice.
    return redirect(f"/cek/{token}/lapor/{report.id}", code=303)


@bp.get("/cek/<token>/lapor/<report_id>")
def report_receipt(token: str, report_id: str) -> Response:
    svc = current_app.extensions["bakso"]
    try:
        report = _reports().receipt(token, report_id[:20])
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)
    return _page(
        "lapor_done.html",
        kabupaten=svc.tenants.of_desa(report.desa),
        token=token,
        report=report,
    )
