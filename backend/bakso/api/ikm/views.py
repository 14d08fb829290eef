"""IKM survey figures for Dukcapil (docs/ikm.md) and their XLSX. Thin: parse, call, serialize."""

from __future__ import annotations

from typing import Annotated, Any

from flask import Blueprint, Response, jsonify
from pydantic import Field

from ...services.ikm import EXPORT_COMMENTS, IkmService, ikm_table
from ...services.spreadsheets import CSV_MIMETYPE, XLSX_TYPE, Column, Sheet, csv_stream, xlsx_bytes
from ..common import actor, doc, download, query, services
from ..queries import KabupatenCode, Query

bp = Blueprint("ikm", __name__)


class IkmQuery(Query):
    period: Annotated[str, Field(max_length=7, pattern=r"^[0-9]{4}-[0-9]{2}$")] | None = None
    quarter: Annotated[str, Field(max_length=7, pattern=r"^[0-9]{4}-Q[1-4]$")] | None = None
    kabupaten: KabupatenCode | None = None  # the officer's own only (another: 404)


class SaranQuery(IkmQuery):
    cursor: Annotated[str, Field(max_length=200, pattern=r"^[A-Za-z0-9_-]+$")] | None = None


def _ikm() -> IkmService:
    ikm = services().ikm
    assert ikm is not None
    return ikm


def _period() -> dict[str, str | None]:
    """?period=, ?quarter= and ?kabupaten=, checked, as the service's keyword arguments."""
    q = query(IkmQuery)
    return {"period": q.period, "quarter": q.quarter, "kabupaten": q.kabupaten}


@bp.get("/ikm")
@doc(
    summary="IKM (PermenPANRB 14/2017) of the officer's kabupaten for ?period=yyyy-mm or"
    " ?quarter=yyyy-Qn: per desa, per kecamatan and the kabupaten (Dukcapil and admin only)",
    query=IkmQuery,
    errors=(404,),
)
def ikm_report() -> Response:
    response = jsonify(_ikm().report(actor(), **_period()))
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/ikm/saran")
@doc(
    summary="The residents' survey comments of the period, newest first, 50 a page"
    " (?cursor= from `next`): desa and day, never the request (Dukcapil and admin only)",
    query=SaranQuery,
    errors=(404,),
)
def ikm_comments() -> Response:
    q = query(SaranQuery)
    page = _ikm().comments(
        actor(), period=q.period, quarter=q.quarter, kabupaten=q.kabupaten, cursor=q.cursor
    )
    response = jsonify(page)
    response.headers["Cache-Control"] = "private, no-store"  # residents' words
    return response


SARAN_COLUMNS = [
    Column("Tanggal", "date", 12),
    Column("Kecamatan", "text", 18),
    Column("Desa", "text", 22),
    Column("Saran atau komentar", "text", 80, wrap=True),
]


def _table(
    period: dict[str, str | None],
) -> tuple[dict[str, Any], list[Column], list[list[Any]]]:
    """The report and its table: codes, names, level and grade are text, figures numbers."""
    report = _ikm().report(actor(), **period)
    header, rows = ikm_table(report)
    columns = [Column(name, "text" if i < 3 else "number") for i, name in enumerate(header)]
    columns[-2:] = [Column(header[-2], "text"), Column(header[-1], "text")]
    return report, columns, rows


@bp.get("/ikm.csv")
@doc(
    summary="The IKM figures as CSV (';', decimal ',', UTF-8 with BOM; same parameters)",
    query=IkmQuery,
    errors=(404,),
)
def ikm_csv() -> Response:
    report, columns, rows = _table(_period())
    return download(csv_stream(columns, rows), CSV_MIMETYPE, f"ikm-{report['period']}.csv")


@bp.get("/ikm.xlsx")
@doc(
    summary="The IKM figures as XLSX (same parameters), with a 'Saran' sheet of the"
    f" period's comments, newest first, {EXPORT_COMMENTS} at most",
    query=IkmQuery,
    errors=(404,),
)
def ikm_xlsx() -> Response:
    period = _period()
    report, columns, rows = _table(period)
    comments = _ikm().all_comments(actor(), **period)
    saran = ([c["date"], c["kecamatan_name"], c["desa_name"], c["text"]] for c in comments)
    body = xlsx_bytes([Sheet("IKM", columns, rows), Sheet("Saran", SARAN_COLUMNS, saran)])
    return download(body, XLSX_TYPE, f"ikm-{report['period']}.xlsx")
