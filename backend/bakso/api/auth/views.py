"""Officer sessions: login, logout, who am I."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, jsonify, request, session
from flask_login import current_user, login_user, logout_user

from ...client_address import client_address
from ...domain.lifecycle import Role
from ...domain.model import User
from ..common import SessionUser, actor, doc, parse, services
from .schemas import LoginIn, LoginOut

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)


def _user_json(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "role": user.role.value,
        "desa": user.desa,
        "kabupaten": services().accounts.kabupaten_code(user),
        "provinsi": user.provinsi,
    }


def _session_json(user: User) -> dict[str, object]:
    """The account, the kabupaten it works for (the province role: the list of its
    province's served kabupaten) and that kabupaten's time zone (#16)."""
    served = services().accounts.kabupaten_served(user)
    kabupaten: object = [k.public() for k in served]
    if user.role is not Role.PROVINSI:
        kabupaten = served[0].public() if served else None
    # The PWA writes times on the kabupaten's clock, whatever the device's zone says.
    zone = (served[0] if served else services().tenants.default).timezone
    return {"user": _user_json(user), "kabupaten": kabupaten, "timezone": zone}


@bp.post("/login")
@doc(
    summary="Log in; returns the CSRF token for later writes",
    body=LoginIn,
    response=LoginOut,
    errors=(401, 429),  # a wrong password; too many of them
    public=True,
)
def login() -> Response:
    body = parse(LoginIn)
    user = services().accounts.authenticate(body.username, body.password, client_address(request))
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    login_user(SessionUser(user, services().sessions.start(user)))
    session["csrf"] = secrets.token_urlsafe(32)
    log.info("officer logged in (role %s)", user.role.value)
    return jsonify({**_session_json(user), "csrf_token": session["csrf"]})


@bp.post("/logout")
@doc(summary="Log out: the session ends on the server, so no copy of its cookie works")
def logout() -> Response:
    services().sessions.end(current_user.session_id)
    logout_user()
    session.clear()
    return jsonify({"status": "ok"})


@bp.get("/me")
@doc(summary="The logged-in officer, with a CSRF token", response=LoginOut)
def me() -> Response:
    officer = actor()
    user = services().accounts.get(officer.username)
    assert user is not None  # the session loader just read it
    return jsonify({**_session_json(user), "csrf_token": session.get("csrf", "")})
