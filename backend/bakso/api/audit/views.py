"""The audit log for Dukcapil: filter by request, officer and date."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from ..common import actor, doc, query, services
from ..queries import AuditQuery

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@doc(summary="Audit entries newest first; ?request=&user=&from=&to=&before=", query=AuditQuery)
def search() -> Response:
    who = actor()
    q = query(AuditQuery)  # ?limit=0 or -1 is a 422, never the whole log
    page = services().audit.search(
        who,
        target=q.request,
        user=q.user,
        since=q.from_,
        until=q.to,
        before=q.before,
        limit=q.limit,
    )
    return jsonify({"items": [asdict(e) for e in page.items], "before": page.before})
