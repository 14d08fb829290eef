"""Coverage figures for the dashboard and its exports. Thin: parse, call, serialize."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ...services.coverage import coverage_table
from ...services.sasaran_files import XLSX_TYPE, csv_bytes, xlsx_bytes
from ..common import actor, doc, services
from .schemas import CoverageOut

bp = Blueprint("stats", __name__, url_prefix="/stats")


def _report() -> dict[str, Any]:
    report = services().coverage.coverage(
        actor(),
        level=request.args.get("level") or None,
        kecamatan=request.args.get("kecamatan") or None,
        desa=request.args.get("desa") or None,
    )
    return CoverageOut.model_validate(report).model_dump(mode="json")


def _download(body: Any, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/coverage")
@doc(
    summary="Coverage per ?level=kabupaten|kecamatan|desa (&kecamatan=, &desa=); operator: own",
    response=CoverageOut,
)
def coverage() -> Response:
    response = jsonify(_report())
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/coverage.csv")
@doc(summary="The coverage figures as CSV (same parameters)")
def coverage_csv() -> Response:
    report = _report()
    header, rows = coverage_table(report)
    return _download(
        csv_bytes(header, rows), "text/csv; charset=utf-8", f"cakupan-{report['level']}.csv"
    )


@bp.get("/coverage.xlsx")
@doc(summary="The coverage figures as XLSX (same parameters)")
def coverage_xlsx() -> Response:
    report = _report()
    header, rows = coverage_table(report)
    return _download(
        xlsx_bytes([("cakupan", header, rows)]), XLSX_TYPE, f"cakupan-{report['level']}.xlsx"
    )
