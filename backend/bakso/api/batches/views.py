"""Dukcapil batches: create (built by the worker), list, detail, download."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify, redirect
from werkzeug.wrappers import Response as WerkzeugResponse

from ...domain.model import Batch
from ...schemas import BatchIn, BatchOut, BatchPageOut
from ...services.batches import BatchFilters
from ..common import absolute, actor, doc, parse, query, services
from ..queries import BatchListQuery, VolumeQuery

bp = Blueprint("batches", __name__, url_prefix="/batches")


def batch_out(batch: Batch) -> dict[str, Any]:
    return BatchOut.model_validate(asdict(batch)).model_dump(mode="json")


@bp.post("")
@doc(
    summary="Gather every ready DIAJUKAN request into a new batch (built asynchronously)",
    body=BatchIn,
    response=BatchOut,
    status=202,
)
def create() -> tuple[Response, int]:
    body = parse(BatchIn)
    batch = services().batches.create(
        actor(), BatchFilters(kecamatan=body.kecamatan, desa=body.desa, service=body.service)
    )
    return jsonify(batch_out(batch)), 202


@bp.get("")
@doc(summary="Batches, newest first", query=BatchListQuery, response=BatchPageOut)
def list_batches() -> Response:
    q = query(BatchListQuery)
    items, cursor = services().batches.list_batches(actor(), q.cursor, q.limit)
    return jsonify({"items": [batch_out(b) for b in items], "cursor": cursor})


@bp.get("/<batch_id>")
@doc(summary="A batch with its progress and count", response=BatchOut)
def detail(batch_id: str) -> Response:
    return jsonify(batch_out(services().batches.get(actor(), batch_id)))


@bp.post("/<batch_id>/rebuild")
@doc(
    summary="A new batch of a failed batch's requests that no newer batch has taken",
    response=BatchOut,
    status=202,
)
def rebuild(batch_id: str) -> tuple[Response, int]:
    batch = services().batches.rebuild(actor(), batch_id)
    return jsonify(batch_out(batch)), 202


@bp.get("/<batch_id>/download")
@doc(
    summary="Short-lived URL of one volume (?volume=N, default 1); its first download "
    "queues marking its requests DITERIMA",
    query=VolumeQuery,
    status=302,
)
def download(batch_id: str) -> WerkzeugResponse:
    url = services().batches.download_url(actor(), batch_id, query(VolumeQuery).volume)
    return redirect(absolute(url), code=302)
