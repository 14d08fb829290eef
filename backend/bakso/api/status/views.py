"""The resident's status as JSON: the same allow-listed view as /cek/<token>."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ...public import private_headers
from ...schemas import ResidentStatusOut
from ..common import doc, services

bp = Blueprint("status", __name__, url_prefix="/status")
bp.after_request(private_headers)


@bp.get("/<token>")
@doc(
    summary="A request's public status (no personal data)", response=ResidentStatusOut, public=True
)
def status(token: str) -> Response:
    return jsonify(services().status.by_token(token).to_json())
