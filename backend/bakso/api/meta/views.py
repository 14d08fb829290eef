"""Liveness and the OpenAPI document, generated from the view docs and their models."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from pydantic import BaseModel

from ...schemas import HealthOut
from ..common import PROBLEM_TYPE, doc, services

bp = Blueprint("meta", __name__)


@bp.get("/healthz")
@doc(summary="Liveness, with the adapter set in use", response=HealthOut, public=True)
def healthz() -> Response:
    return jsonify({"status": "ok", "adapters": services().adapters})


@bp.get("/api/openapi.json")
@doc(summary="This document", public=True)
def openapi() -> Response:
    return jsonify(build_openapi())


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def problem_statuses(meta: dict[str, Any], method: str, path: str) -> set[int]:
    """The problem+json statuses a view can answer, from what it is (api/__init__, common)."""
    statuses = {503, *meta.get("errors", ())}  # 503: a store that cannot answer
    if not meta["public"]:
        statuses |= {401, 403}  # no session; a role, a desa or the CSRF token refused
        if method in WRITES:
            # A state or version that does not allow the change; a request the rules refuse
            # (a missing document, a scan that is not what was registered).
            statuses |= {409, 422}
    if "{" in path:
        statuses.add(404)
    if meta["body"] is not None:
        statuses |= {413, 422}
    if meta.get("query") is not None:
        statuses |= {404, 422}  # 404: a filter naming a desa the officer may not see
    return statuses


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True)
    required = set(schema.get("required", ()))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": sub}
        for name, sub in schema.get("properties", {}).items()
    ]


def build_openapi() -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Problem": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string", "description": "in Indonesian, for people"},
            },
        }
    }
    problem = {"content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    paths: dict[str, Any] = {}
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None)
        if meta is None:
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict[str, Any] = {
                "summary": meta["summary"],
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "responses": {"default": {"description": "error", **problem}},
            }
            ok: dict[str, Any] = {"description": "ok"}
            if meta["response"] is not None:
                ok["content"] = {"application/json": {"schema": _ref(meta["response"], schemas)}}
            if meta.get("media"):
                ok["content"] = {meta["media"]: {"schema": {"type": "string", "format": "binary"}}}
            for status in (meta["status"], *meta.get("also", ())):
                if status in (204, 302, 304):
                    described = {"description": HTTPStatus(status).phrase}
                    operation["responses"][str(status)] = described
                else:
                    operation["responses"][str(status)] = ok
            for status in sorted(problem_statuses(meta, method, path)):
                operation["responses"][str(status)] = {
                    "description": HTTPStatus(status).phrase,
                    **problem,
                }
            if meta["body"] is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(meta["body"], schemas)}},
                }
            if not meta["public"]:
                operation["security"] = [{"session": []}]
            parameters = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in re.findall(r"{([^}]+)}", path)
            ]
            if meta.get("query") is not None:
                parameters += _query_parameters(meta["query"])
            if parameters:
                operation["parameters"] = parameters
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "BAKSO API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "bakso_session"}
            },
        },
    }
