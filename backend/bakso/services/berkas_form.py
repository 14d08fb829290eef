"""berkas.pdf's form pages: every field of the request under its label, a heading per section.

Sections are printed in the definition's order, cut into blocks of consecutive sections
that fill the same requirement (F-2.01's child, parents, reporter and witnesses all fill
`F201`). The photos of that requirement (the signed form) follow the last block that
fills it, so the typed data and the signed paper it came from lie side by side; a block
after photos starts a new page (docs/forms.md "Carried to Dukcapil").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import form_view

LABEL_WIDTH = 62.0  # mm; the value wraps in the rest of the line
LINE = 5.0  # mm per line of 9 pt text
KEEP_WITH_HEADING = 25.0  # mm: a heading never ends a page alone


def latin1(text: object) -> str:
    # The PDF core fonts cover Latin-1 only; names here are Latin script, and a
    # stray typographic quote must not stop a whole batch.
    normalised = unicodedata.normalize("NFKC", str(text)).replace("—", "-").replace("–", "-")
    return normalised.encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class Block:
    fills: str | None
    sections: tuple[form_view.ShownSection, ...]


def blocks(sections: Sequence[form_view.ShownSection]) -> list[Block]:
    """Consecutive sections filling the same requirement, in order."""
    out: list[Block] = []
    for section in sections:
        if out and out[-1].fills == section.fills:
            out[-1] = Block(section.fills, (*out[-1].sections, section))
        else:
            out.append(Block(section.fills, (section,)))
    return out


def photos_after(parts: Sequence[Block], with_scans: set[str]) -> dict[int, str]:
    """Block index → the requirement whose photos follow it: the last block filling it."""
    last: dict[str, int] = {}
    for index, block in enumerate(parts):
        if block.fills and block.fills in with_scans:
            last[block.fills] = index
    return {index: code for code, index in last.items()}


def new_pdf(caption: str, *, cover: bool) -> Any:
    """An A4 document; each page but a cover carries `caption` (a page that falls out of its
    folder still says whose it is)."""
    from fpdf import FPDF

    class Pages(FPDF):
        def header(self) -> None:
            if cover and self.page_no() == 1:
                return
            self.set_font("Helvetica", "", 8)
            self.cell(0, 5, latin1(caption), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

    pdf = Pages(unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=10.0)
    return pdf


def render(pdf: Any, block: Block) -> None:
    """One block's sections: heading, then label and value per field; items numbered."""
    for section in block.sections:
        _heading(pdf, section.label, 11, space=3)
        if section.repeat and not section.items:
            pdf.set_font("Helvetica", "I", 9)
            pdf.cell(0, LINE, "(tidak ada)", new_x="LMARGIN", new_y="NEXT")
        for number, item in enumerate(section.items, start=1):
            if section.repeat:
                _heading(pdf, f"{section.label} {number}", 9.5, space=1)
            for shown in item:
                _row(pdf, shown.label, form_view.text(shown))


def _heading(pdf: Any, text: str, size: float, *, space: float) -> None:
    pdf.ln(space)
    if pdf.get_y() > pdf.h - pdf.b_margin - KEEP_WITH_HEADING:
        pdf.add_page()
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(0, LINE + 1, latin1(text), new_x="LMARGIN", new_y="NEXT")


def _row(pdf: Any, label: str, value: str) -> None:
    """Label and value side by side, each wrapping; the pair is never split across pages."""
    width = pdf.w - pdf.l_margin - pdf.r_margin - LABEL_WIDTH
    pdf.set_font("Helvetica", "", 9)
    label_lines = pdf.multi_cell(LABEL_WIDTH, LINE, latin1(label), dry_run=True, output="LINES")
    pdf.set_font("Helvetica", "B", 9)
    value_lines = pdf.multi_cell(width, LINE, latin1(value), dry_run=True, output="LINES")
    height = LINE * max(len(label_lines), len(value_lines), 1)
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(LABEL_WIDTH, LINE, latin1(label), new_x="RIGHT", new_y="TOP")
    pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(width, LINE, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, top + height)
