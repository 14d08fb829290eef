"""Health, reference data and the OpenAPI document."""

from __future__ import annotations

import re
import uuid

from flask import Flask

from bakso.schemas import DraftIn
from helpers import draft


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


def _responses(app: Flask, path: str, method: str) -> set[str]:
    doc = app.test_client().get("/api/openapi.json").get_json()
    return set(doc["paths"][path][method]["responses"])


def test_a_replayed_create_answers_200_and_the_document_lists_201_and_200(
    app: Flask, api_factory
) -> None:
    op = api_factory("op.a")
    request_id = str(uuid.uuid4())
    first = op.put(f"/api/v1/requests/{request_id}", json=draft())
    replay = op.put(f"/api/v1/requests/{request_id}", json=draft())
    assert (first.status_code, replay.status_code) == (201, 200)
    assert {"200", "201"} <= _responses(app, "/api/v1/requests/{request_id}", "put")
    assert {"200", "201"} <= _responses(app, "/api/v1/sasaran/{sasaran_id}/followup", "post")


def test_every_operation_lists_the_problems_it_can_answer(app: Flask) -> None:
    doc = app.test_client().get("/api/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            listed = set(operation["responses"])
            where = f"{method} {path}"
            assert "503" in listed, where
            if "security" in operation:
                assert {"401", "403"} <= listed, where
            if "{" in path:
                assert "404" in listed, where
            if "requestBody" in operation:
                assert {"413", "422"} <= listed, where
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                assert "422" in listed, where
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/problem+json"], where
    redirects = ("/api/v1/requests/{request_id}/berkas", "/api/v1/batches/{batch_id}/download")
    for path in redirects:
        assert "302" in doc["paths"][path]["get"]["responses"], path
    assert (
        "204"
        in doc["paths"]["/api/v1/requests/{request_id}/scans/{scan_id}"]["delete"]["responses"]
    )
    assert "304" in doc["paths"]["/api/v1/sasaran"]["get"]["responses"]
    assert {"401", "429"} <= set(doc["paths"]["/api/v1/auth/login"]["post"]["responses"])


def test_query_parameters_are_documented_from_the_validating_models(app: Flask) -> None:
    doc = app.test_client().get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/batches"]["get"]["parameters"]}
    assert params["limit"]["schema"]["minimum"] == 1
    audit = {p["name"] for p in doc["paths"]["/api/v1/audit"]["get"]["parameters"]}
    assert audit == {"request", "user", "from", "to", "before", "limit"}
