"""The IKM survey for residents (docs/ikm.md): `/cek/<token>/survei`, a plain HTML form.

Script-free like the status page (same CSP, no-store, noindex: security_headers treats
every `/cek/…` path as the resident's). The status page shows the invitation through
`ikm_survey(token)`, a template helper, so the page's view stays as it is.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ikm import COMMENT_MAX, ELEMENTS
from ..services.ikm import ALREADY, NOT_YET, IkmService, Survey
from . import _page, bp


def _ikm() -> IkmService:
    ikm: IkmService | None = current_app.extensions["bakso"].ikm
    assert ikm is not None
    return ikm


@bp.app_context_processor
def _survey_helper() -> dict[str, Any]:
    def ikm_survey(token: str) -> Survey | None:
        try:
            return _ikm().survey(token)
        except NotFound:
            return None

    return {"ikm_survey": ikm_survey}


def _kabupaten(survey: Survey) -> Any:
    return current_app.extensions["bakso"].tenants.of_desa(survey.desa)


def _form(token: str, survey: Survey, status: int = 200, error: str | None = None) -> Response:
    chosen = {e.code.lower(): request.form.get(e.code.lower(), "") for e in ELEMENTS}
    return _page(
        "ikm_form.html",
        status,
        kabupaten=_kabupaten(survey),
        token=token,
        elements=ELEMENTS,
        chosen=chosen if request.method == "POST" else {},
        comment=request.form.get("komentar", "")[:COMMENT_MAX] if request.method == "POST" else "",
        comment_max=COMMENT_MAX,
        error=error,
    )


def _message(token: str, survey: Survey, status: int, title: str, detail: str) -> Response:
    return _page(
        "ikm_done.html",
        status,
        kabupaten=_kabupaten(survey),
        token=token,
        title=title,
        detail=detail,
    )


@bp.get("/cek/<token>/survei")
def survey_form(token: str) -> Response:
    try:
        survey = _ikm().survey(token)
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)
    if survey.answered:
        return _message(token, survey, 409, "Survei sudah diisi", ALREADY)
    if not survey.open:
        return _message(token, survey, 409, "Survei belum dibuka", NOT_YET)
    return _form(token, survey)


@bp.post("/cek/<token>/survei")
def survey_answer(token: str) -> Response:
    ikm = _ikm()
    try:
        survey = ikm.survey(token)
    except NotFound as exc:
        return _page("cek_missing.html", 404, detail=exc.detail)
    form = {key: request.form.get(key, "")[: COMMENT_MAX + 1] for key in request.form}
    try:
        ikm.answer(token, form)
    except InvalidInput as exc:
        return _form(token, survey, 422, exc.detail)
    except Conflict as exc:
        title = "Survei sudah diisi" if exc.detail == ALREADY else "Survei belum dibuka"
        return _message(token, survey, 409, title, exc.detail)
    return _message(
        token,
        survey,
        200,
        "Terima kasih",
        "Penilaian Anda sudah kami terima. Jawaban Anda tidak ditunjukkan kepada kantor desa.",
    )
