"""Pages for people without an account: the resident status page and its lookup form.

Server-rendered, no JavaScript, a few KB: they must work on any phone from a
WhatsApp link. They show only what StatusService allows (no personal data),
and every response is uncached, unindexed and sends no referrer.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request
from werkzeug.wrappers import Response as WerkzeugResponse

from ..client_address import client_address
from ..domain.errors import Conflict, NotFound, TooManyAttempts
from ..domain.model import Request
from ..domain.tenants import Kabupaten
from ..services.resident_download import PinShape, WrongPin
from .kabupaten_texts import kabupaten_context

CSS = (Path(__file__).parent / "templates" / "_public.css").read_text(encoding="utf-8").strip()
CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{CSS_HASH}'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

bp = Blueprint("public", __name__, template_folder="templates")


def status_url(request_: Request) -> str:
    """The resident's link, for receipts and WhatsApp."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return f"{base.rstrip('/')}/cek/{request_.token}"


def lookup_url() -> str:
    """Where a resident who lost the link looks it up, with the host: printed on paper."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return f"{base.rstrip('/')}/cek"


def _page(
    template: str, status: int = 200, kabupaten: Kabupaten | None = None, **context: Any
) -> Response:
    """A resident's page; about the request's `kabupaten`, or the deployment's when None."""
    svc = current_app.extensions["bakso"]
    html = render_template(
        template,
        css=CSS,
        free_notice=svc.status.texts.free_notice,
        report_intro=svc.status.texts.report_intro,
        lookup_url=lookup_url(),
        **kabupaten_context(svc.tenants, kabupaten),
        **context,
    )
    return Response(html, status=status, mimetype="text/html")


# Uncached, unindexed, no referrer, this CSP: bakso/security_headers.py (resident family).


@bp.get("/cek/<token>")
def status_page(token: str) -> Response:
    return _status(token)


@bp.post("/cek/<token>/unduh")
def download(token: str) -> Response | WerkzeugResponse:
    """The PIN form's answer: 303 to a short-lived URL of the PDF, or the page again."""
    pin = request.form.get("pin", "")[:12]
    try:
        url = current_app.extensions["bakso"].downloads.download(token, pin)
    except WrongPin as exc:
        return _status(token, 422, pin_error=exc.detail, tries_left=exc.tries_left)
    except PinShape as exc:
        return _status(token, 422, pin_error=exc.detail)
    except TooManyAttempts as exc:
        return _status(token, 429, pin_error=exc.detail)
    except Conflict as exc:
        return _status(token, 409, pin_error=exc.detail)
    return redirect(absolute_url(url), code=303)


def _status(token: str, status: int = 200, **extra: Any) -> Response:
    svc = current_app.extensions["bakso"]
    try:
        view = svc.status.by_token(token)
        download_page = svc.downloads.page(token)
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)
    contact = svc.desa_contacts.public(view.desa)
    kabupaten = svc.tenants.of_desa(view.desa)
    context = {"pin_error": None, "tries_left": None, **extra}
    return _page(
        "cek_status.html",
        status,
        kabupaten=kabupaten,
        s=view,
        desa_contact=contact,
        dl=download_page,
        token=token,
        **context,
    )


def absolute_url(url: str) -> str:
    # The local set's signed URLs are paths on this server; S3's are already absolute.
    return urljoin(request.host_url, url)


@bp.get("/cek")
def lookup_form() -> Response:
    return _page("cek_form.html", code="", error=None)


@bp.post("/cek")
def lookup() -> Response | WerkzeugResponse:
    code = request.form.get("code", "")[:20]
    try:
        token = current_app.extensions["bakso"].status.lookup(
            code, request.form.get("phone", "")[:8], client_address(request)
        )
    except (NotFound, TooManyAttempts) as exc:
        status = 429 if isinstance(exc, TooManyAttempts) else 404
        return _page("cek_form.html", status, code=code, error=exc.detail)
    return redirect(f"/cek/{token}", code=303)


def init_public(app: Flask) -> None:
    app.register_blueprint(bp)
    # "/" is the loket PWA: see .pwa.init_pwa, called by create_app.


# The routes of these modules, on this blueprint: /layanan (service times in the open),
# /cek/<token>/lapor (reports to the overseer), /cek/<token>/survei (the IKM survey).
from . import layanan, reports, survey  # noqa: E402, F401
