"""Liveness and the OpenAPI document, generated from the view docs and their models."""

from __future__ import annotations

import re
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
            operation["responses"][str(meta["status"])] = ok
            if meta["body"] is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(meta["body"], schemas)}},
                }
            if not meta["public"]:
                operation["security"] = [{"session": []}]
            params = re.findall(r"{([^}]+)}", path)
            if params:
                operation["parameters"] = [
                    {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                    for p in params
                ]
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
