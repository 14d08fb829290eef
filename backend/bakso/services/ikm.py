"""The IKM survey (PermenPANRB 14/2017, docs/ikm.md): the resident's one answer per
request from the status page, and Dukcapil's figures per desa, kecamatan and kabupaten,
read from the desa-month tallies only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain import localtime
from ..domain.actors import Actor
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.ikm import ELEMENTS, InvalidAnswer, Tally, months_of, parse_answer, pooled, score
from ..domain.lifecycle import Role, Status
from ..domain.paging import decode_position, encode_position
from ..domain.regions import Regions
from ..domain.resident_download import DOWNLOAD_ACTION
from ..domain.tenants import Tenants
from ..ports import Records
from ..ports.ikm import AlreadyAnswered, IkmAnswer, IkmComment, IkmStore
from .status import TOKEN_SHAPE

log = logging.getLogger(__name__)

ALREADY = "Survei untuk permohonan ini sudah diisi. Terima kasih atas penilaian Anda."
NOT_YET = (
    "Survei dapat diisi setelah dokumen Anda terima (diserahkan di kantor desa atau diunduh"
    " dengan PIN), atau bila permohonan ditolak."
)
NOT_FOUND = "Permohonan tidak ditemukan. Periksa kembali tautan dari kantor desa."
INVITING = frozenset({Status.DISERAHKAN, Status.DITOLAK})
COMMENT_PAGE = 50  # comments per page on Dukcapil's screen
EXPORT_COMMENTS = 2000  # the XLSX's "Saran" sheet: at most 1 MB of comments (500 letters each)
BAD_CURSOR = "Parameter cursor tidak dikenal; muat ulang daftar saran."


@dataclass(frozen=True)
class Survey:
    request_id: str
    desa: str
    open: bool  # may be answered now
    answered: bool


class IkmService:
    def __init__(
        self,
        store: IkmStore,
        records: Records,
        tenants: Tenants,
        regions: Regions,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.records = records
        self.tenants = tenants
        self.regions = regions
        self.clock = clock

    def survey(self, token: str) -> Survey:
        """Whether the request behind a status token is invited to answer; NotFound else."""
        request = self.records.get_request_by_token(token) if TOKEN_SHAPE.match(token) else None
        if request is None or request.token is None:
            raise NotFound(NOT_FOUND)
        answered = self.store.answered(request.id)
        invited = request.status in INVITING or any(
            event.action == DOWNLOAD_ACTION for event in self.records.timeline(request.id)
        )
        return Survey(request.id, request.desa, invited and not answered, answered)

    def answer(self, token: str, form: dict[str, str]) -> None:
        """Store the resident's answer: Conflict if answered already or not yet open,
        InvalidInput (the form's message) if a question is unanswered."""
        survey = self.survey(token)
        if survey.answered:
            raise Conflict(ALREADY)
        if not survey.open:
            raise Conflict(NOT_YET)
        try:
            scores, comment = parse_answer(form)
        except InvalidAnswer as exc:
            raise InvalidInput(str(exc)) from None
        now = self.clock()
        zone = self.tenants.of_desa(survey.desa).timezone
        day = now.astimezone(localtime.zone_named(zone)).date().isoformat()
        answer = IkmAnswer(
            survey.request_id, survey.desa, day[:7], scores, comment, now.isoformat(), day
        )
        try:
            self.store.add_answer(answer)
        except AlreadyAnswered:
            raise Conflict(ALREADY) from None
        log.info("ikm: answer stored for a request of desa %s", survey.desa)

    def forget(self, request_id: str) -> None:
        """Retention: the comment goes with the request; the scores stay in the tallies."""
        self.store.erase_comment(request_id)

    def _own(self, actor: Actor, kabupaten: str | None) -> str:
        if actor.role not in (Role.DUKCAPIL, Role.ADMIN, Role.SYSTEM):
            raise Forbidden("Hanya petugas Dukcapil yang melihat hasil survei IKM.")
        own = actor.kabupaten or self.tenants.default.code
        if kabupaten and kabupaten != own:
            raise NotFound("Wilayah tidak ditemukan.")
        return own

    def comments(
        self,
        actor: Actor,
        *,
        period: str | None,
        quarter: str | None,
        kabupaten: str | None = None,
        cursor: str | None = None,
        limit: int = COMMENT_PAGE,
    ) -> dict[str, Any]:
        """The residents' comments of the period, newest first, a page at a time: the desa
        and the day, never the request (the survey is anonymous to Dukcapil)."""
        own = self._own(actor, kabupaten)
        label, months = _months(period, quarter)
        newest_first = sorted(months, reverse=True)
        start, after = newest_first[0], None
        if cursor is not None:
            try:
                start, position = decode_position(cursor)
            except InvalidInput:
                raise InvalidInput(BAD_CURSOR) from None
            after = position or None
            if start not in newest_first:
                raise InvalidInput(BAD_CURSOR)
        items: list[IkmComment] = []
        next_cursor = None
        for month in newest_first[newest_first.index(start) :]:
            try:
                page = self.store.comments(own, month, limit=limit - len(items), after=after)
            except ValueError:
                raise InvalidInput(BAD_CURSOR) from None
            items += page.items
            after = None
            if page.next is not None:
                next_cursor = encode_position(month, page.next)
                break
            if len(items) == limit:  # the month is done; the next page starts with the next
                later = newest_first.index(month) + 1
                if later < len(newest_first):
                    next_cursor = encode_position(newest_first[later], "")
                break
        return {
            "period": label,
            "items": [self._comment_line(c) for c in items],
            "next": next_cursor,
        }

    def all_comments(
        self, actor: Actor, *, period: str | None, quarter: str | None, kabupaten: str | None
    ) -> Iterator[dict[str, Any]]:
        """Up to EXPORT_COMMENTS of the period's comments, newest first (the XLSX)."""
        cursor, given = None, 0
        while given < EXPORT_COMMENTS:
            page = self.comments(
                actor,
                period=period,
                quarter=quarter,
                kabupaten=kabupaten,
                cursor=cursor,
                limit=min(500, EXPORT_COMMENTS - given),
            )
            yield from page["items"]
            given += len(page["items"])
            cursor = page["next"]
            if cursor is None:
                return

    def _comment_line(self, comment: IkmComment) -> dict[str, Any]:
        desa = self.regions.get(comment.desa)
        kecamatan = self.regions.get(self.regions.kecamatan_of(comment.desa))
        return {
            "date": comment.day,
            "desa": comment.desa,
            "desa_name": desa.name if desa else comment.desa,
            "kecamatan_name": kecamatan.name if kecamatan else "",
            "text": comment.text,
        }

    def report(
        self,
        actor: Actor,
        *,
        period: str | None,
        quarter: str | None,
        kabupaten: str | None = None,
    ) -> dict[str, Any]:
        """Figures of the actor's kabupaten for a month or a quarter (pooled months)."""
        own = self._own(actor, kabupaten)
        label, months = _months(period, quarter)
        per_desa: dict[str, Tally] = {}
        for month in months:  # one bounded read per kabupaten-month
            for desa, tally in self.store.tallies(own, month).items():
                per_desa[desa] = per_desa.get(desa, Tally.empty()).plus(tally)
        desa_lines, kecamatan_lines = [], []
        by_kecamatan: dict[str, list[Any]] = {}
        for desa_region in self.regions.desa(own):
            by_kecamatan.setdefault(desa_region.parent or "", []).append(desa_region)
        for kecamatan in self.regions.kecamatan(own):
            codes = []
            for desa_region in by_kecamatan.get(kecamatan.code, []):
                codes.append(desa_region.code)
                line = _line(desa_region.code, desa_region.name, per_desa.get(desa_region.code))
                desa_lines.append({**line, "kecamatan": kecamatan.code})
            tally = pooled([per_desa[c] for c in codes if c in per_desa])
            kecamatan_lines.append(_line(kecamatan.code, kecamatan.name, tally))
        region = self.regions.get(own)
        total = _line(own, region.name if region else own, pooled(list(per_desa.values())))
        return {
            "period": label,
            "months": months,
            "elements": [{"code": e.code, "name": e.name} for e in ELEMENTS],
            "kabupaten": total,
            "kecamatan": kecamatan_lines,
            "desa": desa_lines,
        }


def _months(period: str | None, quarter: str | None) -> tuple[str, list[str]]:
    try:
        return months_of(period, quarter)
    except InvalidAnswer as exc:
        raise InvalidInput(str(exc)) from None


def _line(code: str, name: str, tally: Tally | None) -> dict[str, Any]:
    result = score(tally or Tally.empty())
    return {
        "code": code,
        "name": name,
        "respondents": result.respondents,
        "nrr": [float(v) for v in result.nrr] if result.respondents else [None] * len(ELEMENTS),
        "ikm": float(result.ikm) if result.ikm is not None else None,
        "ikm_konversi": float(result.konversi) if result.konversi is not None else None,
        "grade": result.grade.letter if result.grade else None,
        "grade_label": result.grade.label if result.grade else None,
    }


def ikm_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The export: one line per kabupaten, kecamatan and desa; figures as numbers."""
    header = [
        "Kode wilayah",
        "Nama wilayah",
        "Tingkat",
        "Jumlah responden",
        *[f"NRR {e.code} {e.name}" for e in ELEMENTS],
        "IKM (1-4)",
        "IKM konversi (25-100)",
        "Mutu pelayanan",
        "Kinerja unit pelayanan",
    ]

    def row(line: dict[str, Any], level: str) -> list[Any]:
        return [
            line["code"],
            line["name"],
            level,
            line["respondents"],
            *line["nrr"],
            line["ikm"],
            line["ikm_konversi"],
            line["grade"],
            line["grade_label"],
        ]

    rows = [row(report["kabupaten"], "kabupaten")]
    rows += [row(line, "kecamatan") for line in report["kecamatan"]]
    rows += [row(line, "desa") for line in report["desa"]]
    return header, rows
