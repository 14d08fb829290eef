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
    is_live,
)
from ...services.sasaran import ImportSummary
from ...services.sasaran_exports import (
    column_descriptions,
    report_csv,
    report_xlsx,
    template_csv,
    template_xlsx,
)
from ...services.spreadsheets import CSV_MIMETYPE, XLSX_TYPE
from ..common import actor, doc, download, parse, query, services, upload_json
from ..queries import ImportListQuery, RowsQuery, WorklistQuery
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
        "requests": [
            {**link, "document": document, "live": is_live(link.get("status"))}
            for document, link in row.requests.items()
        ],
        "served": row.served,
        "sort_key": row.sort_key,
        "followups": [_followup_out(f.to_record()) for f in followups]
        if followups is not None
        else None,
    }
    return SasaranOut.model_validate(data).model_dump(mode="json")


def _result_out(result: ImportResult) -> dict[str, Any]:
    return ImportRowOut.model_validate(result.to_record()).model_dump(mode="json")


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
@doc(summary="Recent imports, newest first", query=ImportListQuery, response=ImportListOut)
def list_imports() -> Response:
    summaries = services().sasaran.list_imports(actor(), limit=query(ImportListQuery).limit)
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
@doc(
    summary="The per-line report of an import, ?after=<line>&limit=",
    query=RowsQuery,
    response=ImportRowsOut,
)
def import_rows(import_id: object) -> Response:
    q = query(RowsQuery)
    results, next_after = services().sasaran.import_report(
        actor(), str(import_id), after_line=q.after, limit=q.limit
    )
    return jsonify({"items": [_result_out(r) for r in results], "next_after": next_after})


@bp.get("/import/<uuid:import_id>/report.csv")
@doc(summary="The per-line report of an import as CSV (';', UTF-8 with BOM, for Excel)")
def import_report_csv(import_id: object) -> Response:
    results = services().sasaran.iter_report(actor(), str(import_id))
    return download(report_csv(results), CSV_MIMETYPE, f"laporan-impor-{import_id}.csv")


@bp.get("/import/<uuid:import_id>/report.xlsx")
@doc(summary="The per-line report of an import as XLSX")
def import_report_xlsx(import_id: object) -> Response:
    results = services().sasaran.iter_report(actor(), str(import_id))
    return download(report_xlsx(results), XLSX_TYPE, f"laporan-impor-{import_id}.xlsx")


@bp.get("/template.csv")
@doc(summary="The import file's columns and one example line (CSV, ';', UTF-8 with BOM)")
def template_as_csv() -> Response:
    svc = services()
    body = template_csv(svc.regions, svc.sasaran.actor_kabupaten(actor()))
    return download(body, CSV_MIMETYPE, "templat-sasaran.csv")


@bp.get("/template.xlsx")
@doc(summary="The import file's columns, one example line and a guide sheet (XLSX)")
def template_as_xlsx() -> Response:
    svc = services()
    body = template_xlsx(svc.regions, svc.sasaran.actor_kabupaten(actor()))
    return download(body, XLSX_TYPE, "templat-sasaran.xlsx")


@bp.get("/vocabulary")
@doc(
    summary="Import columns, document codes, rentan categories, follow-up outcomes",
    response=VocabularyOut,
)
def vocabulary() -> Response:
    svc = services()
    descriptions = column_descriptions(svc.regions, svc.sasaran.actor_kabupaten(actor()))
    return jsonify(
        {
            "columns": [
                {"name": c.name, "required": c.required, "description": description}
                for c, description in zip(COLUMNS, descriptions, strict=True)
            ],
            "documents": [asdict(d) for d in DOCUMENTS],
            "categories": [{"code": c.value, "label": CATEGORY_LABELS[c]} for c in Category],
            "outcomes": [{"code": o.value, "label": OUTCOME_LABELS[o]} for o in Outcome],
        }
    )


# Worklist ----------------------------------------------------------------------------
@bp.get("")
@doc(
    summary="A desa's worklist, rentan residents first (operators: own desa); ETag per revision;"
    " ?since=<revision> for only what changed (docs/sasaran-import.md)",
    query=WorklistQuery,
    response=SasaranPageOut,
    also=(304,),
)
def list_rows() -> Response:
    svc = services().sasaran
    who = actor()
    q = query(WorklistQuery)
    if q.since is not None:
        sync = svc.sync(who, q.desa, since=q.since, cursor=q.cursor, limit=q.limit)
        return jsonify(
            {
                "desa": svc.worklist_desa(who, q.desa),
                "revision": sync.revision,
                "full": sync.full,
                "items": [_row_out(r) for r in sync.rows],
                "removed": [
                    {"id": t.id, "revision": t.revision, "removed": True} for t in sync.removed
                ],
                "cursor": sync.cursor,
            }
        )
    desa = svc.worklist_desa(who, q.desa)
    revision = svc.revision(desa)
    cursor = q.cursor
    etag = f"sasaran-{desa}-{revision}"
    if cursor is None and etag in request.if_none_match:
        response = Response(status=304)
    else:
        page = svc.list_rows(who, desa, cursor=cursor, limit=q.limit)
        response = jsonify(
            {
                "desa": desa,
                "revision": revision,
                "full": True,
                "items": [_row_out(r) for r in page.items],
                "removed": [],
                "cursor": page.cursor,
            }
        )
    # no-store (security_headers), not no-cache: the PWA sends If-None-Match itself from its
    # own copy, and a fetch with that header bypasses the HTTP cache (Fetch standard), so a
    # cached body would only leave residents' names on disk after logout clears the app's data.
    response.set_etag(etag)
    return response


@bp.delete("/<uuid:sasaran_id>")
@doc(
    summary="Withdraw a row from its desa's worklist (Dukcapil): erased, uncounted, sent to"
    " devices as a tombstone; 204 again once withdrawn",
    status=204,
)
def withdraw(sasaran_id: object) -> tuple[str, int]:
    services().sasaran.withdraw(actor(), str(sasaran_id))
    return "", 204


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
    also=(200,),  # a replay of the same follow-up id
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
