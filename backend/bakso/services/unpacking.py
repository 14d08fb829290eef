"""Opening uploaded archives within limits: the return's zip of PDFs and the sasaran XLSX.

The rules (what is too many, too large, too compressed) are in
domain/unpacking.py; this module applies them to a `zipfile.ZipFile` before
any member is opened, reads a blob's zip through ranged reads (never whole),
and scans an XLSX's XML parts as they stream, before openpyxl sees the file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import IO
from xml.etree import ElementTree

from ..domain.errors import NotFound
from ..domain.unpacking import (
    Member,
    XlsxLimits,
    XmlTextScan,
    ZipLimits,
    read_past_declared,
    size_text,
    zip_problem,
)
from ..ports import Blobs

XLSX = "Berkas XLSX"
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_MAX = 1024 * 1024  # a real one is a few KB
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_PARTS = (".xml", ".rels", ".vml")
READ_CHUNK = 1024 * 1024
# What zipfile and zlib raise for a member they cannot read (bad CRC, a compression
# method it lacks, encryption, a cut-off stream).
MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError)
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError)


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is for the officer (Indonesian)."""


class BlobGone(OSError):
    """The blob disappeared while it was read (a finished run removes its files)."""


class BlobRangeReader(io.RawIOBase):
    """A blob as a seekable raw file: every read is one ranged read of the store."""

    def __init__(self, blobs: Blobs, key: str, size: int) -> None:
        super().__init__()
        self._blobs = blobs
        self._key = key
        self._size = size
        self._pos = 0
        self.reads = 0  # ranged reads made, for tests and logs

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if position < 0:
            raise OSError("negative seek position")
        self._pos = position
        return position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        try:
            data = self._blobs.read_range(self._key, self._pos, want)
        except NotFound:
            raise BlobGone(self._key) from None
        self.reads += 1
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


def members_of(archive: zipfile.ZipFile) -> list[Member]:
    return [
        Member(info.filename, info.file_size, info.compress_size)
        for info in archive.infolist()
        if not info.is_dir()
    ]


def check_zip(archive: zipfile.ZipFile, limits: ZipLimits, what: str) -> None:
    """FileProblem if the central directory says the zip unpacks past `limits`."""
    problem = zip_problem(members_of(archive), limits, what)
    if problem:
        raise FileProblem(problem)


def check_xlsx(source: IO[bytes], limits: XlsxLimits) -> None:
    """Refuse (FileProblem) an XLSX that would unpack past `limits`; leaves `source` at 0.

    Every XML part is read once here, a chunk at a time and counted, so that
    openpyxl (which reads all but the worksheets whole, and a worksheet's cell
    whole) only ever gets a file whose parts and cells are bounded.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            check_zip(archive, limits.zip, XLSX)
            streamed = _worksheets(archive)
            for info in archive.infolist():
                name = info.filename
                if info.is_dir() or not name.lower().endswith(XML_PARTS):
                    continue  # media: openpyxl in read-only mode leaves them unread
                if name not in streamed and info.file_size > limits.max_part_bytes:
                    raise FileProblem(
                        f"{XLSX}: bagian {name} membesar menjadi {size_text(info.file_size)}, "
                        f"lebih dari batas {size_text(limits.max_part_bytes)}; ditolak. Untuk "
                        "daftar sebesar itu, simpan sebagai CSV."
                    )
                rows = limits.max_row_cells if name in streamed else None
                _scan_part(archive, info, limits.max_run_bytes, rows)
    except ZIP_ERRORS:
        raise FileProblem("Berkas XLSX tidak dapat dibuka; simpan ulang sebagai .xlsx.") from None
    source.seek(0)


def _worksheets(archive: zipfile.ZipFile) -> set[str]:
    """The parts [Content_Types].xml declares as worksheets: the only ones streamed."""
    try:
        info = archive.getinfo(CONTENT_TYPES)
    except KeyError:
        return set()
    if info.file_size > CONTENT_TYPES_MAX:
        raise FileProblem(f"{XLSX}: {CONTENT_TYPES} terlalu besar; ditolak.")
    _scan_part(archive, info, CONTENT_TYPES_MAX)  # refuses a DOCTYPE before it is parsed
    try:
        # Safe with the stdlib parser: _scan_part refused a DOCTYPE (no entities) above.
        root = ElementTree.fromstring(archive.read(info))  # noqa: S314
    except ElementTree.ParseError:
        raise FileProblem("Isi berkas XLSX rusak; simpan ulang sebagai .xlsx.") from None
    return {
        element.get("PartName", "").lstrip("/")
        for element in root
        if element.tag.endswith("Override") and element.get("ContentType") == WORKSHEET_TYPE
    }


def _scan_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_run: int, max_row_cells: int | None = None
) -> None:
    scan = XmlTextScan(info.filename, max_run, max_row_cells)
    read = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(READ_CHUNK):
                read += len(chunk)
                if read > info.file_size:  # zipfile stops there itself; the header can lie
                    raise FileProblem(read_past_declared(XLSX, info.filename))
                if problem := scan.feed(chunk):
                    raise FileProblem(problem)
    except MEMBER_ERRORS:
        raise FileProblem(
            f"{XLSX}: bagian {info.filename} rusak; simpan ulang sebagai .xlsx."
        ) from None


def blob_zip_problem(blobs: Blobs, key: str, size: int, limits: ZipLimits, what: str) -> str | None:
    """Why the zip in blob `key` must not be unpacked, read from its central directory only.

    A zip that cannot be opened at all is not judged here: the worker reads it and
    fails the run with its own reason, as it always did.
    """
    reader = io.BufferedReader(BlobRangeReader(blobs, key, size), buffer_size=64 * 1024)
    try:
        with zipfile.ZipFile(reader) as archive:
            check_zip(archive, limits, what)
    except ZIP_ERRORS:
        return None
    except FileProblem as exc:
        return str(exc)
    finally:
        reader.close()
    return None
