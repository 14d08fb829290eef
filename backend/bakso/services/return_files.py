"""The bulk return's files in the blob store: the CSV of results and the zip of issued PDFs.

The zip is never downloaded whole nor staged on disk: zipfile reads it through
ranged reads of the blob (Blobs.read_range) behind a small buffer, so a worker
chunk reads the central directory and then only the members it uses. The
central directory is judged first (services/unpacking.py: entries, sizes,
compression ratio): a zip bomb refuses the whole zip, with the reason. A
member whose declared size is above the PDF limit refuses its row before it is
opened, and every member is read through a byte limit and counted against its
declared size, so a header that lies cannot make it larger. A refused member
refuses its row, with the reason; the other rows go on.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from ..domain.errors import InvalidInput
from ..domain.unpacking import (
    RETURN_ZIP_LIMITS,
    XLSX_LIMITS,
    XlsxLimits,
    ZipLimits,
    read_past_declared,
    size_text,
)
from ..ports import Blobs
from .sasaran_files import read_lines
from .unpacking import (
    MEMBER_ERRORS,
    ZIP_ERRORS,
    BlobRangeReader,
    FileProblem,
    check_zip,
)

ZIP_BUFFER = 64 * 1024  # bytes per ranged read of the zip (a small PDF and its neighbours)
PDF_IN_MEMORY = 1024 * 1024  # a PDF up to this size is read once and kept while it is stored
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip, or an empty one
# Header names, compared lower-case with '_' as a space: the template's first, then what an
# officer or SIAK's export may call the same column.
COLUMN_NAMES = {
    "code": ("kode permohonan", "kode", "code", "kode pengajuan", "no permohonan"),
    "status": ("status", "status baru", "status akhir", "hasil"),
    "note": ("catatan", "alasan", "keterangan", "note"),
}
TEMPLATE_HEADER = ("Kode permohonan", "Status", "Catatan")
ORPHAN_PDF = "PDF tanpa baris di CSV; tidak dipakai."
DUPLICATE_CODE = "Kode muncul lebih dari sekali di berkas ini."
ZIP_WHAT = "Zip dokumen terbit"
_MEMBER_ERRORS = MEMBER_ERRORS


class PdfProblem(InvalidInput):
    """One issued PDF in the zip cannot be used; the row naming it is refused with this."""


class _Limited(io.RawIOBase):
    """A zip member read through a byte limit, whatever its header declared."""

    def __init__(
        self, source: IO[bytes], limit: int, name: str, declared: int | None = None
    ) -> None:
        super().__init__()
        self._source = source
        self._limit = limit
        self._name = name
        self._declared = declared  # the central directory's size: more is a lie
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        # One byte past the limit is enough to know it was exceeded.
        want = min(len(view), self._limit - self._count + 1)
        try:
            data = self._source.read(want)
        except _MEMBER_ERRORS:
            raise PdfProblem(broken_pdf(self._name)) from None
        self._count += len(data)
        if self._count > self._limit:
            raise PdfProblem(too_large_pdf(self._name, self._limit))
        if self._declared is not None and self._count > self._declared:
            raise PdfProblem(read_past_declared(ZIP_WHAT, self._name))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._source.close()
        finally:
            super().close()


def broken_pdf(name: str) -> str:
    return f"PDF {name} di zip rusak atau tidak dapat dibaca; baris tidak diterapkan."


def duplicate_pdfs(code: str, names: list[str]) -> str:
    shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
    return (
        f"Zip berisi {len(names)} PDF untuk kode {code} ({shown}); baris tidak "
        "diterapkan. Sisakan satu PDF per kode lalu kirim ulang baris ini."
    )


def too_large_pdf(name: str, limit: int) -> str:
    return f"PDF {name} lebih besar dari batas {size_text(limit)}; baris tidak diterapkan."


class IssuedZip:
    """The uploaded zip's PDFs by request code (file name without folder and .pdf)."""

    def __init__(
        self,
        blobs: Blobs,
        key: str,
        size: int,
        *,
        max_pdfs: int,
        max_pdf_bytes: int,
        limits: ZipLimits = RETURN_ZIP_LIMITS,
    ) -> None:
        self.raw = BlobRangeReader(blobs, key, size)
        self._file = io.BufferedReader(self.raw, buffer_size=ZIP_BUFFER)
        self._max_pdf_bytes = max_pdf_bytes
        try:
            self._zip = zipfile.ZipFile(self._file)
        except ZIP_ERRORS:
            self._file.close()
            raise FileProblem("Berkas zip dokumen terbit rusak atau bukan zip.") from None
        try:
            # Before any member is opened: a bomb refuses the whole zip, with the reason.
            check_zip(self._zip, limits, ZIP_WHAT)
        except FileProblem:
            self.close()
            raise
        self._members: dict[str, list[zipfile.ZipInfo]] = {}
        for info in self._zip.infolist():
            code = _code_of(info)
            if code is not None:
                self._members.setdefault(code, []).append(info)
        if len(self._members) > max_pdfs:
            limit = f"{max_pdfs:_}".replace("_", ".")
            raise FileProblem(f"Zip berisi lebih dari {limit} PDF; bagi menjadi beberapa berkas.")

    def codes(self) -> set[str]:
        return set(self._members)

    def member(self, code: str) -> zipfile.ZipInfo | None:
        found = self._members.get(code)
        return found[0] if found else None

    def duplicates(self, code: str) -> list[str]:
        """The members' names when more than one PDF is named after `code`, else []."""
        found = self._members.get(code, [])
        return [info.filename for info in found] if len(found) > 1 else []

    def opener(self, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
        """Opens the member afresh each call, bounded: refused (PdfProblem) if too large."""
        name = info.filename.rsplit("/", 1)[-1]
        if info.file_size > self._max_pdf_bytes:
            raise PdfProblem(too_large_pdf(name, self._max_pdf_bytes))

        def open_member() -> IO[bytes]:
            try:
                source = self._zip.open(info)
            except _MEMBER_ERRORS:
                raise PdfProblem(broken_pdf(name)) from None
            return io.BufferedReader(
                _Limited(source, self._max_pdf_bytes, name, declared=info.file_size)
            )

        if info.file_size > PDF_IN_MEMORY:
            return open_member  # read from the zip each time, a chunk at a time
        kept: list[bytes] = []

        def open_kept() -> IO[bytes]:
            # A small PDF is read from the zip once, however often it is opened.
            if not kept:
                with open_member() as source:
                    kept.append(source.read())
            return io.BytesIO(kept[0])

        return open_kept

    def close(self) -> None:
        self._zip.close()
        self._file.close()


def _code_of(info: zipfile.ZipInfo) -> str | None:
    """The request code a member is named after, or None for what is not an issued PDF."""
    if info.is_dir():
        return None
    name = info.filename.replace("\\", "/")
    base = name.rsplit("/", 1)[-1]
    # macOS zips carry "__MACOSX/._<name>" resource forks beside every file.
    if name.startswith("__MACOSX/") or base.startswith(".") or not base.lower().endswith(".pdf"):
        return None
    return base[: -len(".pdf")].strip().upper()


@contextmanager
def issued_zip(
    blobs: Blobs,
    key: str,
    size: int,
    *,
    max_pdfs: int,
    max_pdf_bytes: int,
    limits: ZipLimits = RETURN_ZIP_LIMITS,
) -> Iterator[IssuedZip]:
    pdfs = IssuedZip(
        blobs, key, size, max_pdfs=max_pdfs, max_pdf_bytes=max_pdf_bytes, limits=limits
    )
    try:
        yield pdfs
    finally:
        pdfs.close()


@dataclass(frozen=True)
class Entry:
    """One thing the report has a line for: a CSV row, or a PDF no row names (row 0)."""

    seq: int  # the key of its result: the CSV line, or after the last line for a PDF
    row: int
    code: str
    status: str = ""
    note: str = ""
    problem: str | None = None  # refused before anything is looked up


def _normalised(name: str) -> str:
    return " ".join(name.lstrip("\ufeff").replace("_", " ").replace(".", " ").split()).lower()


def _columns(header: list[str]) -> dict[str, int]:
    normalised = [_normalised(h) for h in header]
    found: dict[str, int] = {}
    missing: list[str] = []
    for field, names in COLUMN_NAMES.items():
        index = next((normalised.index(n) for n in names if n in normalised), None)
        if index is not None:
            found[field] = index
        elif field != "note":
            missing.append(field)
    if missing:
        wanted = {
            "code": "'Kode permohonan' (atau 'Kode')",
            "status": "'Status'",
        }
        shown = ", ".join(f"'{h.strip()}'" for h in header if h.strip()) or "(kosong)"
        raise FileProblem(
            f"Kolom {' dan '.join(wanted[f] for f in missing)} tidak ada di baris judul. "
            f"Kolom yang ditemukan: {shown}. Kolom yang diharapkan: Kode permohonan, Status, "
            "Catatan (atau Alasan; boleh kosong kecuali untuk PERLU_PERBAIKAN dan DITOLAK). "
            "Gunakan templat dari BAKSO; CSV boleh dipisah ';' atau ','."
        )
    return found


def table_kind(filename: str) -> str:
    """How the table is read, from its registered name: 'xlsx', else 'csv'."""
    return "xlsx" if filename.lower().endswith(".xlsx") else "csv"


def read_table(
    data: bytes, *, max_rows: int, kind: str = "csv", xlsx: XlsxLimits = XLSX_LIMITS
) -> tuple[list[Entry], int]:
    """The table's data rows as entries, and the number of its last line.

    A CSV may be ';', ',' or tab separated, UTF-8 (BOM or not), UTF-16 or the
    Windows code page; an XLSX is checked against `xlsx` before openpyxl opens
    it and its first sheet is read (the same reader as the sasaran import).
    A code that comes again later in the file is refused on its later rows.
    """
    lines = read_lines(kind, io.BytesIO(data), max_lines=max_rows, xlsx=xlsx)
    header = next(lines, None)
    if header is None:
        raise FileProblem("Tabel hasil kosong: tidak ada baris judul kolom.")
    columns = _columns(header[1])
    last = header[0]
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, cells in lines:
        last = number

        def cell(field: str, cells: list[str] = cells) -> str:
            index = columns.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code = cell("code").upper()
        problem = DUPLICATE_CODE if code and code in seen else None
        seen.add(code)
        entries.append(Entry(number, number, code, cell("status"), cell("note"), problem))
    if not entries:
        raise FileProblem("Tabel hasil tidak berisi baris data di bawah baris judul.")
    return entries, last


def plan_entries(rows: list[Entry], last_line: int, pdf_codes: set[str]) -> list[Entry]:
    """Every entry of the return in report order: the rows, then the PDFs no row names."""
    named = {entry.code for entry in rows}
    orphans = sorted(pdf_codes - named)
    return rows + [
        Entry(last_line + 1 + i, 0, code, problem=ORPHAN_PDF) for i, code in enumerate(orphans)
    ]
