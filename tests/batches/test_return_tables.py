"""The bulk return's table as Excel with Indonesian settings saves it (#14): `;` CSV in the
Windows code page, XLSX, Indonesian headers; a missing column named; the template."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

from bakso.bootstrap import Services
from bakso.domain.lifecycle import Status
from bakso.services.return_files import read_table
from bakso.services.spreadsheets import XLSX_TYPE
from batches.test_returns import described, drain, issued_pdf, processing_requests, report, zip_of
from helpers import Api


def send_table(
    dk: Api, services: Services, name: str, data: bytes, kind: str, zip_bytes: bytes | None = None
) -> dict[str, Any]:
    body = {
        "table": described(name, data, kind),
        "pdfs": described("terbit.zip", zip_bytes, "application/zip") if zip_bytes else None,
    }
    response = dk.post("/api/v1/returns", json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert dk.upload(created["uploads"]["table"], data).status_code == 200
    if zip_bytes is not None:
        assert dk.upload(created["uploads"]["pdfs"], zip_bytes).status_code == 200
    started = dk.post(f"/api/v1/returns/{created['id']}/start")
    assert started.status_code == 202, started.get_json()
    drain(services)
    return dict(dk.get(f"/api/v1/returns/{created['id']}").get_json())


def test_a_semicolon_csv_saved_by_indonesian_excel_is_applied(api_factory, services) -> None:
    done_one, fixed, rejected = processing_requests(services, 3)
    # What Excel's "CSV (dipisahkan titik koma)" writes: ';', Windows-1252, its own headers.
    text = (
        "Kode Permohonan;Status;Alasan\r\n"
        f"{done_one.code};SELESAI;\r\n"
        f"{fixed.code.lower()};perlu perbaikan;Foto akta buram, mohon foto ulang\r\n"
        f"{rejected.code};DITOLAK;Data tidak cocok dengan SIAK – café\r\n"
    )
    data = text.encode("cp1252")
    zip_bytes = zip_of({f"{done_one.code}.pdf": issued_pdf("Akta")})
    dk = api_factory("dukcapil")
    done = send_table(dk, services, "hasil.csv", data, "application/vnd.ms-excel", zip_bytes)
    assert done["status"] == "DONE", done
    assert done["counts"] == {"applied": 3, "unchanged": 0, "refused": 0}
    records = services.records
    assert records.get_request(done_one.id).status is Status.SELESAI
    assert records.get_request(done_one.id).issued["state"] == "ok"
    assert records.get_request(fixed.id).status is Status.PERLU_PERBAIKAN
    assert records.get_request(rejected.id).status is Status.DITOLAK
    assert "café" in records.timeline(rejected.id)[-1].note  # the code page read right


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_return_is_applied(api_factory, services) -> None:
    processing, cancelled = processing_requests(services, 2)
    data = _xlsx(
        [
            ["Kode", "STATUS", "Catatan"],
            [processing.code, "Dokumen terbit", None],  # the label, as the template lists it
            [cancelled.code, "DIBATALKAN", "ganda di SIAK"],
        ]
    )
    dk = api_factory("dukcapil")
    done = send_table(dk, services, "Hasil Dukcapil.xlsx", data, XLSX_TYPE)
    assert done["status"] == "DONE", done
    assert [r["outcome"] for r in report(dk, done["id"])] == ["applied", "applied"]
    assert services.records.get_request(processing.id).status is Status.SELESAI
    assert services.records.get_request(cancelled.id).status is Status.DIBATALKAN


def test_a_missing_column_is_refused_naming_the_columns_found_and_expected(
    api_factory, services
) -> None:
    (made,) = processing_requests(services, 1)
    data = f"Nomor;Keadaan\r\n{made.code};SELESAI\r\n".encode()
    dk = api_factory("dukcapil")
    failed = send_table(dk, services, "hasil.csv", data, "text/csv")
    assert failed["status"] == "FAILED"
    error = failed["error"]
    assert "Kolom 'Kode permohonan' (atau 'Kode') dan 'Status' tidak ada" in error
    assert "Kolom yang ditemukan: 'Nomor', 'Keadaan'" in error
    assert "Kolom yang diharapkan: Kode permohonan, Status, Catatan" in error
    assert services.records.get_request(made.id).status is Status.DIPROSES


def test_an_xlsx_that_is_not_a_zip_is_refused_at_start(api_factory) -> None:
    dk = api_factory("dukcapil")
    data = b"Kode;Status\r\nLT-1;SELESAI\r\n"
    created = dk.post(
        "/api/v1/returns", json={"table": described("hasil.xlsx", data, XLSX_TYPE)}
    ).get_json()
    assert dk.upload(created["uploads"]["table"], data).status_code == 200
    started = dk.post(f"/api/v1/returns/{created['id']}/start")
    assert started.status_code == 422
    assert "bukan XLSX" in started.get_json()["detail"]


def test_the_templates_read_back_with_the_return_reader_and_list_the_statuses(
    api_factory,
) -> None:
    dk = api_factory("dukcapil")
    as_csv = dk.get("/api/v1/returns/template.csv")
    assert as_csv.status_code == 200
    assert as_csv.data.startswith(b"\xef\xbb\xbfKode permohonan;Status;Catatan\r\n")
    entries, _ = read_table(as_csv.data, max_rows=10)
    assert [(e.code, e.status) for e in entries] == [("LT-0000-0000", "SELESAI")]
    assert "DITERIMA, DIPROSES, PERLU_PERBAIKAN, DITOLAK, SELESAI, DIBATALKAN" in entries[0].note

    as_xlsx = dk.get("/api/v1/returns/template.xlsx")
    assert as_xlsx.status_code == 200 and as_xlsx.mimetype == XLSX_TYPE
    entries, _ = read_table(as_xlsx.data, max_rows=10, kind="xlsx")
    assert [(e.code, e.status) for e in entries] == [("LT-0000-0000", "SELESAI")]
    workbook = load_workbook(io.BytesIO(as_xlsx.data))
    code_cell = workbook.worksheets[0]["A2"]
    assert code_cell.data_type == "s" and code_cell.number_format == "@"
    guide = {row[0]: row[1] for row in workbook["status"].iter_rows(values_only=True) if row[0]}
    assert guide["SELESAI"] == "Dokumen terbit"
    assert guide["PERLU_PERBAIKAN"] == "Perlu perbaikan"
    assert "DRAF" not in guide and "DISERAHKAN" not in guide  # not Dukcapil's to set

    paths = dk.get("/api/openapi.json").get_json()["paths"]
    assert "/api/v1/returns/template.xlsx" in paths and "/api/v1/returns/template.csv" in paths
