"""The A4 layout of a prefilled F-form (services/printed_forms.py builds the `Sheet`).

After the Permendagri 109/2019 forms: the form's number boxed top left, its title, the
kabupaten/kecamatan/desa, each section as labelled boxes (a long repeating group, the
family members of F-1.01, as tables), then the signature blocks. Every page carries the
request's code and a QR of it (the code only: no personal data) in its top right corner,
so a page photographed on its own still says which request it belongs to, and the small
print says under which requirement to photograph it.

The QR is a PNG image rather than vector paths: a raster the tests can take back out of
the PDF (pypdf) and decode (zxing-cpp) without a PDF renderer, and printers render it
sharp at 8 pixels per module.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

PAGE_WIDTH, MARGIN = 210.0, 12.0
CONTENT = PAGE_WIDTH - 2 * MARGIN
QR_SIZE = 24.0
TOP = 36.0  # where the content starts below the header and its QR
BOTTOM = 18.0  # kept free for the small print
SIGNATURE_HEIGHT = 40.0
# A table column's width (mm) by field type, a choice's by its longest label; each
# table's columns are then scaled to the page width. A repeating group wider than the
# page continues in another table.
COLUMN_WIDTH = {"nik": 29.0, "kk": 29.0, "date": 18.0, "time": 11.0, "boolean": 13.0}
COLUMN_DEFAULT = {"text": 30.0, "number": 14.0}
CHOICE_WIDTH = (19.0, 26.0)  # the narrowest and widest choice column
MM_PER_CHARACTER = 1.4  # Helvetica at the tables' 7.5 pt, an average letter
NUMBER_COLUMN = 7.0
GREY = (230, 230, 230)


@dataclass(frozen=True)
class Block:
    """A single section, or one item of a short repeating group: label → value boxes."""

    title: str
    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Grid:
    """A long repeating group: one row per item, columns (label, width in mm)."""

    title: str
    columns: list[tuple[str, float]]
    rows: list[list[str]]


@dataclass(frozen=True)
class Signature:
    role: str
    name: str


@dataclass(frozen=True)
class Sheet:
    form_code: str  # "F-2.01"
    title: str
    subtitle: str  # the service's label
    request_code: str
    places: list[tuple[str, str]]
    parts: Sequence[Block | Grid]
    signatures: list[Signature]
    desa_name: str
    requirement_label: str


def latin1(text: object) -> str:
    # The PDF core fonts cover Latin-1 only; a stray typographic quote must not fail a print.
    normalised = unicodedata.normalize("NFKC", str(text))
    return normalised.encode("latin-1", "replace").decode("latin-1")


def qr_png(code: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(code, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def render_sheet(sheet: Sheet) -> bytes:
    # fpdf2 costs ~0.3 s to import; only this route and the worker need it.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    qr = qr_png(sheet.request_code)

    class FormPdf(FPDF):
        def header(self) -> None:
            self.image(io.BytesIO(qr), x=PAGE_WIDTH - MARGIN - QR_SIZE, y=6, w=QR_SIZE, h=QR_SIZE)
            self.set_xy(PAGE_WIDTH - MARGIN - QR_SIZE - 8, 6 + QR_SIZE)
            self.set_font("Helvetica", "B", 8)
            self.cell(QR_SIZE + 8, 4, latin1(sheet.request_code), align="C")
            self.set_xy(MARGIN, 8)
            self.set_font("Helvetica", "B", 11)
            self.cell(24, 8, latin1(sheet.form_code), border=1, align="C")
            if self.page_no() == 1:
                self.set_xy(MARGIN + 28, 8)
                self.set_font("Helvetica", "B", 12)
                width = CONTENT - 28 - QR_SIZE - 10
                self.multi_cell(width, 5.5, latin1(sheet.title), align="C")
                self.set_x(MARGIN + 28)
                self.set_font("Helvetica", "", 10)
                self.multi_cell(width, 5, latin1(sheet.subtitle), align="C")
            else:
                self.set_xy(MARGIN + 28, 9)
                self.set_font("Helvetica", "", 9)
                width = CONTENT - 28 - QR_SIZE - 10
                self.multi_cell(width, 4.5, latin1(f"{sheet.title} (lanjutan)"))
            self.set_y(TOP)

        def footer(self) -> None:
            self.set_y(-BOTTOM + 4)
            self.set_font("Helvetica", "", 7)
            note = (
                "Formulir ini dicetak oleh BAKSO; tanda tangani lalu foto halaman ini pada "
                f"persyaratan {sheet.requirement_label}"
            )
            self.multi_cell(CONTENT - 40, 3.5, latin1(note))
            self.set_xy(PAGE_WIDTH - MARGIN - 40, -BOTTOM + 4)
            self.cell(
                40, 3.5, latin1(f"{sheet.request_code}  hlm {self.page_no()}/{{nb}}"), align="R"
            )

    pdf = FormPdf(unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM)
    pdf.set_title(latin1(f"{sheet.form_code} {sheet.request_code}"))
    pdf.set_creator("BAKSO")
    pdf.add_page()
    label_style = FontFace(emphasis="", size_pt=6.5, fill_color=GREY)
    value_style = FontFace(emphasis="B", size_pt=8.5)
    heading_style = FontFace(emphasis="B", size_pt=8.5, fill_color=(200, 200, 200))

    pdf.set_font("Helvetica", "", 9)
    places = [*sheet.places, ("Kode permohonan", sheet.request_code)]
    _pairs(pdf, "Wilayah", places, label_style, value_style, heading_style)
    for part in sheet.parts:
        pdf.ln(1.5)
        if isinstance(part, Block):
            _pairs(pdf, part.title, part.pairs, label_style, value_style, heading_style)
        else:
            _grid(pdf, part, label_style, heading_style)
    _signatures(pdf, sheet)
    return bytes(pdf.output())


def _pairs(
    pdf: FPDF,
    title: str,
    pairs: Sequence[tuple[str, str]],
    label: FontFace,
    value: FontFace,
    heading: FontFace,
) -> None:
    """Two label/value boxes per row under a heading row (repeated after a page break)."""
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(
        col_widths=(34, 59, 34, 59),
        width=CONTENT,
        line_height=4.2,
        text_align="LEFT",
        headings_style=heading,
        padding=(0.6, 1.2),
    ) as table:
        table.row().cell(latin1(title), colspan=4)
        for i in range(0, len(pairs), 2):
            row = table.row()
            for name, shown in pairs[i : i + 2]:
                row.cell(latin1(name), style=label)
                row.cell(latin1(shown), style=value)
            if len(pairs[i : i + 2]) == 1:
                row.cell("", style=label)
                row.cell("", style=value)


def column_width(kind: str, longest_choice: int = 0) -> float:
    """A table column's width for a field of this type (a choice: its longest label)."""
    if kind == "choice":
        low, high = CHOICE_WIDTH
        return min(max(longest_choice * MM_PER_CHARACTER + 2, low), high)
    return COLUMN_WIDTH.get(kind, COLUMN_DEFAULT.get(kind, 26.0))


