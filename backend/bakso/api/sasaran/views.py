"""Sasaran: Dukcapil imports the list; the desa works through it. Thin: parse, call, serialize."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ...domain.sasaran import (
    CATEGORY_LABELS,
    COLUMNS,
    DOCUMENTS,
    DOCUMENTS_BY_CODE,
    OUTCOME_LABELS,
    Category,
    Followup,
    ImportResult,
    Outcome,
    SasaranRow,
)
from ...services.sasaran import ImportSummary
from ...services.sasaran_files import XLSX_TYPE, csv_bytes, template_csv, template_xlsx
from ..common import actor, doc, int_arg, parse, services, upload_json
from .schemas import (
    FollowupIn,
    FollowupOut,
    FollowupResultOut,
    ImportIn,
    ImportListOut,
    ImportOut,
    ImportRowOut,
    ImportRowsOut,
    ImportStartOut,
    SasaranOut,
    SasaranPageOut,
    VocabularyOut,
)

bp = Blueprint("sasaran", __name__, url_prefix="/sasaran")


def _import_out(summary: ImportSummary) -> dict[str, Any]:
    run = summary.run
    data = {
        **run.to_record(),
        "counts": summary.counts,
        "lines_done": summary.lines_done,
    }
    return ImportOut.model_validate(data).model_dump(mode="json")


def _followup_out(data: dict[str, Any]) -> dict[str, Any]:
    label = OUTCOME_LABELS[Outcome(data["outcome"])]
    return FollowupOut.model_validate({**data, "label": label}).model_dump(mode="json")


def _row_out(row: SasaranRow, followups: list[Followup] | None = None) -> dict[str, Any]:
    desa = services().regions.get(row.desa)
    data = {
        **row.to_record(),
        "desa_name": desa.name if desa else row.desa,
        "documents": [
            asdict(DOCUMENTS_BY_CODE[code]) for code in row.documents if code in DOCUMENTS_BY_CODE
        ],
        "category_label": CATEGORY_LABELS[Category(row.category)] if row.category else None,
        "followup": _followup_out(row.followup) if row.followup else None,
        "request": {"id": row.request_id, "status": row.request_status} if row.request_id else None,
        "served": row.served,
        "followups": [_followup_out(f.to_record()) for f in followups]
        if followups is not None
        else None,
    }
    return SasaranOut.model_validate(data).model_dump(mode="json")


def _result_out(result: ImportResult) -> dict[str, Any]:
    return ImportRowOut.model_validate(result.to_record()).model_dump(mode="json")


def _download(body: Any, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# Import ----------------------------------------------------------------------------
@bp.post("/import")
@doc(
    summary="Register a CSV/XLSX list of residents lacking documents and get its upload URL",
    body=ImportIn,
    response=ImportStartOut,
    status=201,
)
def start_import() -> tuple[Response, int]:
    body = parse(ImportIn)
    svc = services().sasaran
    run, target = svc.start_import(
        actor(),
        import_id=str(body.id) if body.id else None,
        filename=body.filename,
        sha256=body.sha256,
        size=body.size,
        content_type=body.content_type,
    )
    upload = upload_json(target)
    summary = svc.get_import(actor(), run.id)
    return jsonify({"import": _import_out(summary), "upload": upload}), 201


@bp.get("/import")
@doc(summary="Recent imports, newest first", response=ImportListOut)
def list_imports() -> Response:
    summaries = services().sasaran.list_imports(actor(), limit=int_arg("limit", 20))
    return jsonify({"items": [_import_out(s) for s in summaries]})


@bp.post("/import/<uuid:import_id>/start")
@doc(
    summary="Check the uploaded file and import it in the background (idempotent)",
    response=ImportOut,
    status=202,
)
def begin_import(import_id: object) -> tuple[Response, int]:
    svc = services().sasaran
    run = svc.begin_import(actor(), str(import_id))
    return jsonify(_import_out(svc.get_import(actor(), run.id))), 202


@bp.get("/import/<uuid:import_id>")
@doc(summary="An import's progress and outcome counts", response=ImportOut)
def get_import(import_id: object) -> Response:
    return jsonify(_import_out(services().sasaran.get_import(actor(), str(import_id))))


@bp.get("/import/<uuid:import_id>/rows")
@doc(summary="The per-line report of an import, ?after=<line>&limit=", response=ImportRowsOut)
def import_rows(import_id: object) -> Response:
    results, next_after = services().sasaran.import_report(
        actor(), str(import_id), after_line=int_arg("after", 0), limit=int_arg("limit", 200)
    )
    return jsonify({"items": [_result_out(r) for r in results], "next_after": next_after})


@bp.get("/import/<uuid:import_id>/report.csv")
@doc(summary="The per-line report of an import as CSV")
def import_report_csv(import_id: object) -> Response:
    results = services().sasaran.iter_report(actor(), str(import_id))
    rows = ([r.line, r.outcome, r.reason or "", r.message, r.sasaran_id or ""] for r in results)
    header = ["baris", "hasil", "alasan", "keterangan", "sasaran_id"]
    return _download(
        csv_bytes(header, rows), "text/csv; charset=utf-8", f"laporan-impor-{import_id}.csv"
    )


@bp.get("/template.csv")
@doc(summary="An empty import file with the documented columns (CSV)")
def template_as_csv() -> Response:
    return _download(template_csv(), "text/csv; charset=utf-8", "templat-sasaran.csv")


@bp.get("/template.xlsx")
@doc(summary="An empty import file with the documented columns and a guide sheet (XLSX)")
def template_as_xlsx() -> Response:
    return _download(template_xlsx(), XLSX_TYPE, "templat-sasaran.xlsx")


@bp.get("/vocabulary")
@doc(
    summary="Import columns, document codes, rentan categories, follow-up outcomes",
    response=VocabularyOut,
)
def vocabulary() -> Response:
    return jsonify(
        {
            "columns": [
                {"name": c.name, "required": c.required, "description": c.description}
                for c in COLUMNS
            ],
            "documents": [asdict(d) for d in DOCUMENTS],
            "categories": [{"code": c.value, "label": CATEGORY_LABELS[c]} for c in Category],
            "outcomes": [{"code": o.value, "label": OUTCOME_LABELS[o]} for o in Outcome],
        }
    )


# Worklist ----------------------------------------------------------------------------
@bp.get("")
@doc(
    summary="A desa's worklist, rentan residents first (operators: own desa); ETag per revision",
    response=SasaranPageOut,
)
def list_rows() -> Response:
    svc = services().sasaran
    who = actor()
    desa = svc.worklist_desa(who, request.args.get("desa") or None)
    revision = svc.revision(desa)
    cursor = request.args.get("cursor") or None
    etag = f"sasaran-{desa}-{revision}"
    if cursor is None and etag in request.if_none_match:
        response = Response(status=304)
    else:
        page = svc.list_rows(who, desa, cursor=cursor, limit=int_arg("limit", 200))
        response = jsonify(
            {
                "desa": desa,
                "revision": revision,
                "items": [_row_out(r) for r in page.items],
                "cursor": page.cursor,
            }
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/<uuid:sasaran_id>")
@doc(summary="One row with its follow-up history", response=SasaranOut)
def get_row(sasaran_id: object) -> Response:
    svc = services().sasaran
    row = svc.get_row(actor(), str(sasaran_id))
    return jsonify(_row_out(row, svc.followups(actor(), row.id)))


@bp.post("/<uuid:sasaran_id>/followup")
@doc(
    summary="Record what the desa found (idempotent by the device's follow-up id)",
    body=FollowupIn,
    response=FollowupResultOut,
    status=201,
)
def followup(sasaran_id: object) -> tuple[Response, int]:
    body = parse(FollowupIn)
    row, recorded, created = services().sasaran.record_followup(
        actor(),
        str(sasaran_id),
        followup_id=str(body.id),
        outcome=body.outcome,
        note=body.note,
        at=body.at,
    )
    return jsonify(
        {
            "created": created,
            "followup": _followup_out({**recorded.summary(), "by": recorded.by}),
            "sasaran": _row_out(row),
        }
    ), 201 if created else 200
