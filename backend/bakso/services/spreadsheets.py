"""Every table Dukcapil opens in Excel: `;`-separated CSV with a BOM, and XLSX with text cells.

Dukcapil's PCs run Excel with Indonesian regional settings: the list separator
is `;` and the decimal mark `,`, so a comma-separated file opens in one column.
The BOM makes Excel read UTF-8. Excel keeps only 15 significant digits of a
number, so a 16-digit NIK or No. KK typed as a number loses its last digit and
a phone loses its leading 0: in the XLSX such columns are text cells (type
"s", format "@"); a CSV cannot say so, which is why every export also comes as
XLSX (docs/excel.md). Times are the kabupaten's local time (`domain.localtime`).

One module for every export (batch manifest, coverage, sasaran report and
template), so they cannot drift apart. The XLSX is written with openpyxl's
write-only mode: rows go to a temporary file as they come, so memory stays
flat however many rows there are. openpyxl is imported only here, when a
workbook is written, so the web Lambda's cold start does not pay for it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Literal

from ..domain.localtime import local_naive, zone_label

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
DELIMITER = ";"
# A CSV cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
TIME_FORMAT = "dd/mm/yyyy hh:mm"
SPOOL_BYTES = 1 << 20  # a workbook larger than this waits on disk, not in memory

Kind = Literal["text", "number", "date", "time"]


@dataclass(frozen=True)
class Column:
    """A column: its header and how its cells are typed.

    text: always a text cell (NIK, No. KK, phone, codes); number: int/float as a
    number; date: an ISO date shown dd/mm/yyyy; time: a stored timestamp shown
    in local time (the header should name the zone, see `time_header`).
    """

    title: str
    kind: Kind = "text"
    width: int | None = None
    wrap: bool = False  # long text (a comment) wraps within the column's width


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def time_header(title: str) -> str:
    """'Diajukan' → 'Diajukan (WITA)': the zone the times are in, named as people say it."""
    return f"{title} ({zone_label()})"


def neutralise(text: str) -> str:
    """Keep a spreadsheet program from running a CSV cell as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _csv_cell(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "time":
        moment = local_naive(value) if isinstance(value, str | dt.datetime) else None
        return moment.strftime("%d/%m/%Y %H:%M") if moment else neutralise(str(value))
    if column.kind == "date":
        day = _as_date(value)
        return day.strftime("%d/%m/%Y") if day else neutralise(str(value))
    if column.kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        # Indonesian Excel reads "28,6" as a number; "28.6" would be text (or a date).
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).replace(".", ",")
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    return neutralise(str(value))


def csv_stream(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """A `;`-separated UTF-8 CSV with BOM and CRLF line ends, streamed line by line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    yield codecs.BOM_UTF8
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c, v) for c, v in zip(columns, row, strict=False)])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode()


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(csv_stream(columns, rows))


def _xlsx_cell(sheet: Any, column: Column, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or value == "":
        return None
    if column.kind == "time":
        moment = local_naive(value) if isinstance(value, str | dt.datetime) else None
        if moment is not None:
            cell = WriteOnlyCell(sheet, value=moment)
            cell.number_format = TIME_FORMAT
            return cell
    elif column.kind == "date":
        day = _as_date(value)
        if day is not None:
            cell = WriteOnlyCell(sheet, value=day)
            cell.number_format = DATE_FORMAT
            return cell
    elif column.kind == "number" and isinstance(value, int | float):
        return value
    if isinstance(value, bool):
        value = "Ya" if value else "Tidak"
    cell = WriteOnlyCell(sheet, value=None)
    # Set after construction: openpyxl would read a leading "=" as a formula.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.data_type = "s"
    cell.number_format = "@"
    if column.wrap:
        from openpyxl.styles import Alignment

        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def write_xlsx(
    sheets: Sequence[Sheet], out: IO[bytes], *, stamp: dt.datetime | None = None
) -> None:
    """Write a workbook, one sheet per `Sheet`, into `out` (a seekable binary file).

    With `stamp`, every entry and the document properties carry that time, so
    the same rows give the same bytes (a rebuilt batch volume is identical).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title[:31])
        for index, column in enumerate(spec.columns, start=1):
            dimension = sheet.column_dimensions[get_column_letter(index)]
            dimension.width = column.width or max(12, min(40, len(column.title) + 4))
        sheet.freeze_panes = "A2"
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            sheet.append([_xlsx_cell(sheet, c, v) for c, v in zip(spec.columns, row, strict=False)])
    if stamp is None:
        workbook.save(out)
        return
    workbook.properties.created = stamp
    with tempfile.TemporaryFile() as raw:
        workbook.save(raw)
        raw.seek(0)
        _repack(raw, out, stamp)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


def xlsx_file(sheets: Sequence[Sheet], *, stamp: dt.datetime | None = None) -> IO[bytes]:
    """The workbook in a temporary file (in memory up to SPOOL_BYTES), rewound, to stream."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    write_xlsx(sheets, spool, stamp=stamp)
    spool.seek(0)
    return spool


def file_chunks(source: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """A response body from a temporary file, closed once sent (or when the client leaves)."""
    with source:
        while chunk := source.read(size):
            yield chunk


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*")


def _repack(source: IO[bytes], out: IO[bytes], stamp: dt.datetime) -> None:
    """Copy a workbook's zip with `stamp` as every entry's time and as its save time."""
    moment = stamp.astimezone(dt.UTC) if stamp.tzinfo else stamp
    when = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            if item.filename == "docProps/core.xml":
                copy.writestr(info, _CORE_TIMES.sub(rb"\g<1>" + when, original.read(item)))
                continue
            with original.open(item) as reader, copy.open(info, "w") as writer:
                shutil.copyfileobj(reader, writer, 64 * 1024)
