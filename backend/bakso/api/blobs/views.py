"""The local blob folder's signed URLs: what S3's presigned URLs are on AWS.

Registered only with the local adapter set. The signed token in the URL is
the whole authority, exactly like a presigned URL, so no session is needed.
"""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, current_app, jsonify, request, send_file

from ...services.local_blobs import LocalBlobService
from ..common import services

bp = Blueprint("local_blobs", __name__, url_prefix="/blobs")


def _blobs() -> LocalBlobService:
    routes = services().local_blobs
    assert routes is not None  # registered only with the local adapter set
    return routes


@bp.put("/upload/<token>")
def upload(token: str) -> tuple[Response, int]:
    # Uploads are larger than API bodies (scans, a bulk return's zip of issued PDFs);
    # the size signed into the token is enforced by the adapter.
    config = current_app.config
    request.max_content_length = max(
        config["MAX_SCAN_BYTES"], config["RETURN_MAX_TABLE_BYTES"], config["RETURN_MAX_PDFS_BYTES"]
    )
    _blobs().accept_upload(token, request.content_type, request.stream, request.content_length)
    return jsonify({"status": "stored"}), 200


@bp.get("/download/<token>")
def download(token: str) -> Response:
    path, filename = _blobs().resolve_download(token)
    inline = _blobs().download_is_inline(token)
    mimetype = (
        mimetypes.guess_type(filename)[0] if filename else None
    ) or "application/octet-stream"
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=bool(filename) and not inline,
        download_name=filename,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
