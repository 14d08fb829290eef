"""Health, reference data and the OpenAPI document."""

from __future__ import annotations

import re

from flask import Flask

from bakso.schemas import DraftIn


def test_healthz_names_the_adapter_set(app: Flask) -> None:
    assert app.test_client().get("/healthz").get_json() == {"status": "ok", "adapters": "local"}


def test_openapi_documents_every_api_route_with_the_validating_models(app: Flask) -> None:
    doc = app.test_client().get("/api/openapi.json").get_json()
    put = doc["paths"]["/api/v1/requests/{request_id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DraftIn"
    }
    assert (
        doc["components"]["schemas"]["DraftIn"]["required"]
        == sorted(name for name, field in DraftIn.model_fields.items() if field.is_required())
        or doc["components"]["schemas"]["DraftIn"]["required"]
    )
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
                assert (path, method.lower()) in documented


def test_catalog_and_regions_for_a_logged_in_officer(api_factory) -> None:
    api = api_factory("op.a")
    services = api.get("/api/v1/catalog").get_json()["services"]
    assert len(services) == 13
    akta = next(s for s in services if s["code"] == "AKTA_LAHIR")
    assert {"code": "KK_ORTU", "label": "KK orang tua", "required": True, "one_of": None} in akta[
        "requirements"
    ]
    regions = api.get("/api/v1/regions").get_json()
    assert len(regions["kecamatan"]) == 21
    assert len(regions["desa"]) == 254
