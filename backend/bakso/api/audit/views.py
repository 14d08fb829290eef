"""The audit log for Dukcapil: filter by request, officer and date."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from ...domain.errors import InvalidInput
from ..common import actor, doc, services

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@doc(summary="Audit entries newest first; ?request=&user=&from=&to=&before=")
def search() -> Response:
    who = actor()
    try:
        before = int(request.args["before"]) if request.args.get("before") else None
        limit = int(request.args.get("limit", "100"))
    except ValueError:
        raise InvalidInput("Parameter before dan limit harus angka.") from None
    page = services().audit.search(
        who,
        target=request.args.get("request") or None,
        user=request.args.get("user") or None,
        since=request.args.get("from") or None,
        until=request.args.get("to") or None,
        before=before,
        limit=limit,
    )
    return jsonify({"items": [asdict(e) for e in page.items], "before": page.before})
