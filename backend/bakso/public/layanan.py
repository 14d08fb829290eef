"""/layanan: service times in the open (#19, docs/service-times.md).

Public, no login, no script, nothing personal: per desa of a served kabupaten, the requests
served in the last 90 days and the median and 90th-percentile days from DIAJUKAN to
SELESAI and to DISERAHKAN (ServiceTimeService, from its histograms and in-memory cache),
and the IKM grade of the last full quarter. Shared caches may keep it five minutes.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from flask import Response, current_app, render_template

from ..domain.errors import NotFound
from ..domain.resident import indonesian_date
from ..services.service_times import KabupatenTimes, ServiceTimeService
from . import CSS, bp
from .kabupaten_texts import kabupaten_context

TABLE_CSS = (Path(__file__).parent / "templates" / "_layanan.css").read_text("utf-8").strip()
PAGE_CSS = f"{CSS}{TABLE_CSS}"
PAGE_CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(PAGE_CSS.encode()).digest()).decode()
    + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CACHE = "public, max-age=300"  # the figures themselves are recomputed every 5 minutes


def _service() -> ServiceTimeService:
    service: ServiceTimeService | None = current_app.extensions["bakso"].service_times
    if service is None:
        raise NotFound("Halaman waktu layanan tidak tersedia.")
    return service


def _render(template: str, status: int = 200, **context: object) -> Response:
    svc = current_app.extensions["bakso"]
    html = render_template(
        template,
        css=PAGE_CSS,
        free_notice=svc.status.texts.free_notice,
        report_intro=svc.status.texts.report_intro,
        **kabupaten_context(svc.tenants, None),
        **context,
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = CACHE if status == 200 else "no-store"
    return response


@bp.get("/layanan")
def layanan_index() -> Response:
    service = _service()
    served = service.served()
    if len(served) == 1:
        return _table(service.kabupaten(served[0].code))
    return _render("layanan_index.html", served=served)


@bp.get("/layanan/<kode>")
def layanan_kabupaten(kode: str) -> Response:
    try:
        times = _service().kabupaten(kode[:16])
    except NotFound as exc:
        return _render("layanan_index.html", 404, served=_service().served(), error=exc.detail)
    return _table(times)


def _table(times: KabupatenTimes) -> Response:
    return _render(
        "layanan.html",
        t=times,
        first=indonesian_date(times.first_day.isoformat(), with_time=False),
        last=indonesian_date(times.last_day.isoformat(), with_time=False),
        ikm_quarter=quarter_words(times.ikm_quarter),
    )


_QUARTER_MONTHS = ("Januari–Maret", "April–Juni", "Juli–September", "Oktober–Desember")


def quarter_words(quarter: str) -> str:
    """ "2026-Q3" as a resident reads it: "Juli–September 2026"."""
    year, _, number = quarter.partition("-Q")
    return f"{_QUARTER_MONTHS[int(number) - 1]} {year}"
