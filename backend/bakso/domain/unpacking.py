"""Limits on what an uploaded archive may unpack to: one rule for return zips and XLSX files.

A zip is judged by its central directory before any member is opened (entry
count, each member's and the total declared size, and how far a member
expands), and what is then read is counted as it streams, since a header can
lie. An XLSX is a zip too: its XML parts are also scanned for one text run
longer than any cell can be (Excel stops at 32,767 characters) and for a
DOCTYPE or CDATA section, which no spreadsheet program writes and which could
make the XML parser hold or expand text without bound. Every refusal is a
sentence for the officer, in Indonesian.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MIB = 1024 * 1024
# A member this small cannot be a bomb, whatever its ratio (an empty sheet is 1 KB of tags).
RATIO_FLOOR = MIB


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_entry_bytes: int  # one member, uncompressed
    max_total_bytes: int  # all members, uncompressed
    max_ratio: int  # uncompressed / compressed, for members above RATIO_FLOOR


@dataclass(frozen=True)
class Member:
    """What the central directory says of one member."""

    name: str
    file_size: int
    compress_size: int


def size_text(size: int) -> str:
    """'5 MB', '2 GB', '256 KB': a limit as the officer reads it."""
    if size >= 1024**3 and size % 1024**3 == 0:
        return f"{size // 1024**3} GB"
    if size < MIB:
        return f"{size / 1024:.0f} KB"
    return f"{size / MIB:.0f} MB"


def _count(number: int) -> str:
    return f"{number:_}".replace("_", ".")


def zip_problem(members: Iterable[Member], limits: ZipLimits, what: str) -> str | None:
    """Why the zip `what` ("Zip dokumen terbit") must not be unpacked, or None."""
    total = 0
    for count, member in enumerate(members, start=1):
        if count > limits.max_entries:
            return f"{what} berisi lebih dari {_count(limits.max_entries)} berkas; ditolak."
        name = member.name.rsplit("/", 1)[-1] or member.name
        if member.file_size > limits.max_entry_bytes:
            return (
                f"{what}: {name} membesar menjadi {size_text(member.file_size)} saat dibuka, "
                f"lebih dari batas {size_text(limits.max_entry_bytes)}; ditolak."
            )
        if member.file_size > RATIO_FLOOR and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            return (
                f"{what}: {name} dipadatkan lebih dari {limits.max_ratio} kali "
                f"({size_text(member.compress_size)} menjadi {size_text(member.file_size)}), "
                "tanda bom zip; ditolak."
            )
        total += member.file_size
        if total > limits.max_total_bytes:
            return (
                f"{what} membesar menjadi lebih dari {size_text(limits.max_total_bytes)} "
                "saat dibuka; ditolak."
            )
    return None


def read_past_declared(what: str, name: str) -> str:
    """A member gave more bytes than its header declared: the header lied."""
    return f"{what}: {name} berisi lebih banyak data dari yang tertulis di zip; ditolak."


# What no XLSX writer puts in its parts: a DTD (entity expansion) or CDATA (text with '<').
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY", b"<![CDATA[")
_KEEP = max(len(marker) for marker in _FORBIDDEN) - 1
# A row's start and its cells in a worksheet (<row …>, <c …>, <c/>): openpyxl builds a whole
# row at once, so a row of millions of cells is a bomb however small each cell is.
_ROW_OR_CELL = re.compile(rb"<(row|c)[\s>/]")


class XmlTextScan:
    """Fed an XML part chunk by chunk; says when a text run or a tag is longer than allowed.

    A run is the bytes between two of '<' and '>': a cell's text, or a tag with
    its attributes. Bounding every run bounds what the parser must hold at once.
    """

    def __init__(self, part: str, max_run: int, max_row_cells: int | None = None) -> None:
        self.part = part
        self.max_run = max_run
        self.max_row_cells = max_row_cells  # worksheets only
        self._cells = 0  # cells since the last <row>
        self._run = 0  # bytes since the last delimiter
        self._tail = b""  # the end of the previous chunk, for markers split across chunks

    def feed(self, chunk: bytes) -> str | None:
        window = self._tail + chunk
        if any(marker in window for marker in _FORBIDDEN):
            return (
                f"Bagian {self.part} di berkas XLSX memuat DOCTYPE atau CDATA, yang tidak "
                "dibuat oleh program lembar kerja; simpan ulang sebagai .xlsx."
            )
        if self.max_row_cells is not None and (problem := self._count_cells(window)):
            return problem
        self._tail = window[-_KEEP:]
        # Split, not a regex: a counted repetition rescans each run from every byte of it.
        pieces = chunk.replace(b">", b"<").split(b"<")
        if len(pieces) == 1:
            self._run += len(chunk)
        else:
            inner = max(map(len, pieces[1:-1]), default=0)
            if self._run + len(pieces[0]) > self.max_run or inner > self.max_run:
                return self._refusal()
            self._run = len(pieces[-1])
        if self._run > self.max_run:
            return self._refusal()
        return None

    def _count_cells(self, window: bytes) -> str | None:
        seen = len(self._tail)  # markers ending inside the tail were counted last time
        for match in _ROW_OR_CELL.finditer(window):
            if match.end() <= seen:
                continue
            if match.group(1) == b"row":
                self._cells = 0
                continue
            self._cells += 1
            if self.max_row_cells is not None and self._cells > self.max_row_cells:
                return (
                    f"Berkas XLSX memuat satu baris dengan lebih dari {self.max_row_cells} sel "
                    f"(di {self.part}); ditolak. Hapus kolom kosong di ujung kanan atau simpan "
                    "sebagai CSV."
                )
        return None

    def _refusal(self) -> str:
        return (
            f"Berkas XLSX memuat satu sel atau tag lebih dari {size_text(self.max_run)} "
            f"(di {self.part}); sel lembar kerja paling panjang 32.767 huruf. Periksa isinya."
        )


@dataclass(frozen=True)
class XlsxLimits:
    zip: ZipLimits
    max_part_bytes: int  # any part but a worksheet: openpyxl reads those whole
    max_run_bytes: int  # one text run (a cell's text, a tag) in any XML part
    max_row_cells: int = 1000  # cells in one worksheet row (a list has a dozen columns)


# The defaults of config.py, for services built without a config (tests, tools).
RETURN_ZIP_LIMITS = ZipLimits(
    max_entries=20_000, max_entry_bytes=4 * 1024**3, max_total_bytes=4 * 1024**3, max_ratio=200
)
XLSX_LIMITS = XlsxLimits(
    zip=ZipLimits(
        max_entries=20_000, max_entry_bytes=512 * MIB, max_total_bytes=512 * MIB, max_ratio=200
    ),
    max_part_bytes=8 * MIB,
    max_run_bytes=256 * 1024,
)
