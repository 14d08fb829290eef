"""The bulk return's template: the table Dukcapil fills in, as `;` CSV with BOM and as XLSX.

Written by `spreadsheets` like every other file for Excel (docs/excel.md). The
header is the one `return_files.read_table` looks for first, so the template
reads back as it is. The statuses a row may name come from the lifecycle
(data/lifecycle.json): where Dukcapil may move a request.
"""

from __future__ import annotations

from ..domain.lifecycle import Status
from ..domain.returns import target_guide
from .return_files import TEMPLATE_HEADER
from .spreadsheets import Column, Sheet, csv_bytes, xlsx_bytes

EXAMPLE_DIGITS = "0000-0000"  # after the officer's kabupaten's prefix: LT-0000-0000
EXAMPLE_NOTE = "CONTOH - hapus baris ini"
GUIDE_SHEET = "status"

COLUMNS = [
    Column(TEMPLATE_HEADER[0], width=20),  # text: a code must not become a number or a date
    Column(TEMPLATE_HEADER[1], width=18),
    Column(TEMPLATE_HEADER[2], width=50),
]
GUIDE_COLUMNS = [
    Column("Status", width=18),
    Column("Arti", width=22),
    Column("Catatan", width=60),
]


def example_code(prefix: str) -> str:
    return f"{prefix}-{EXAMPLE_DIGITS}"


def _example(prefix: str, note: str) -> list[str]:
    return [example_code(prefix), Status.SELESAI.value, note]


def _guide_rows(prefix: str) -> list[list[str]]:
    rows = [[code, label, need[0].upper() + need[1:] + "."] for code, label, need in target_guide()]
    rows += [
        ["", "", ""],
        ["", "", f"Hapus baris contoh ({example_code(prefix)}) sebelum mengunggah."],
        ["", "", "Untuk SELESAI, PDF dokumen terbit di zip diberi nama <kode>.pdf."],
        ["", "", "Berkas .csv boleh dipisah ';' atau ','; .xlsx dibaca dari lembar pertama."],
    ]
    return rows


def template_csv(prefix: str) -> bytes:
    """The template for an officer whose kabupaten's codes start with `prefix`."""
    # A CSV has no second sheet: the statuses ride in the example's note.
    statuses = ", ".join(code for code, _, _ in target_guide())
    return csv_bytes(COLUMNS, [_example(prefix, f"{EXAMPLE_NOTE}. Status yang sah: {statuses}")])


def template_xlsx(prefix: str) -> bytes:
    return xlsx_bytes(
        [
            Sheet("pengembalian", COLUMNS, [_example(prefix, EXAMPLE_NOTE)]),
            Sheet(GUIDE_SHEET, GUIDE_COLUMNS, _guide_rows(prefix)),
        ]
    )
