"""The desa worklist for offline use, the templates, and the documented format."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import openpyxl

from bakso.domain import sasaran as rules
from helpers import DESA_A
from sasaran.support import HEADER, csv_file

DOC = Path(__file__).resolve().parents[2] / "docs" / "sasaran-import.md"


def test_unchanged_worklist_answers_304_to_its_etag_and_changes_after_a_followup(
    importer, api_factory
) -> None:
    importer.run(csv_file(f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,,"))
    op_a = api_factory("op.a")
    first = op_a.get("/api/v1/sasaran")
    etag = first.headers["ETag"]
    assert op_a.get("/api/v1/sasaran", headers={"If-None-Match": etag}).status_code == 304

    row_id = first.get_json()["items"][0]["id"]
    body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN"}
    assert op_a.post(f"/api/v1/sasaran/{row_id}/followup", json=body).status_code == 201

    changed = op_a.get("/api/v1/sasaran", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["revision"] == first.get_json()["revision"] + 1
    assert changed.get_json()["items"][0]["followup"]["outcome"] == "DITEMUKAN"


def test_worklist_pages_follow_the_cursor(importer, api_factory) -> None:
    lines = [f",Warga {i:02d},{DESA_A},Dusun {i},KK,," for i in range(5)]
    importer.run(csv_file(*lines))
    op_a = api_factory("op.a")
    names, cursor = [], ""
    while True:
        page = op_a.get(f"/api/v1/sasaran?limit=2&cursor={cursor}").get_json()
        names += [r["name"] for r in page["items"]]
        if page["cursor"] is None:
            break
        cursor = page["cursor"]
    assert names == [f"Warga {i:02d}" for i in range(5)]


def test_csv_template_has_the_documented_columns(api_factory) -> None:
    response = api_factory("dukcapil").get("/api/v1/sasaran/template.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    header, example = response.data.decode("utf-8-sig").strip().split("\r\n")
    assert header == HEADER.replace(",", ";")
    cells = dict(zip(HEADER.split(","), example.split(";"), strict=True))
    assert cells["nik"] == "5203015708900001" and cells["dokumen"] == "KTP_EL,KK"
    assert cells["nama"].startswith("CONTOH")
    assert "attachment" in response.headers["Content-Disposition"]


def test_xlsx_template_has_the_columns_a_text_nik_column_and_a_guide(api_factory) -> None:
    response = api_factory("op.a").get("/api/v1/sasaran/template.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook["sasaran"]
    assert [c.value for c in sheet[1]] == HEADER.split(",")
    example = sheet[2]
    assert example[0].value == "5203015708900001" and example[0].data_type == "s"
    assert example[0].number_format == "@"
    guide = [row[0] for row in workbook["petunjuk"].iter_rows(values_only=True)]
    assert {d.code for d in rules.DOCUMENTS} <= set(guide)
    assert {c.value for c in rules.Category} <= set(guide)


def test_vocabulary_lists_codes_with_labels(api_factory) -> None:
    vocabulary = api_factory("op.a").get("/api/v1/sasaran/vocabulary").get_json()
    assert [d["code"] for d in vocabulary["documents"]][:2] == ["KTP_EL", "KK"]
    assert {"code": "LANSIA", "label": "Lansia"} in vocabulary["categories"]
    assert [o["code"] for o in vocabulary["outcomes"]] == [o.value for o in rules.Outcome]
    assert [c["name"] for c in vocabulary["columns"]] == HEADER.split(",")


def test_import_format_document_names_every_column_code_and_reason() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = [c.name for c in rules.COLUMNS] + [a for c in rules.COLUMNS for a in c.aliases]
    names += [d.code for d in rules.DOCUMENTS] + [d.service for d in rules.DOCUMENTS]
    names += [c.value for c in rules.Category] + [o.value for o in rules.Outcome]
    names += list(rules.OUTCOMES)
    names += [
        rules.UNKNOWN_DESA,
        rules.BAD_NIK,
        rules.DUPLICATE,
        rules.MISSING_NAME,
        rules.MISSING_ADDRESS,
        rules.MISSING_DOCUMENTS,
        rules.UNKNOWN_DOCUMENT,
        rules.UNKNOWN_CATEGORY,
        rules.TOO_LONG,
    ]
    missing = [name for name in names if f"`{name}`" not in text]
    assert missing == []
