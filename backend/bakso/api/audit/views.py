"""The audit log for Dukcapil: filter by request, officer and date."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from ...domain.errors import Forbidden, InvalidInput
from ...domain.lifecycle import Role
from ..common import actor, doc, services

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@doc(summary="Audit entries newest first; ?request=&user=&from=&to=&before=")
def search() -> Response:
    if actor().role not in (Role.DUKCAPIL, Role.ADMIN):
        raise Forbidden("Hanya petugas Dukcapil yang dapat membuka log audit.")
    try:
        before = int(request.args["before"]) if request.args.get("before") else None
        limit = min(int(request.args.get("limit", "100")), 500)
    except ValueError:
        raise InvalidInput("Parameter before dan limit harus angka.") from None
    entries = services().records.audit_search(
        target=request.args.get("request") or None,
        actor=request.args.get("user") or None,
        since=request.args.get("from") or None,
        until=request.args.get("to") or None,
        before_seq=before,
        limit=limit,
    )
    cursor = entries[-1].seq if len(entries) == limit else None
    return jsonify({"items": [asdict(e) for e in entries], "before": cursor})
