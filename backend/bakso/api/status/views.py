"""The resident's status as JSON: the same allow-listed view as /cek/<token>."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ...schemas import ResidentStatusOut
from ..common import doc, services

# Headers as on /cek (no-store, no-referrer, noindex): bakso/security_headers.py.
bp = Blueprint("status", __name__, url_prefix="/status")


@bp.get("/<token>")
@doc(
    summary="A request's public status (no personal data)", response=ResidentStatusOut, public=True
)
def status(token: str) -> Response:
    return jsonify(services().status.by_token(token).to_json())
