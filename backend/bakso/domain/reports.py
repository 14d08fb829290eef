"""A resident's report of a demand for money or a hard time (#19, docs/reports.md).

Tied to the request it is about (so the overseer can check it), read only by the
kabupaten's `pengawas`. Its free text, who was named and the contact are personal data:
erased with the request (services/retention.py), the skeleton (ids, status) stays.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from .errors import Conflict, InvalidInput

TEXT_MAX = 1000
BY_WHOM_MAX = 200
NOTE_MAX = 1000
CONTACT_MAX = 100
AMOUNT_MAX = 1_000_000_000  # Rupiah; a bigger number is a typo
# Per request: a resident may report again (another visit), not flood the overseer.
PER_DAY = 3
PER_REQUEST = 10
_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{6,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,200}\.[^@\s]{2,}$")


class ReportKind(StrEnum):
    DIMINTA_MEMBAYAR = "diminta_membayar"
    DIPERSULIT = "dipersulit"
    LAINNYA = "lainnya"


KIND_LABELS = {
    ReportKind.DIMINTA_MEMBAYAR: "Diminta membayar",
    ReportKind.DIPERSULIT: "Dipersulit",
    ReportKind.LAINNYA: "Lainnya",
}


class ReportStatus(StrEnum):
    DITERIMA = "diterima"
    DITINDAKLANJUTI = "ditindaklanjuti"
    SELESAI = "selesai"


STATUS_LABELS = {
    ReportStatus.DITERIMA: "diterima",
    ReportStatus.DITINDAKLANJUTI: "ditindaklanjuti",
    ReportStatus.SELESAI: "selesai",
}
# Forward only: a closed report stays closed (a new one can be made).
_NEXT = {
    ReportStatus.DITERIMA: {
        ReportStatus.DITERIMA,
        ReportStatus.DITINDAKLANJUTI,
        ReportStatus.SELESAI,
    },
    ReportStatus.DITINDAKLANJUTI: {ReportStatus.DITINDAKLANJUTI, ReportStatus.SELESAI},
    ReportStatus.SELESAI: set(),
}


@dataclass(frozen=True)
class FollowUp:
    at: str
    by: str
    note: str
    status: ReportStatus

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "by": self.by, "note": self.note, "status": self.status.value}

    @staticmethod
    def from_json(data: dict[str, Any]) -> FollowUp:
        return FollowUp(data["at"], data["by"], data["note"], ReportStatus(data["status"]))


@dataclass(frozen=True)
class Report:
    id: str  # also the number the resident is given, e.g. "LPR-7K2M9QXA"
    request_id: str
    desa: str
    kabupaten: str
    service: str
    kind: ReportKind
    text: str
    amount: int | None
    happened_on: str | None  # yyyy-mm-dd
    by_whom: str
    contact: str
    status: ReportStatus
    created_at: str
    followups: tuple[FollowUp, ...] = ()
    version: int = 1
    erased_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "request_id": self.request_id,
            "desa": self.desa,
            "kabupaten": self.kabupaten,
            "service": self.service,
            "kind": self.kind.value,
            "text": self.text,
            "amount": self.amount,
            "happened_on": self.happened_on,
            "by_whom": self.by_whom,
            "contact": self.contact,
            "status": self.status.value,
            "created_at": self.created_at,
            "followups": [f.to_json() for f in self.followups],
            "version": self.version,
            "erased_at": self.erased_at,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Report:
        return Report(
            id=data["id"],
            request_id=data["request_id"],
            desa=data["desa"],
            kabupaten=data["kabupaten"],
            service=data["service"],
            kind=ReportKind(data["kind"]),
            text=data["text"],
            amount=data.get("amount"),
            happened_on=data.get("happened_on"),
            by_whom=data.get("by_whom", ""),
            contact=data.get("contact", ""),
            status=ReportStatus(data["status"]),
            created_at=data["created_at"],
            followups=tuple(FollowUp.from_json(f) for f in data.get("followups", [])),
            version=int(data.get("version", 1)),
            erased_at=data.get("erased_at"),
        )


def new_report_id() -> str:
    return "LPR-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))


def new_form_id() -> str:
    return secrets.token_urlsafe(18)


def checked_form_id(value: str) -> str:
    if not _FORM_ID.match(value or ""):
        raise InvalidInput("Formulir tidak lengkap; muat ulang halaman lalu kirim lagi.")
    return value


@dataclass(frozen=True)
class ReportInput:
    kind: ReportKind
    text: str
    amount: int | None
    happened_on: str | None
    by_whom: str
    contact: str


def checked_input(
    kind: str, text: str, amount: str, happened_on: str, by_whom: str, contact: str
) -> ReportInput:
    """The resident's form, or InvalidInput with an Indonesian reason."""
    try:
        parsed_kind = ReportKind(kind)
    except ValueError:
        raise InvalidInput("Pilih apa yang terjadi.") from None
    text = _clean(text)
    if not text:
        raise InvalidInput("Ceritakan apa yang terjadi.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"Cerita paling banyak {TEXT_MAX} huruf.")
    digits = amount.strip().replace(".", "").replace(" ", "")
    if digits.lower().startswith("rp"):
        digits = digits[2:]
    parsed_amount: int | None = None
    if digits:
        if not digits.isdigit() or int(digits) > AMOUNT_MAX:
            raise InvalidInput("Jumlah uang ditulis dengan angka saja, mis. 50000.")
        parsed_amount = int(digits)
    day: str | None = None
    if happened_on.strip():
        try:
            day = date.fromisoformat(happened_on.strip()).isoformat()
        except ValueError:
            raise InvalidInput("Tanggal tidak dapat dibaca (tttt-bb-hh).") from None
    by_whom = _clean(by_whom)
    if len(by_whom) > BY_WHOM_MAX:
        raise InvalidInput(f"Nama/jabatan paling banyak {BY_WHOM_MAX} huruf.")
    contact = contact.strip()
    if contact and (
        len(contact) > CONTACT_MAX or not (_PHONE.match(contact) or _EMAIL.match(contact))
    ):
        raise InvalidInput("Kontak berupa nomor HP atau alamat email, atau dikosongkan.")
    return ReportInput(parsed_kind, text, parsed_amount, day, by_whom, contact)


def _clean(value: str) -> str:
    # Control characters (but line breaks) have no place in a story read on a screen.
    kept = "".join(c for c in value if c in "\n\t" or c.isprintable())
    return kept.replace("\r", "").strip()


def followed_up(report: Report, at: str, by: str, note: str, status: ReportStatus | None) -> Report:
    """The report with one follow-up appended; closing needs a note."""
    note = _clean(note)
    target = status or report.status
    if not _NEXT[report.status]:
        raise Conflict(
            "Laporan sudah selesai; tidak dapat ditambah tindak lanjut.",
            status_now=report.status.value,
        )
    if target not in _NEXT[report.status]:
        raise Conflict(
            f"Laporan berstatus {STATUS_LABELS[report.status]} tidak dapat menjadi "
            f"{STATUS_LABELS[target]}.",
            status_now=report.status.value,
        )
    if not note:
        raise InvalidInput("Catatan tindak lanjut wajib diisi.")
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"Catatan paling banyak {NOTE_MAX} huruf.")
    entry = FollowUp(at, by, note, target)
    return replace(
        report, status=target, followups=(*report.followups, entry), version=report.version + 1
    )


def erased_report(report: Report, at: str) -> Report:
    """What stays of a report once its request's personal data is gone: ids and status."""
    return replace(
        report,
        text="",
        by_whom="",
        contact="",
        amount=None,
        happened_on=None,
        followups=tuple(replace(f, note="") for f in report.followups),
        version=report.version + 1,
        erased_at=at,
    )
