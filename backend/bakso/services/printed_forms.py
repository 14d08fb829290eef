"""The prefilled F-form of a request (#17 part 4): what the resident and witnesses sign.

A requirement such as F201 (F-2.01) is "filled" by the sections of the service's form
definition that name it (data/forms.json, docs/forms.md). This module turns the stored
request's values of those sections into a `Sheet` (labels as forms.json has them, choices
by their label) and has printed_form_pdf.py lay it out on A4. The photo of the signed
page is then taken under the same requirement.

Built from the one request only: its fields were bounded when they were judged on PUT
(repeat max, max_length), so the work never grows with anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain.catalog import Catalog
from ..domain.errors import Conflict, NotFound
from ..domain.forms import FieldDef, FormDefinition, Forms, SectionDef
from ..domain.model import Actor, Request
from ..domain.regions import Regions, kabupaten_of
from .printed_form_pdf import Block, Grid, Sheet, Signature, column_width, render_sheet
from .requests import RequestService

# The titles of the Permendagri 109/2019 forms, by the catalog's requirement code.
TITLES = {
    "F101": "FORMULIR BIODATA KELUARGA",
    "F102": "FORMULIR PENDAFTARAN PERISTIWA KEPENDUDUKAN",
    "F103": "FORMULIR PENDAFTARAN PERPINDAHAN PENDUDUK",
    "F201": "FORMULIR PELAPORAN PENCATATAN SIPIL DI DALAM WILAYAH NKRI",
}
# Who signs each form besides the kepala desa/lurah's "Mengetahui" (always printed: the
# desa's own acknowledgement, left blank when the paper form does not need it). A name is
# taken from the first `section.field` of the list that holds one (for witnesses, the
# n-th item of the repeating section), else the applicant's.
SIGNERS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "F201": (
        ("Pelapor", ("reporter.name",)),
        ("Saksi I", ("witnesses[0].name",)),
        ("Saksi II", ("witnesses[1].name",)),
    ),
    "F101": (("Pemohon / Kepala Keluarga", ("family.head_name",)),),
    "F103": (("Pemohon", ()),),
}
DEFAULT_SIGNERS: tuple[tuple[str, tuple[str, ...]], ...] = (("Pemohon", ()),)
# A repeating group of at most this many items is printed as labelled blocks ("Saksi I");
# a longer one (family members) as a table.
BLOCK_ITEMS = 3
ROMAN = ("I", "II", "III")
_CODE = re.compile(r"F(\d)(\d\d)")


@dataclass(frozen=True)
class PrintedForm:
    filename: str
    pdf: bytes


def form_code(requirement: str) -> str:
    """The form's printed number: F201 → "F-2.01"."""
    match = _CODE.fullmatch(requirement)
    return f"F-{match[1]}.{match[2]}" if match else requirement


def filled_by(definition: FormDefinition, requirement: str) -> list[SectionDef]:
    """The sections holding the data of `requirement`: the section fills it, or some of
    its fields do (then only those fields)."""
    sections: list[SectionDef] = []
    for section in definition.sections:
        if section.fills == requirement:
            sections.append(section)
            continue
        fields = tuple(f for f in section.fields if f.fills == requirement)
        if fields:
            sections.append(SectionDef(section.key, section.label, fields, None, section.repeat))
    return sections


