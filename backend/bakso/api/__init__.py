"""The HTTP API (DESIGN §4): blueprints, the auth gate, CSRF, and problem+json errors."""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, Flask, Response, current_app, request, session
from flask_login import LoginManager, current_user
from werkzeug.exceptions import HTTPException

from ..domain.errors import BaksoError, Forbidden, NotAuthenticated
from ..domain.lifecycle import Role
from ..services.requests import StaleRequest
from . import (
    audit,
    auth,
    batches,
    catalog,
    desa,
    ikm,
    meta,
    reports,
    requests,
    returns,
    sasaran,
    stats,
    status,
    users,
)
from .common import SessionUser, problem, services
from .local_time import init_local_time
from .serializers import request_out

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# All the province role may call: its session, the catalog of services and coverage figures.
PROVINCE_BLUEPRINTS = frozenset({"api_v1.auth", "api_v1.catalog", "api_v1.stats"})
# All the overseer (#19) may call: its session and the residents' reports.
PENGAWAS_BLUEPRINTS = frozenset({"api_v1.auth", "api_v1.reports"})

HTTP_DETAILS = {
    400: "Permintaan tidak dapat dibaca.",
    401: "Silakan masuk terlebih dahulu.",
    403: "Anda tidak diizinkan melakukan ini.",
    404: "Alamat tidak ditemukan.",
    405: "Metode ini tidak didukung untuk alamat ini.",
    413: "Data yang dikirim terlalu besar.",
    415: "Jenis data tidak didukung.",
}
# Titles in Indonesian too: a PWA or a person reading the raw answer sees no "Not Found".
HTTP_TITLES = {
    400: "Permintaan tidak valid",
    401: "Belum masuk",
    403: "Tidak diizinkan",
    404: "Tidak ditemukan",
    405: "Metode tidak didukung",
    413: "Data terlalu besar",
    415: "Jenis data tidak didukung",
}


def init_api(app: Flask) -> None:
    api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    for feature in (
        audit,
        auth,
        batches,
        catalog,
        desa,
        ikm,
        reports,
        requests,
        returns,
        sasaran,
        stats,
        status,
        users,
    ):
        api_v1.register_blueprint(feature.bp)
    api_v1.before_request(_gate)
    app.register_blueprint(api_v1)
    app.register_blueprint(meta.bp)
    _init_login(app)
    init_local_time(app)
    _init_errors(app)


def _gate() -> None:
    """Default deny: every /api/v1 route needs a session unless its view is marked public,
    and every write needs the session's CSRF token in X-CSRF-Token."""
    view = current_app.view_functions.get(request.endpoint or "")
    public = bool(getattr(view, "openapi", {}).get("public"))
    if public:
        return
    if not current_user.is_authenticated:
        raise NotAuthenticated("Silakan masuk terlebih dahulu.")
    if current_user.user.role is Role.PROVINSI and request.blueprint not in PROVINCE_BLUEPRINTS:
        # Default deny for the province role (#16): it reads coverage figures, nothing else,
        # whatever a service would let a role other than the operator do.
        raise Forbidden("Akun provinsi hanya dapat melihat angka cakupan.")
    if current_user.user.role is Role.PENGAWAS and request.blueprint not in PENGAWAS_BLUEPRINTS:
        # Default deny for the overseer: it reads residents' reports, no request or person.
        raise Forbidden("Akun pengawas hanya dapat membuka laporan warga.")
    if request.method in WRITE_METHODS:
        expected = session.get("csrf", "")
        sent = request.headers.get("X-CSRF-Token", "")
        if not expected or not hmac.compare_digest(expected, sent):
            raise Forbidden("Token keamanan (CSRF) tidak valid; muat ulang halaman lalu coba lagi.")


def _init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.session_protection = "basic"

    @manager.user_loader  # type: ignore[untyped-decorator]
    def load_user(session_id: str) -> SessionUser | None:
        # Checked against the store on every request: a cookie alone opens nothing.
        user = services().sessions.resolve(session_id)
        return SessionUser(user, session_id) if user else None

    @manager.unauthorized_handler  # type: ignore[untyped-decorator]
    def unauthorized() -> Response:
        return problem(401, NotAuthenticated.title, "Silakan masuk terlebih dahulu.")

    manager.init_app(app)


def _init_errors(app: Flask) -> None:
    @app.errorhandler(BaksoError)
    def bakso_error(exc: BaksoError) -> Response:
        extra = dict(exc.extra)
        if isinstance(exc, StaleRequest):  # described by the service that raised it
            extra["current"] = request_out(exc.current, exc.current_detail)
        response = problem(exc.status, exc.title, exc.detail, **extra)
        if "retry_after" in extra:
            response.headers["Retry-After"] = str(extra["retry_after"])
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        detail = HTTP_DETAILS.get(status, "Permintaan tidak dapat diproses.")
        return problem(status, HTTP_TITLES.get(status, "Permintaan tidak dapat diproses"), detail)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url_rule)
        return problem(500, "Kesalahan server", "Terjadi kesalahan di server. Coba lagi nanti.")
