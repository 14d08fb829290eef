"""Reference data the device caches for offline use: services and regions, of the caller's
kabupaten (#16): an operator's is its desa's, Dukcapil staff's their account's; and the
services' form definitions (one set for the deployment, docs/forms.md)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from ...domain.notifications import channel_name
from ...domain.tenants import Kabupaten
from ...schemas import CatalogOut, RegionsOut
from ..common import actor, doc, services
from .schemas import FormsOut

bp = Blueprint("catalog", __name__)


def _callers_kabupaten() -> Kabupaten:
    """The caller's kabupaten; the province role reads its province's first served one
    (it files no request, and coverage names its regions itself)."""
    tenants = services().tenants
    acting = actor()
    own = tenants.get(acting.kabupaten)
    if own is None and acting.provinsi:
        own = next(iter(tenants.in_provinsi(acting.provinsi)), None)
    return own or tenants.default


@bp.get("/catalog")
@doc(
    summary="Services and their requirements, as the caller's kabupaten offers them",
    response=CatalogOut,
)
def catalog() -> Response:
    svc = services()
    offered = svc.catalog.catalog_for(_callers_kabupaten().code).services()
    # The channel the loket's consent names ("SMS", "WhatsApp"); null: no message is sent.
    channel = channel_name(svc.downloads.notifier)
    return jsonify({"services": [s.to_dict() for s in offered], "notify_channel": channel})


@bp.get("/regions")
@doc(summary="Kecamatan and desa of the caller's kabupaten", response=RegionsOut)
def regions() -> Response:
    kabupaten = _callers_kabupaten()
    regions = services().regions
    own = regions.get(kabupaten.code)
    assert own is not None  # domain/tenants.py refuses a kabupaten without its region
    return jsonify(
        {
            "kabupaten": asdict(own),
            "kecamatan": [asdict(r) for r in regions.kecamatan(kabupaten.code)],
            "desa": [asdict(r) for r in regions.desa(kabupaten.code)],
        }
    )


@bp.get("/forms")
@doc(
    summary="The services' form definitions (sections, fields, choices, rules), as forms.json",
    response=FormsOut,
)
def forms() -> Response:
    # Reference data like the catalog (no one's personal data), so the province role,
    # which may read the catalog, reads it too.
    return jsonify(services().forms_served)
