"""A volume's manifest: the request rows and, per repeating group, a row per item.

manifest.json carries every field of each request (labelled, raw values kept);
manifest.csv and the first sheet of manifest.xlsx are one row per request with the
single-valued sections' fields as columns; each repeating group (family members,
witnesses) gets its own CSV and sheet, a row per item keyed by the request's code and
item number. The field columns are the union over the services present in the volume,
in catalog order, a column per distinct "<section label> — <field label>" (docs/batches.md).

Rows are produced as they are written (generators over the volume's requests, which the
pack step already holds), so the extra memory is one request's labelled fields at a time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.catalog import Catalog
from ..domain.forms import Forms
from . import form_view
from .spreadsheets import Column, time_header

CODE = "Kode permohonan"
# Names a group's file may not take: the volume's own files.
RESERVED = frozenset({"manifest", "sha256sums"})


def manifest_columns() -> list[Column]:
    """The manifest's columns, for people (docs/batches.md): identity numbers are text."""
    return [
        Column(CODE, width=16),
        Column("Layanan", width=30),
        Column("Desa", width=20),
        Column("Kecamatan", width=16),
        Column("NIK pemohon", width=20),
        Column("Nama pemohon", width=28),
        Column("No. KK", width=20),
        Column("No. HP", width=16),
        Column("Alamat", width=40),
        Column("Nama subjek", width=28),
        Column("NIK subjek", width=20),
        Column("Tanggal lahir subjek", "date", width=14),
        Column(time_header("Diajukan"), "time", width=18),
        Column("Jemput bola", width=12),
        Column("Jumlah berkas", "number", width=10),
    ]


def manifest_cells(row: Mapping[str, Any]) -> list[Any]:
    applicant, subject = row["applicant"], row["subject"] or {}
    return [
        row["code"],
        row["service_label"],
        row["desa_name"],
        row["kecamatan_name"],
        applicant.get("nik"),
        applicant.get("name"),
        applicant.get("kk"),
        applicant.get("phone"),
        applicant.get("address"),
        subject.get("name"),
        subject.get("nik"),
        subject.get("birth_date"),
        row["submitted_at"],
        bool(row["jemput_bola"]),
        len(row["files"]),
    ]


def _width(field_type: str) -> int:
    return 20 if field_type in ("nik", "kk") else 14 if field_type in ("date", "number") else 24


def file_stem(label: str, key: str) -> str:
    """'Anggota keluarga' → 'anggota_keluarga': ASCII, lower case, for a file name."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_") or key
    return f"{stem}_{key}" if stem in RESERVED else stem


def sheet_title(label: str) -> str:
    """Excel refuses : \\ / ? * [ ] in a sheet's name and more than 31 characters."""
    return re.sub(r"[:\\/?*\[\]]", " ", label).strip()[:31] or "Grup"


@dataclass
class Group:
    """A repeating group across the volume's services (sections of the same label)."""

    stem: str  # the CSV's name without .csv
    title: str  # the XLSX sheet
    columns: list[Column] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)  # field label → column index
    sources: set[tuple[str, str]] = field(default_factory=set)  # (service, section key)


class ManifestLayout:
    """The field columns and groups of one volume, given the services it holds."""

    def __init__(self, forms: Forms | None, catalog: Catalog, services: Iterable[str]) -> None:
        self.forms = forms
        present = set(services)
        order = [s.code for s in catalog.services() if s.code in present]
        order += sorted(present - set(order))  # a service the catalog no longer lists
        self.columns: list[Column] = []
        self._positions: dict[str, int] = {}
        groups: dict[str, Group] = {}
        for code in order:
            definition = forms.get(code) if forms else None
            for section in definition.sections if definition else ():
                if section.repeat is None:
                    for f in section.fields:
                        header = _header(section.label, f.label)
                        if header not in self._positions:
                            self._positions[header] = len(self.columns)
                            self.columns.append(
                                Column(header, form_view.kind(f.type), _width(f.type))
                            )
                    continue
                stem = file_stem(section.label, section.key)
                group = groups.setdefault(stem, Group(stem, sheet_title(section.label)))
                group.sources.add((code, section.key))
                for f in section.fields:
                    if f.label not in group.positions:
                        group.positions[f.label] = len(group.columns)
                        group.columns.append(
                            Column(f.label, form_view.kind(f.type), _width(f.type))
                        )
        self.groups = list(groups.values())

    def _shown(self, row: Mapping[str, Any]) -> list[form_view.ShownSection]:
        definition = self.forms.get(row["service"]) if self.forms else None
        return form_view.show(definition, row.get("fields") or {})

    def request_columns(self) -> list[Column]:
        return [*manifest_columns(), *self.columns]

    def request_rows(self, rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
        for row in rows:
            cells: list[Any] = [None] * len(self.columns)
            for section in self._shown(row):
                if section.repeat or not section.items:
                    continue
                for shown in section.items[0]:
                    at = self._positions.get(_header(section.label, shown.label))
                    if shown.field is not None and at is not None:
                        cells[at] = form_view.cell(shown)
            yield [*manifest_cells(row), *cells]

    @staticmethod
    def group_columns(group: Group) -> list[Column]:
        return [
            Column(CODE, width=16),
            Column("Layanan", width=30),
            Column("No.", "number", width=6),
            *group.columns,
        ]

    def group_rows(self, group: Group, rows: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
        """A row per item (family member, witness), numbered from 1 within its request."""
        for row in rows:
            for section in self._shown(row):
                if not (section.repeat and (row["service"], section.key) in group.sources):
                    continue
                for number, item in enumerate(section.items, start=1):
                    cells: list[Any] = [None] * len(group.columns)
                    for shown in item:
                        at = group.positions.get(shown.label)
                        if shown.field is not None and at is not None:
                            cells[at] = form_view.cell(shown)
                    yield [row["code"], row["service_label"], number, *cells]

    def form_json(self, row: Mapping[str, Any]) -> dict[str, Any] | None:
        definition = self.forms.get(row["service"]) if self.forms else None
        fields = row.get("fields") or {}
        if definition is None and not fields:
            return None
        return {
            "name": definition.form if definition else "",
            "sections": form_view.as_json(form_view.show(definition, fields)),
        }


def _header(section: str, label: str) -> str:
    return f"{section} — {label}"


def manifest_json(
    head: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    excluded: Iterable[Mapping[str, Any]],
    layout: ManifestLayout,
) -> Iterator[bytes]:
    """manifest.json a request at a time: {"batch", "requests", "excluded"}.

    A request is one line: a KK of 20 members is ~25 KB of labelled fields, which the
    indented form would nearly double and json's pure-Python indenting make ~10× slower.
    """

    def dump(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, indent=1).encode()

    yield b'{\n"batch": ' + dump(head) + b',\n"requests": ['
    for n, row in enumerate(rows):
        line = json.dumps({**row, "form": layout.form_json(row)}, ensure_ascii=False)
        yield (b",\n" if n else b"\n") + line.encode()
    yield b'\n],\n"excluded": ' + dump(
        [{"id": e["id"], "code": e["code"], "reason": e["reason"]} for e in excluded]
    )
    yield b"\n}\n"