def _column_groups(columns: Sequence[tuple[str, float]]) -> list[list[int]]:
    """The columns of each table of a wide group, the first column (the member's name, in
    F-1.01) repeated in every continuation table: as few tables as fit the page, their
    columns spread evenly so that no table is left with one column."""
    fewest = len(_fill(columns, CONTENT))
    narrowest = CONTENT
    while narrowest > CONTENT / 2 and len(_fill(columns, narrowest - 2)) <= fewest:
        narrowest -= 2
    return _fill(columns, narrowest)


def _fill(columns: Sequence[tuple[str, float]], limit: float) -> list[list[int]]:
    """Columns in order, a new table whenever the next would pass `limit` mm."""
    groups: list[list[int]] = []
    current: list[int] = []
    used = NUMBER_COLUMN
    for index, (_, width) in enumerate(columns):
        if current and current != [0] and used + width > limit:
            groups.append(current)
            current, used = [0], NUMBER_COLUMN + columns[0][1]
        current.append(index)
        used += width
    if current:
        groups.append(current)
    return groups


def _grid(pdf: FPDF, grid: Grid, label: FontFace, heading: FontFace) -> None:

    groups = _column_groups(grid.columns)
    for number, group in enumerate(groups):
        widths = [NUMBER_COLUMN, *(grid.columns[i][1] for i in group)]
        scale = CONTENT / sum(widths)
        title = grid.title if len(groups) == 1 else f"{grid.title} ({number + 1}/{len(groups)})"
        pdf.set_font("Helvetica", "", 7.5)
        with pdf.table(
            col_widths=[w * scale for w in widths],
            width=CONTENT,
            line_height=4,
            text_align="LEFT",
            headings_style=heading,
            num_heading_rows=2,
            padding=(0.6, 0.8),
        ) as table:
            table.row().cell(latin1(title), colspan=len(widths))
            names = table.row()
            names.cell("No", style=label)
            for i in group:
                names.cell(latin1(grid.columns[i][0]), style=label)
            for row_number, values in enumerate(grid.rows, start=1):
                row = table.row()
                row.cell(str(row_number))
                for i in group:
                    row.cell(latin1(values[i]))
        pdf.ln(1.5)


def _signatures(pdf: FPDF, sheet: Sheet) -> None:
    if pdf.get_y() + SIGNATURE_HEIGHT > pdf.h - BOTTOM:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 9)
    place = sheet.desa_name or "...................."
    pdf.cell(0, 5, latin1(f"{place}, tanggal ...................."), align="R")
    pdf.ln(7)
    blocks = [("Mengetahui,\nKepala Desa/Lurah", ""), *((s.role, s.name) for s in sheet.signatures)]
    width = CONTENT / len(blocks)
    top = pdf.get_y()
    for i, (role, name) in enumerate(blocks):
        x = MARGIN + i * width
        pdf.set_xy(x, top)
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.multi_cell(width, 4.5, latin1(role), align="C")
        pdf.set_xy(x, top + 24)
        pdf.set_font("Helvetica", "", 8.5)
        shown = f"( {name} )" if name else "( ........................ )"
        pdf.multi_cell(width, 4.5, latin1(shown), align="C")
    pdf.set_y(top + SIGNATURE_HEIGHT - 8)
