"""The sasaran files Dukcapil downloads: the import template and an import's per-line report.

Both are written by `spreadsheets` (`;` CSV with BOM, or XLSX with text cells).
The template's columns, document codes and categories come from the vocabulary
data file (`data/sasaran_vocabulary.json`), so a change of format changes it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..domain.regions import Regions
from ..domain.sasaran import CATEGORY_LABELS, COLUMNS, DOCUMENTS, Category, ImportResult
from .spreadsheets import (
    Column,
    Sheet,
    csv_bytes,
    csv_stream,
    file_chunks,
    xlsx_bytes,
    xlsx_file,
)

# What the per-line report says in words, for people (the API keeps the codes).
RESULT_WORDS = {
    "accepted": "diterima",
    "updated": "diperbarui",
    "unchanged": "tidak berubah",
    "refused": "ditolak",
}
TEMPLATE_SHEET = "sasaran"
EXAMPLE_NAME = "CONTOH - hapus baris ini"

REPORT_COLUMNS = [
    Column("Baris", "number", width=8),
    Column("Hasil", width=14),
    Column("Keterangan", width=60),
    Column("Kode alasan", width=18),
    Column("ID sasaran", width=36),
]


def report_cells(results: Iterable[ImportResult]) -> Iterator[list[Any]]:
    for result in results:
        yield [
            result.line,
            RESULT_WORDS.get(result.outcome, result.outcome),
            result.message,
            result.reason or "",
            result.sasaran_id or "",
        ]


def report_csv(results: Iterable[ImportResult]) -> Iterator[bytes]:
    return csv_stream(REPORT_COLUMNS, report_cells(results))


def report_xlsx(results: Iterable[ImportResult]) -> Iterator[bytes]:
    """The workbook's bytes, built in a temporary file (flat memory for 100,000 lines)."""
    return file_chunks(xlsx_file([Sheet("laporan", REPORT_COLUMNS, report_cells(results))]))


def template_columns() -> list[Column]:
    return [Column(c.name, width=20 if c.name != "alamat" else 36) for c in COLUMNS]


def example_desa(regions: Regions, kabupaten: str) -> str:
    """The desa code the template's example line and the column help show: one of the
    downloading officer's kabupaten (#16), or its made-up first when it has none loaded."""
    desa = regions.desa(kabupaten)
    return desa[0].code if desa else kabupaten + ".01.2001"


def column_descriptions(regions: Regions, kabupaten: str) -> list[str]:
    """Each column's help, its example desa code of that kabupaten."""
    code = example_desa(regions, kabupaten)
    return [c.describe(code) for c in COLUMNS]


def example_row(regions: Regions, kabupaten: str) -> list[str]:
    """One filled-in line showing each column's shape (a NIK as 16 digits of text), in a
    desa of the downloading officer's kabupaten (#16), its NIK registered in that kecamatan."""
    desa = regions.desa(kabupaten)
    kecamatan = regions.kecamatan_of(desa[0].code) if desa else kabupaten + ".01"
    values = {
        "nik": kecamatan.replace(".", "") + "5708900001",
        "nama": EXAMPLE_NAME,
        "kode_desa": desa[0].code if desa else "",
        "alamat": "Dusun Contoh RT 01 RW 02",
        "dokumen": ",".join(d.code for d in DOCUMENTS[:2]),
        "kategori_rentan": Category.LANSIA.value,
        "keterangan": "Contoh catatan untuk desa",
    }
    return [values.get(c.name, "") for c in COLUMNS]


def _guide(regions: Regions, kabupaten: str) -> tuple[list[Column], list[Sequence[str]]]:
    rows: list[Sequence[str]] = [
        [c.name, "wajib" if c.required else "opsional", description]
        for c, description in zip(COLUMNS, column_descriptions(regions, kabupaten), strict=True)
    ]
    rows.append(["", "", ""])
    rows += [[d.code, "dokumen", d.label] for d in DOCUMENTS]
    rows += [[c.value, "kategori rentan", CATEGORY_LABELS[c]] for c in Category]
    rows.append(["", "", ""])
    rows.append(
        [
            "",
            "",
            f"Hapus baris contoh ({EXAMPLE_NAME}) sebelum mengunggah; "
            "berkas .csv boleh dipisah ';' atau ','.",
        ]
    )
    columns = [
        Column("kolom/kode", width=20),
        Column("sifat", width=16),
        Column("keterangan", width=60),
    ]
    return columns, rows


def template_csv(regions: Regions, kabupaten: str) -> bytes:
    return csv_bytes(template_columns(), [example_row(regions, kabupaten)])


def template_xlsx(regions: Regions, kabupaten: str) -> bytes:
    guide_columns, guide_rows = _guide(regions, kabupaten)
    return xlsx_bytes(
        [
            Sheet(TEMPLATE_SHEET, template_columns(), [example_row(regions, kabupaten)]),
            Sheet("petunjuk", guide_columns, guide_rows),
        ]
    )
