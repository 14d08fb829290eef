"""The prefilled F-form's content, without HTTP: which fields a requirement prints, how a
stored value is shown, and how a wide repeating group is split into tables."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bakso.domain.forms import Choice, FieldDef, FormDefinition, SectionDef
from bakso.services.printed_form_pdf import CONTENT, NUMBER_COLUMN, _column_groups
from bakso.services.printed_forms import filled_by, form_code, shown


def _field(key: str, kind: str = "text", fills: str | None = None, **more: object) -> FieldDef:
    return FieldDef(key=key, label=key.title(), type=kind, required=False, fills=fills, **more)


def test_a_requirement_prints_its_sections_and_only_the_fields_that_fill_it() -> None:
    whole = SectionDef("reporter", "Pelapor", (_field("nik", "nik"), _field("name")), "F201")
    partly = SectionDef("family", "Keluarga", (_field("kk", "kk", "F101"), _field("note")))
    other = SectionDef("police", "Polisi", (_field("number"),), "SURAT_POLISI")
    definition = FormDefinition("X", "F-2.01", (whole, partly, other), ())

    assert [s.key for s in filled_by(definition, "F201")] == ["reporter"]
    (family,) = filled_by(definition, "F101")
    assert [f.key for f in family.fields] == ["kk"]  # "note" does not stand for F101
    assert filled_by(definition, "KTP") == []
    assert form_code("F201") == "F-2.01" and form_code("F103") == "F-1.03"


def test_values_are_shown_as_the_paper_form_writes_them() -> None:
    sex = _field("sex", "choice", choices=(Choice("P", "Perempuan"), Choice("L", "Laki-laki")))
    assert shown(sex, "P") == "Perempuan"
    assert shown(_field("born", "date"), "2026-10-02") == "02-10-2026"
    assert shown(_field("kg", "number"), 3.25) == "3,25"
    assert shown(_field("order", "number"), 2) == "2"
    assert shown(_field("has", "boolean"), True) == "Ya"
    assert shown(_field("has", "boolean"), False) == "Tidak"
    assert shown(_field("name"), None) == "" and shown(_field("name"), "") == ""


def test_a_wide_group_is_split_into_balanced_tables_that_each_fit_the_page() -> None:
    # Greedy filling would leave the last table with the name and one column (F-1.01 did).
    columns = [("Nama", 30.0)] + [(f"Kolom {i}", 26.0) for i in range(11)]
    groups = _column_groups(columns)
    assert len(groups) == 3
    for group in groups:
        assert group[0] == 0  # the name leads every table
        assert NUMBER_COLUMN + sum(columns[i][1] for i in group) <= CONTENT
        assert len(group) >= 3  # never a table of the name and one lone column
    assert sorted({i for g in groups for i in g}) == list(range(12))


def test_the_sheet_renders_without_any_value_as_an_empty_form() -> None:
    from bakso.services.printed_form_pdf import Block, Sheet, Signature, render_sheet

    sheet = Sheet(
        "F-2.01",
        "FORMULIR",
        "Akta",
        "LT-AAAA-BBBB",
        [("Desa/Kelurahan", "X")],
        [Block("Saksi I", [("Nama saksi", "")])],
        [Signature("Pelapor", "")],
        "",
        "F-2.01",
    )
    text = PdfReader(io.BytesIO(render_sheet(sheet))).pages[0].extract_text()
    assert "Nama saksi" in text and "LT-AAAA-BBBB" in text
