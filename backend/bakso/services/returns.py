"""Bulk return: Dukcapil uploads a CSV of results (and a zip of issued PDFs) in one go.

Every row is reported — applied, unchanged, or refused with the reason — and
nothing is skipped silently. Applying the same file twice changes nothing
more: a row whose status is already reached is "unchanged".
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from ..domain.errors import BaksoError, Forbidden, InvalidInput
from ..domain.lifecycle import Role, Status
from ..domain.model import Actor
from ..ports import Records
from .requests import RequestService

MAX_ROWS = 5000
COLUMN_NAMES = {
    "code": ("kode", "code"),
    "status": ("status",),
    "note": ("catatan", "note", "alasan"),
}


@dataclass(frozen=True)
class RowReport:
    row: int  # line number in the CSV, header = 1
    code: str
    outcome: str  # applied | unchanged | refused
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "code": self.code, "outcome": self.outcome, "detail": self.detail}


def _columns(header: list[str]) -> dict[str, int]:
    normalised = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for field, names in COLUMN_NAMES.items():
        index = next((normalised.index(n) for n in names if n in normalised), None)
        if index is None and field != "note":
            raise InvalidInput(f"Kolom '{names[0]}' tidak ada di baris judul CSV.")
        if index is not None:
            found[field] = index
    return found


def _pdfs(archive: bytes | None) -> dict[str, bytes]:
    """Issued PDFs by request code (file name without folder or extension)."""
    if not archive:
        return {}
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            return {
                name.rsplit("/", 1)[-1][: -len(".pdf")].upper(): zf.read(name)
                for name in zf.namelist()
                if name.lower().endswith(".pdf") and not name.endswith("/")
            }
    except zipfile.BadZipFile:
        raise InvalidInput("Berkas zip dokumen terbit rusak atau bukan zip.") from None


class ReturnService:
    def __init__(self, records: Records, requests: RequestService) -> None:
        self.records = records
        self.requests = requests

    def apply(self, actor: Actor, table: bytes, archive: bytes | None) -> list[RowReport]:
        if actor.role not in (Role.DUKCAPIL, Role.ADMIN):
            raise Forbidden("Hanya petugas Dukcapil yang dapat mengembalikan hasil.")
        try:
            text = table.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("CSV harus berkodekan UTF-8.") from None
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise InvalidInput("CSV kosong.")
        if len(rows) - 1 > MAX_ROWS:
            raise InvalidInput(f"Paling banyak {MAX_ROWS} baris per berkas.")
        columns = _columns(rows[0])
        pdfs = _pdfs(archive)
        seen: set[str] = set()
        reports = []
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            reports.append(self._apply_row(actor, line, row, columns, pdfs, seen))
        for code in sorted(set(pdfs) - seen):
            reports.append(RowReport(0, code, "refused", "PDF tanpa baris di CSV; tidak dipakai."))
        return reports

    def _apply_row(
        self,
        actor: Actor,
        line: int,
        row: list[str],
        columns: dict[str, int],
        pdfs: dict[str, bytes],
        seen: set[str],
    ) -> RowReport:
        def cell(field: str) -> str:
            index = columns.get(field)
            return row[index].strip() if index is not None and index < len(row) else ""

        code = cell("code").upper()
        if code in seen:
            return RowReport(line, code, "refused", "Kode muncul lebih dari sekali di berkas ini.")
        seen.add(code)
        request = self.records.get_request_by_code(code) if code else None
        if request is None:
            return RowReport(line, code, "refused", "Kode permohonan tidak dikenal.")
        try:
            target = Status(cell("status").upper())
        except ValueError:
            return RowReport(line, code, "refused", f"Status '{cell('status')}' tidak dikenal.")
        pdf = pdfs.get(code)
        try:
            if pdf is not None and target is Status.SELESAI:
                request = self.requests.attach_issued_bytes(actor, request, pdf)
            if request.status is target:
                return RowReport(
                    line, code, "unchanged", "Status sudah sesuai; tidak ada perubahan."
                )
            self.requests.transition(
                actor, request.id, to=target.value, note=cell("note"), version=request.version
            )
        except BaksoError as exc:
            return RowReport(line, code, "refused", exc.detail)
        return RowReport(line, code, "applied", f"Status menjadi {target.value}.")
