"""The form's fields reach Dukcapil: manifest.json, the manifest tables, and berkas.pdf.

A KK_BARU with three members and an AKTA_LAHIR (two witnesses) in one batch: every
field is in manifest.json under its forms.json label; manifest.csv / the first sheet
carry the single-valued fields; each repeating group has its own CSV and sheet, a row
per member or witness keyed by the request's code; berkas.pdf prints the values and
places the signed form's photos right after the data (docs/forms.md "Carried to Dukcapil").
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from pypdf import PdfReader

from batches.test_batches import build_batch, download_zip
from helpers import draft, fake_jpeg, submit_ready

VECTORS = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"


def _valid(service: str) -> dict[str, Any]:
    fields: dict[str, Any] = copy.deepcopy(json.loads(VECTORS.read_text())["valid"][service])
    return fields


def _kk_fields() -> dict[str, Any]:
    fields = _valid("KK_BARU")
    # A spreadsheet would run this as a formula; the manifest must show it as text.
    fields["family"]["address"] = '=HYPERLINK("http://x","Dusun Tanjung")'
    return fields


def _kk_request(op: Any, services: Any) -> dict[str, Any]:
    created = op.create(draft(service="KK_BARU", subject=None, fields=_kk_fields()))
    for requirement in ("F101", "BUKU_NIKAH"):
        op.attach(created["id"], requirement, fake_jpeg(created["id"] + requirement))
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    from bakso.workers.handlers import drain_once

    drain_once(services)
    return dict(submitted.get_json())


def _batch(api_factory: Any, services: Any) -> tuple[zipfile.ZipFile, str, str]:
    op = api_factory("op.a")
    kk = _kk_request(op, services)
    akta = submit_ready(op, services, draft(fields=_valid("AKTA_LAHIR")))
    dk = api_factory("dukcapil")
    archive = download_zip(dk, build_batch(dk, services)["id"])
    return archive, kk["code"], akta["code"]


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_manifest_json_carries_every_field_with_its_label_and_raw_value(
    api_factory, services
) -> None:
    archive, kk_code, akta_code = _batch(api_factory, services)
    manifest = json.loads(archive.read("manifest.json"))
    rows = {r["code"]: r for r in manifest["requests"]}

    kk = rows[kk_code]
    assert kk["fields"] == _kk_fields()  # raw, for a program
    assert kk["form"]["name"] == "F-1.01 (biodata keluarga)"
    family, members = kk["form"]["sections"]
    assert (family["key"], family["label"], family["fills"]) == ("family", "Data keluarga", "F101")
    assert {"key": "rt", "label": "RT", "type": "text", "value": "001"} in family["fields"]
    assert members["label"] == "Anggota keluarga"
    assert [item["number"] for item in members["items"]] == [1, 2, 3]
    head = {f["key"]: f for f in members["items"][0]["fields"]}
    assert head["relationship"] == {
        "key": "relationship",
        "label": "Status hubungan dalam keluarga",
        "type": "choice",
        "value": "KEPALA_KELUARGA",
        "value_label": "Kepala keluarga",
    }
    assert head["nik"]["value"] == "5203011708850001"
    # Every field of the definition, an empty one too (the wife has no blood type given).
    wife = {f["key"]: f for f in members["items"][1]["fields"]}
    assert len(wife) == 15 and wife["blood_type"]["value"] is None

    akta = rows[akta_code]
    sections = {s["key"]: s for s in akta["form"]["sections"]}
    assert list(sections) == ["subject", "mother", "father", "reporter", "witnesses"]
    child = {f["key"]: f for f in sections["subject"]["fields"]}
    assert child["name"]["label"] == "Nama anak" and child["name"]["value"] == "Muhammad Rizki"
    assert child["sex"]["value_label"] == "Laki-laki"
    assert [i["fields"][1]["value"] for i in sections["witnesses"]["items"]] == [
        "Lalu Ahmad",
        "Baiq Nurul",
    ]


def test_manifest_csv_has_the_single_fields_and_each_group_its_own_csv(
    api_factory, services
) -> None:
    archive, kk_code, akta_code = _batch(api_factory, services)
    names = set(archive.namelist())
    assert {"anggota_keluarga.csv", "saksi.csv"} <= names
    sums = archive.read("SHA256SUMS").decode()
    assert "  anggota_keluarga.csv\n" in sums and "  saksi.csv\n" in sums

    rows = {r["Kode permohonan"]: r for r in _csv(archive, "manifest.csv")}
    assert len(rows) == 2  # still one row per request
    kk, akta = rows[kk_code], rows[akta_code]
    assert kk["Data keluarga — Nama kepala keluarga"] == "Ahmad Fauzi"
    assert kk["Data keluarga — RT"] == "001"
    assert kk["Data keluarga — Alamat"] == '\'=HYPERLINK("http://x","Dusun Tanjung")'
    assert kk["Data anak — Nama anak"] == ""  # another service's column
    assert akta["Data anak — Nama anak"] == "Muhammad Rizki"
    assert akta["Data anak — Jenis kelamin"] == "Laki-laki"
    assert akta["Data anak — Tanggal lahir"] == "02/10/2026"
    assert akta["Data anak — Berat bayi (kg)"] == "3,25"  # Indonesian Excel's decimal mark
    assert akta["Data ibu — NIK ibu"] == "5203015708900001"
    assert "Saksi — NIK saksi" not in akta  # a group is not squeezed into one row

    members = _csv(archive, "anggota_keluarga.csv")
    assert [(m["Kode permohonan"], m["No."]) for m in members] == [
        (kk_code, "1"),
        (kk_code, "2"),
        (kk_code, "3"),
    ]
    assert [m["NIK"] for m in members] == [
        "5203011708850001",
        "5203015708900001",
        "5203010303150003",
    ]
    assert members[0]["Status hubungan dalam keluarga"] == "Kepala keluarga"
    assert members[0]["Memiliki akta kelahiran"] == "Ya"
    assert members[2]["Tanggal lahir"] == "03/03/2015"
    witnesses = _csv(archive, "saksi.csv")
    assert [(w["Kode permohonan"], w["No."], w["Nama saksi"]) for w in witnesses] == [
        (akta_code, "1", "Lalu Ahmad"),
        (akta_code, "2", "Baiq Nurul"),
    ]


def test_manifest_xlsx_has_a_sheet_per_group_with_a_row_per_member(api_factory, services) -> None:
    archive, kk_code, akta_code = _batch(api_factory, services)
    book = openpyxl.load_workbook(io.BytesIO(archive.read("manifest.xlsx")))
    assert book.sheetnames == ["manifest", "Anggota keluarga", "Saksi"]

    sheet = book["Anggota keluarga"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Kode permohonan", "Layanan", "No."]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(r["Kode permohonan"].value, r["No."].value) for r in rows] == [
        (kk_code, 1),
        (kk_code, 2),
        (kk_code, 3),
    ]
    for row in rows:  # a NIK as a number would lose its last digit in Excel
        assert row["NIK"].data_type == "s" and len(row["NIK"].value) == 16
    assert rows[0]["Tanggal lahir"].value == dt.datetime(1985, 8, 17)
    assert rows[0]["Agama"].value == "Islam"

    requests = book["manifest"]
    header = [c.value for c in requests[1]]
    by_code = {
        row[0].value: dict(zip(header, row, strict=True)) for row in requests.iter_rows(min_row=2)
    }
    kk = by_code[kk_code]
    assert kk["Data keluarga — RT"].data_type == "s" and kk["Data keluarga — RT"].value == "001"
    previous = kk["Data keluarga — No. KK semula (bila ada)"]
    assert previous.data_type == "s" and previous.value == "5203011203180002"
    assert kk["Data keluarga — Alamat"].data_type == "s"  # never a formula
    assert by_code[akta_code]["Data anak — Tanggal lahir"].value == dt.datetime(2026, 10, 2)
    assert by_code[akta_code]["Data anak — Berat bayi (kg)"].value == 3.25

    witnesses = [[c.value for c in row] for row in book["Saksi"].iter_rows(min_row=2)]
    assert [(w[0], w[2]) for w in witnesses] == [(akta_code, 1), (akta_code, 2)]


def _page_texts(archive: zipfile.ZipFile, code: str) -> list[str]:
    reader = PdfReader(io.BytesIO(archive.read(f"{code}/berkas.pdf")))
    return [page.extract_text() for page in reader.pages]


def test_berkas_pdf_prints_the_fields_and_puts_the_signed_form_beside_its_data(
    api_factory, services
) -> None:
    archive, kk_code, akta_code = _batch(api_factory, services)

    akta = _page_texts(archive, akta_code)
    data = "\n".join(akta[:-5])  # the cover and data pages, before the 5 photo pages
    for typed in (
        "Data anak",
        "Nama anak",
        "Muhammad Rizki",
        "Laki-laki",  # a choice by its label
        "2 Oktober 2026",
        "07:05",
        "3,25",
        "Data ibu",
        "5203015708900001",
        "Saksi 1",
        "Lalu Ahmad",
        "Saksi 2",
        "Baiq Nurul",
    ):
        assert typed in data, typed
    # The data runs over a second page, each page after the cover naming the request.
    assert len(akta) == 7 and akta[1].startswith(f"{akta_code} - F-2.01 (kelahiran) (lanjutan)")
    # The signed F-2.01 right after the data it came from, then the other documents.
    photos = [text.split("\n", 1)[0] for text in akta[-5:]]
    assert photos[0] == f"{akta_code} - Formulir F-2.01 (halaman 1)", photos
    assert "Formulir F-2.01" not in " ".join(photos[1:])

    kk = _page_texts(archive, kk_code)
    data = "\n".join(kk[:-2])
    for typed in ("Anggota keluarga 3", "5203010303150003", "Kepala keluarga", "Ya"):
        assert typed in data, typed
    assert kk[-2].startswith(f"{kk_code} - Formulir F-1.01"), kk[-2][:80]
    assert kk[-1].startswith(f"{kk_code} - Buku nikah"), kk[-1][:80]
