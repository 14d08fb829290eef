"""What a resident may see about their request: status, next step, a masked name. Nothing else.

UU PDP 27/2022: the public page shows no NIK, KK, phone, address, birth date
or full name, so the view is built from an allow-list, never by hiding fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lifecycle import LABELS, Status
from .localtime import local, zone_label
from .model import Event, Request, mask_name
from .resident_download import event_label, is_move

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def indonesian_date(iso: str, *, with_time: bool = True) -> str:
    """'2026-11-27T06:05:00+00:00' → '27 November 2026, 14.05 WITA'."""
    moment = local(iso)
    text = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{text}, {moment:%H.%M} {zone_label(moment)}" if with_time else text


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    at: str  # ISO
    at_text: str  # for people, in WITA


@dataclass(frozen=True)
class ResidentStatus:
    code: str
    service: str
    service_label: str
    desa: str
    desa_name: str
    name_masked: str
    status: str
    status_label: str
    headline: str
    next_step: str
    timeline: list[TimelineStep]
    free_notice: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "service": self.service,
            "service_label": self.service_label,
            "desa": self.desa,
            "desa_name": self.desa_name,
            "name_masked": self.name_masked,
            "status": self.status,
            "status_label": self.status_label,
            "headline": self.headline,
            "next_step": self.next_step,
            "timeline": [{"status": t.status, "label": t.label, "at": t.at} for t in self.timeline],
            "free_notice": self.free_notice,
        }


class StatusTexts:
    def __init__(self, data: dict[str, Any]) -> None:
        self.free_notice: str = data["free_notice"]
        self.report_intro: str = data["report_intro"]
        self._statuses: dict[str, dict[str, str]] = data["statuses"]
        self._referral_statuses: dict[str, dict[str, str]] = data.get("referral_statuses", {})
        # A card (KTP-el, KIA) is collected at Dukcapil/UPT, not the desa (as its SMS says).
        self._card_statuses: dict[str, dict[str, str]] = data.get("card_statuses", {})

    @classmethod
    def from_json(cls, path: Path) -> StatusTexts:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def build(
        self,
        request: Request,
        events: list[Event],
        *,
        service_label: str,
        desa_name: str,
        needs_referral: bool,
        card: bool = False,
    ) -> ResidentStatus:
        texts = self._statuses[request.status.value]
        if card:
            texts = self._card_statuses.get(request.status.value, texts)
        if needs_referral:
            texts = self._referral_statuses.get(request.status.value, texts)
        # The reason shown is the one Dukcapil gave when moving to this status.
        last = next(
            (e for e in reversed(events) if e.to_status is request.status and is_move(e)), None
        )
        values = {
            "desa_name": desa_name,
            # The texts end the sentence themselves: "…: {note}. Datanglah…".
            "note": (last.note.strip().rstrip(".") if last else "") or "-",
            "date": indonesian_date(request.status_since, with_time=False),
        }
        return ResidentStatus(
            code=request.code,
            service=request.service,
            service_label=service_label,
            desa=request.desa,
            desa_name=desa_name,
            name_masked=mask_name(str(request.applicant.get("name", ""))),
            status=request.status.value,
            status_label=LABELS[request.status],
            headline=texts["headline"],
            next_step=texts["next_step"].format(**values),
            timeline=[
                TimelineStep(e.to_status.value, event_label(e), e.at, indonesian_date(e.at))
                for e in events
                if e.to_status is not Status.DRAF
            ],
            free_notice=self.free_notice,
        )
