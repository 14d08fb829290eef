"""Reference data the device caches for offline use: services and regions."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from ...schemas import CatalogOut, RegionsOut
from ..common import doc, services

bp = Blueprint("catalog", __name__)


@bp.get("/catalog")
@doc(summary="Services and their requirements", response=CatalogOut)
def catalog() -> Response:
    return jsonify({"services": [s.to_dict() for s in services().catalog.services()]})


@bp.get("/regions")
@doc(summary="Kecamatan and desa of the kabupaten", response=RegionsOut)
def regions() -> Response:
    regions = services().regions
    return jsonify(
        {
            "kabupaten": asdict(regions.kabupaten()[0]),
            "kecamatan": [asdict(r) for r in regions.kecamatan()],
            "desa": [asdict(r) for r in regions.desa()],
        }
    )
