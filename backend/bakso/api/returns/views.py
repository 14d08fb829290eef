"""Bulk return of results: a CSV (kode, status, catatan) and optionally a zip of issued PDFs."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from ...domain.errors import InvalidInput
from ..common import actor, doc, services

bp = Blueprint("returns", __name__, url_prefix="/returns")


@bp.post("")
@doc(summary="multipart/form-data: csv (required), pdfs (zip, optional); a report per row")
def bulk_return() -> Response:
    # Larger than JSON bodies; on AWS, API Gateway caps a request at 10 MB.
    request.max_content_length = current_app.config["MAX_RETURN_BYTES"]
    table = request.files.get("csv")
    if table is None:
        raise InvalidInput("Lampirkan berkas CSV pada kolom 'csv'.")
    archive = request.files.get("pdfs")
    reports = services().returns.apply(
        actor(), table.read(), archive.read() if archive is not None else None
    )
    counts = {
        k: sum(1 for r in reports if r.outcome == k) for k in ("applied", "unchanged", "refused")
    }
    return jsonify({"rows": [r.to_json() for r in reports], "counts": counts})
