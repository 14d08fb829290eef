"""Coverage figures for the dashboard and its exports. Thin: parse, call, serialize."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...services.coverage import coverage_table
from ...services.spreadsheets import CSV_MIMETYPE, XLSX_TYPE, Column, Sheet, csv_stream, xlsx_bytes
from ..common import actor, doc, download, query, services
from ..queries import CoverageQuery
from .schemas import CoverageOut

bp = Blueprint("stats", __name__, url_prefix="/stats")


def _report() -> dict[str, Any]:
    q = query(CoverageQuery)
    report = services().coverage.coverage(
        actor(), level=q.level, kecamatan=q.kecamatan, desa=q.desa, kabupaten=q.kabupaten
    )
    return CoverageOut.model_validate(report).model_dump(mode="json")


def _table() -> tuple[dict[str, Any], list[Column], list[list[Any]]]:
    """The report and its table; the code, name and level are text, every figure a number."""
    report = _report()
    header, rows = coverage_table(report)
    columns = [Column(name, "text" if i < 3 else "number") for i, name in enumerate(header)]
    return report, columns, rows


@bp.get("/coverage")
@doc(
    summary="Coverage per ?level=kabupaten|kecamatan|desa (&kecamatan=, &desa=) of the officer's"
    " kabupaten (operator: own desa); the province role: its kabupaten side by side, or one"
    " kabupaten's kecamatan (&kabupaten=)",
    query=CoverageQuery,
    response=CoverageOut,
)
def coverage() -> Response:
    response = jsonify(_report())
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/coverage.csv")
@doc(
    summary="The coverage figures as CSV (';', decimal ',', UTF-8 with BOM; same parameters)",
    query=CoverageQuery,
)
def coverage_csv() -> Response:
    report, columns, rows = _table()
    return download(csv_stream(columns, rows), CSV_MIMETYPE, f"cakupan-{report['level']}.csv")


@bp.get("/coverage.xlsx")
@doc(summary="The coverage figures as XLSX (same parameters)", query=CoverageQuery)
def coverage_xlsx() -> Response:
    report, columns, rows = _table()
    return download(
        xlsx_bytes([Sheet("cakupan", columns, rows)]), XLSX_TYPE, f"cakupan-{report['level']}.xlsx"
    )