class PrintedFormService:
    def __init__(
        self, requests: RequestService, forms: Forms, catalog: Catalog, regions: Regions
    ) -> None:
        self.requests = requests
        self.forms = forms
        self.catalog = catalog
        self.regions = regions

    def render(self, actor: Actor, request_id: str, requirement: str) -> PrintedForm:
        """The prefilled A4 PDF; NotFound for a request the actor may not see or a
        requirement no section fills, Conflict while none of its values is stored."""
        request = self.requests.get(actor, request_id)
        definition = self.forms.get(request.service)
        sections = filled_by(definition, requirement) if definition else []
        if definition is None or not sections:
            raise NotFound(f"Formulir {requirement} tidak tersedia untuk layanan ini.")
        if request.purged_at:
            raise NotFound("Isian permohonan ini sudah dihapus setelah masa simpan.")
        if not any(_has_values(request.fields.get(s.key)) for s in sections):
            raise Conflict(
                "Isi formulir terlebih dahulu: simpan isian permohonan ini, lalu cetak "
                f"formulir {form_code(requirement)}."
            )
        pdf = render_sheet(self._sheet(request, definition, sections, requirement))
        return PrintedForm(f"{request.code}-{requirement}.pdf", pdf)

    def _name(self, code: str) -> str:
        region = self.regions.get(code)
        return region.name if region else ""

    def _sheet(
        self,
        request: Request,
        definition: FormDefinition,
        sections: list[SectionDef],
        requirement: str,
    ) -> Sheet:
        service = self.catalog.catalog_for(kabupaten_of(request.desa)).get(request.service)
        needed = service.requirement(requirement) if service else None
        codes = {
            "Kabupaten/Kota": kabupaten_of(request.desa),
            "Kecamatan": self.regions.kecamatan_of(request.desa),
            "Desa/Kelurahan": request.desa,
        }
        places = [(level, f"{self._name(code)} ({code})") for level, code in codes.items()]
        parts: list[Block | Grid] = []
        for section in sections:
            parts.extend(_parts(section, request.fields.get(section.key)))
        return Sheet(
            form_code=form_code(requirement),
            title=TITLES.get(requirement, f"FORMULIR {definition.form}".upper()),
            subtitle=service.label if service else request.service,
            request_code=request.code,
            places=places,
            parts=parts,
            signatures=_signatures(request, requirement),
            desa_name=self._name(request.desa),
            requirement_label=needed.label if needed else requirement,
        )


def _has_values(stored: Any) -> bool:
    if isinstance(stored, list):
        return any(_has_values(item) for item in stored)
    if isinstance(stored, dict):
        return any(v not in (None, "") for v in stored.values())
    return False


def shown(field: FieldDef, value: Any) -> str:
    """A stored value as the paper form writes it: a choice's label, dates day-first."""
    if value is None or value == "":
        return ""
    if field.type == "choice":
        return next((c.label for c in field.choices if c.value == value), str(value))
    if field.type == "boolean":
        return "Ya" if value is True else "Tidak" if value is False else str(value)
    if field.type == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        year, month, day = value.split("-")
        return f"{day}-{month}-{year}"
    if field.type == "number" and isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _values(section: SectionDef, item: Any) -> list[str]:
    values = item if isinstance(item, dict) else {}
    return [shown(f, values.get(f.key)) for f in section.fields]


def _parts(section: SectionDef, stored: Any) -> list[Block | Grid]:
    labels = [f.label for f in section.fields]
    if section.repeat is None:
        return [Block(section.label, list(zip(labels, _values(section, stored), strict=True)))]
    items = stored if isinstance(stored, list) else []
    if section.repeat[1] <= BLOCK_ITEMS:
        # As many blocks as the group may hold, blank ones for writing by hand.
        count = max(len(items), section.repeat[1])
        blocks: list[Block | Grid] = []
        for i in range(count):
            values = _values(section, items[i] if i < len(items) else {})
            number = ROMAN[i] if i < len(ROMAN) else str(i + 1)
            blocks.append(
                Block(f"{section.label} {number}", list(zip(labels, values, strict=True)))
            )
        return blocks
    columns = [
        (f.label, column_width(f.type, max((len(c.label) for c in f.choices), default=0)))
        for f in section.fields
    ]
    return [Grid(section.label, columns, [_values(section, item) for item in items])]


def _lookup(fields: dict[str, Any], path: str) -> str:
    match = re.fullmatch(r"([a-z0-9_]+)(?:\[(\d+)\])?\.([a-z0-9_]+)", path)
    if match is None:
        return ""
    stored = fields.get(match[1])
    if match[2] is not None:
        index = int(match[2])
        stored = stored[index] if isinstance(stored, list) and index < len(stored) else None
    value = stored.get(match[3]) if isinstance(stored, dict) else None
    return value if isinstance(value, str) else ""


def _signatures(request: Request, requirement: str) -> list[Signature]:
    signers = SIGNERS.get(requirement, DEFAULT_SIGNERS)
    applicant = str(request.applicant.get("name") or "")
    signatures = []
    for role, paths in signers:
        found = next((n for n in (_lookup(request.fields, p) for p in paths) if n), "")
        # A witness is never the applicant by default; the pelapor/pemohon may be.
        fallback = "" if role.startswith("Saksi") else applicant
        signatures.append(Signature(role, found or fallback))
    return signatures
