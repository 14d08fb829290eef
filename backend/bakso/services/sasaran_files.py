"""The sasaran spreadsheet on disk: reading CSV/XLSX lines (writing: services/spreadsheets.py).

openpyxl is imported only where a workbook is read, so the web
Lambda's cold start does not pay for it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import IO, Any

from ..domain.unpacking import XLSX_LIMITS, XlsxLimits
from .unpacking import FileProblem, check_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
# What browsers and office PCs call a CSV file when they upload one.
CSV_TYPES = frozenset(
    {CSV_TYPE, "application/csv", "text/plain", "application/vnd.ms-excel", "text/x-csv"}
)
ZIP_MAGIC = b"PK\x03\x04"
SHEET_NAME = "sasaran"


def kind_of(filename: str) -> str | None:
    name = filename.lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".xlsx"):
        return "xlsx"
    return None


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text the officer sees (16-digit NIKs stay whole)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "YA" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_lines(
    kind: str, source: IO[bytes], *, max_lines: int, xlsx: XlsxLimits = XLSX_LIMITS
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank line; raises FileProblem on an unreadable file.

    An XLSX is checked against `xlsx` (entries, sizes, ratio, cell length) before
    openpyxl opens it.
    """
    lines = _read_xlsx(source, xlsx) if kind == "xlsx" else _read_csv(source)
    for count, (number, cells) in enumerate(
        ((n, c) for n, c in lines if any(x.strip() for x in c)), start=1
    ):
        if count > max_lines + 1:  # +1: the header
            limit = f"{max_lines:_}".replace("_", ".")
            raise FileProblem(
                f"Berkas berisi lebih dari {limit} baris data; bagi menjadi beberapa berkas."
            )
        yield number, cells


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (Comma delimited)" on Windows writes the ANSI code page.
        return data.decode("cp1252", errors="replace")


def _read_csv(source: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = _decode(source.read())
    first = text.split("\n", 1)[0]
    # Excel in an Indonesian locale separates with ';' (the decimal mark is ',').
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error:
        raise FileProblem("Berkas CSV tidak dapat dibaca (tanda kutip tidak seimbang?).") from None


def _read_xlsx(source: IO[bytes], limits: XlsxLimits) -> Iterator[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx(source, limits)
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem("Berkas XLSX tidak dapat dibuka; simpan ulang sebagai .xlsx.") from None
    try:
        names = {name.lower(): name for name in workbook.sheetnames}
        sheet = workbook[names[SHEET_NAME]] if SHEET_NAME in names else workbook.worksheets[0]
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                number, values = next(rows)
            except StopIteration:
                return
            except Exception:  # a broken upload: whatever openpyxl raises for it
                raise FileProblem("Isi berkas XLSX rusak; simpan ulang sebagai .xlsx.") from None
            yield number, [cell_text(v) for v in values]
    finally:
        workbook.close()
