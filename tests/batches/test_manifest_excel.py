"""The batch manifest opens right in Excel with Indonesian settings (docs/excel.md).

`manifest.csv` is `;`-separated with a BOM; `manifest.xlsx` has NIK, No. KK and
phone as text cells (Excel would show 5,20302E+15 and drop the last digit, and
drop a phone's leading 0); times are in the kabupaten's time, named in the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import openpyxl

from batches.test_batches import build_batch, download_zip
from helpers import KK, NIK_WOMAN, draft, submit_ready


def _volume(api_factory, services) -> tuple[zipfile.ZipFile, dict, dict]:
    op = api_factory("op.a")
    body = draft()
    body["applicant"] = {**body["applicant"], "address": "Dusun Lauk RT 02, Keruak"}
    submitted = submit_ready(op, services, body)
    dk = api_factory("dukcapil")
    archive = download_zip(dk, build_batch(dk, services)["id"])
    stored = services.records.get_request(submitted["id"])
    return archive, submitted, {"submitted_at": stored.status_since}


def _wita(iso: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(iso)
    return (moment.astimezone(dt.UTC) + dt.timedelta(hours=8)).replace(tzinfo=None, microsecond=0)


def test_manifest_xlsx_keeps_nik_kk_and_phone_as_text_and_times_in_wita(
    api_factory, services
) -> None:
    archive, submitted, stored = _volume(api_factory, services)
    assert "manifest.xlsx" in archive.namelist()
    sums = archive.read("SHA256SUMS").decode()
    assert "  manifest.xlsx\n" in sums

    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("manifest.xlsx"))).active
    header = [c.value for c in sheet[1]]
    assert header[:9] == [
        "Kode permohonan",
        "Layanan",
        "Desa",
        "Kecamatan",
        "NIK pemohon",
        "Nama pemohon",
        "No. KK",
        "No. HP",
        "Alamat",
    ]
    assert "Diajukan (WITA)" in header
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["Kode permohonan"].value == submitted["code"]
    for name, expected in (("NIK pemohon", NIK_WOMAN), ("No. KK", KK)):
        assert row[name].data_type == "s" and row[name].value == expected
        assert len(row[name].value) == 16
    assert row["No. HP"].data_type == "s" and row["No. HP"].value == "081234567890"
    assert row["Alamat"].value == "Dusun Lauk RT 02, Keruak"
    assert row["Diajukan (WITA)"].value == _wita(stored["submitted_at"])
    # The child of the form's "Data anak" (the subject agrees with it: docs/forms.md).
    assert row["Tanggal lahir subjek"].value == dt.datetime(2026, 10, 2)


def test_manifest_csv_is_semicolon_separated_with_bom_and_wita_times(api_factory, services) -> None:
    archive, submitted, stored = _volume(api_factory, services)
    raw = archive.read("manifest.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    # The 15 request columns, then the form's single-valued fields (test_manifest_fields.py).
    assert text.splitlines()[0].split(";")[:3] == ["Kode permohonan", "Layanan", "Desa"]
    assert text.splitlines()[0].split(";")[14] == "Jumlah berkas"
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 1
    row = rows[0]
    assert row["Kode permohonan"] == submitted["code"]
    assert row["NIK pemohon"] == NIK_WOMAN and row["No. KK"] == KK
    assert row["No. HP"] == "081234567890"
    assert row["Alamat"] == "Dusun Lauk RT 02, Keruak"
    assert row["Diajukan (WITA)"] == _wita(stored["submitted_at"]).strftime("%d/%m/%Y %H:%M")
    assert row["Tanggal lahir subjek"] == "02/10/2026"
