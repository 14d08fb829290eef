"""Bulk return of results: register the CSV (and zip of issued PDFs), upload, start, follow.

The files go straight to the blob store (like a scan or a sasaran import); the
worker applies the rows in chunks. Thin: parse, call, serialize.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from ...domain.returns import ReturnFile, ReturnLine
from ...schemas import ReturnCreatedOut, ReturnIn, ReturnOut, ReturnRowOut, ReturnRowsOut
from ...services.return_template import template_csv, template_xlsx
from ...services.returns import ReturnSummary
from ...services.spreadsheets import CSV_MIMETYPE, XLSX_TYPE
from ..common import actor, doc, download, parse, query, services, upload_json
from ..queries import RowsQuery

bp = Blueprint("returns", __name__, url_prefix="/returns")


def _return_out(summary: ReturnSummary) -> dict[str, Any]:
    run = summary.run
    data = {
        "id": run.id,
        "status": run.status,
        "counts": summary.counts,
        "rows_total": run.rows_total,
        "rows_done": summary.rows_done,
        "table": {"filename": run.table.filename, "size": run.table.size},
        "pdfs": {"filename": run.pdfs.filename, "size": run.pdfs.size} if run.pdfs else None,
        "created_at": run.created_at,
        "created_by": run.created_by,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "error": run.error,
    }
    return ReturnOut.model_validate(data).model_dump(mode="json")


def _row_out(line: ReturnLine) -> dict[str, Any]:
    data = {"row": line.row, "code": line.code, "outcome": line.outcome, "detail": line.detail}
    return ReturnRowOut.model_validate(data).model_dump(mode="json")


def _code_prefix() -> str:
    """The prefix of the caller's kabupaten's request codes, for the template's example."""
    tenants = services().tenants
    return (tenants.get(actor().kabupaten) or tenants.default).code_prefix


@bp.get("/template.csv")
@doc(summary="The return table's columns and one example row (CSV, ';', UTF-8 with BOM)")
def template_as_csv() -> Response:
    return download(template_csv(_code_prefix()), CSV_MIMETYPE, "templat-pengembalian.csv")


@bp.get("/template.xlsx")
@doc(summary="The return table's columns, one example row and a sheet of valid statuses (XLSX)")
def template_as_xlsx() -> Response:
    return download(template_xlsx(_code_prefix()), XLSX_TYPE, "templat-pengembalian.xlsx")


@bp.post("")
@doc(
    summary="Register a bulk return (a CSV ';' or ',' or XLSX table: Kode permohonan, Status, "
    "Catatan; and a zip of issued PDFs) "
    "and get its upload URLs (idempotent by the client's id)",
    body=ReturnIn,
    response=ReturnCreatedOut,
    status=201,
)
def create_return() -> tuple[Response, int]:
    body = parse(ReturnIn)
    svc = services().returns
    run, table, pdfs = svc.create(
        actor(),
        return_id=str(body.id) if body.id else None,
        table=ReturnFile(**body.table.model_dump()),
        pdfs=ReturnFile(**body.pdfs.model_dump()) if body.pdfs else None,
    )
    out = _return_out(svc.summary(run))
    out["uploads"] = {"table": upload_json(table), "pdfs": upload_json(pdfs)}
    return jsonify(out), 201


@bp.post("/<uuid:return_id>/start")
@doc(
    summary="Check the uploaded files and apply the return in the background (idempotent)",
    response=ReturnOut,
    status=202,
)
def start_return(return_id: object) -> tuple[Response, int]:
    svc = services().returns
    run = svc.start(actor(), str(return_id))
    return jsonify(_return_out(svc.summary(run))), 202


@bp.get("/<uuid:return_id>")
@doc(summary="A bulk return's progress and outcome counts", response=ReturnOut)
def get_return(return_id: object) -> Response:
    return jsonify(_return_out(services().returns.get(actor(), str(return_id))))


@bp.get("/<uuid:return_id>/rows")
@doc(
    summary="The per-row report of a bulk return, ?after=&limit=",
    query=RowsQuery,
    response=ReturnRowsOut,
)
def return_rows(return_id: object) -> Response:
    q = query(RowsQuery)
    lines, next_after = services().returns.rows(
        actor(), str(return_id), after=q.after, limit=q.limit
    )
    return jsonify({"items": [_row_out(line) for line in lines], "next_after": next_after})
