"""Importing Dukcapil's list: the per-line report, re-imports, updates, file formats."""

from __future__ import annotations

import csv
import hashlib
import io
import uuid

import openpyxl

from bakso.domain.sasaran import COLUMNS
from helpers import DESA_A, DESA_B
from sasaran.support import XLSX_TYPE, csv_file, drain, worklist

NIK_SITI = "5203015708900001"  # Keruak, a woman born 17-08-1990
NIK_BAYU = "5203021505850003"  # Sakra, a man born 15-05-1985

MIXED = csv_file(
    f'{NIK_SITI},Siti Aminah,{DESA_A},Dusun Lendang RT 01,"KTP-el, KK",,',  # 2 accepted
    f",Amaq Saleh,{DESA_A},Dsn. Lendang RT 001,akta kelahiran,LANSIA,rumah ujung",  # 3 accepted
    f"12345,Inaq Sari,{DESA_A},Dusun Lendang,KK,,",  # 4 bad NIK
    ",Lalu Ahmad,52.03.99.2999,Dusun Baru,KK,,",  # 5 unknown desa
    f"{NIK_SITI},SITI AMINAH,{DESA_A},Dusun Lendang,KTP,,",  # 6 duplicate of 2 (NIK)
    f",amaq  saleh,{DESA_A},Dusun Lendang RT 1,KK,,",  # 7 duplicate of 3 (name key)
    f",Baiq Nur,{DESA_A},Dusun Lendang,SIM,,",  # 8 unknown document
    "",  # blank lines are not lines of data
    f"{NIK_BAYU},Bayu Saputra,5203022002,Dusun Sakra Timur,KTP_EL;KK,disabilitas,",  # 10 accepted
)
MIXED_REPORT = [
    (2, "accepted", None),
    (3, "accepted", None),
    (4, "refused", "BAD_NIK"),
    (5, "refused", "UNKNOWN_DESA"),
    (6, "refused", "DUPLICATE"),
    (7, "refused", "DUPLICATE"),
    (8, "refused", "UNKNOWN_DOCUMENT"),
    (10, "accepted", None),
]


def test_import_with_good_bad_and_duplicate_rows_reports_exactly_each_line(
    importer, api_factory
) -> None:
    done = importer.run(MIXED)
    assert done["status"] == "DONE"
    assert done["counts"] == {"accepted": 3, "updated": 0, "unchanged": 0, "refused": 5}
    assert done["lines_total"] == done["lines_done"] == 8
    assert importer.report(done["id"]) == MIXED_REPORT
    rows = importer.api.get(f"/api/v1/sasaran/import/{done['id']}/rows").get_json()["items"]
    messages = {r["line"]: r["message"] for r in rows}
    assert messages[4] == "NIK harus 16 digit (tertulis 5 digit)."
    assert messages[5] == "Kode desa '52.03.99.2999' tidak dikenal."
    assert messages[6] == "Duplikat: penduduk yang sama di baris 2."
    assert messages[7] == "Duplikat: penduduk yang sama di baris 3."
    assert messages[8] == "Dokumen tidak dikenal: SIM."

    desa_a = worklist(api_factory("op.a"))
    # The rentan resident comes first; documents are normalised to their codes.
    assert [(r["name"], r["category"]) for r in desa_a] == [
        ("Amaq Saleh", "LANSIA"),
        ("Siti Aminah", None),
    ]
    assert [d["code"] for d in desa_a[1]["documents"]] == ["KTP_EL", "KK"]
    assert desa_a[0]["note"] == "rumah ujung"
    desa_b = worklist(api_factory("op.b"))
    assert [(r["nik"], r["desa"], r["category"]) for r in desa_b] == [
        (NIK_BAYU, DESA_B, "DISABILITAS")
    ]


def test_importing_the_same_file_again_changes_nothing(importer, api_factory) -> None:
    first = importer.run(MIXED)
    op_a = api_factory("op.a")
    before = op_a.get("/api/v1/sasaran")
    coverage_before = importer.api.get("/api/v1/stats/coverage?level=desa").get_json()

    again = importer.run(MIXED)

    assert again["id"] != first["id"]
    assert again["counts"] == {"accepted": 0, "updated": 0, "unchanged": 3, "refused": 5}
    report = importer.report(again["id"])
    assert report == [
        (line, "unchanged" if outcome == "accepted" else outcome, reason)
        for line, outcome, reason in MIXED_REPORT
    ]
    after = op_a.get("/api/v1/sasaran")
    assert after.get_json() == before.get_json()
    assert after.headers["ETag"] == before.headers["ETag"]
    coverage_after = importer.api.get("/api/v1/stats/coverage?level=desa").get_json()
    assert coverage_after["items"] == coverage_before["items"]


def test_new_import_updates_a_row_by_nik_and_keeps_its_followup(importer, api_factory) -> None:
    importer.run(csv_file(f"{NIK_SITI},Siti Aminah,{DESA_A},Dusun Lendang,KTP,,"))
    op_a = api_factory("op.a")
    row = worklist(op_a)[0]
    recorded = op_a.post(
        f"/api/v1/sasaran/{row['id']}/followup",
        json={"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": "ada di rumah"},
    )
    assert recorded.status_code == 201

    done = importer.run(
        csv_file(f"{NIK_SITI},Siti Aminah binti Amaq,{DESA_A},Dusun Lendang Timur,KTP;KK,LANSIA,")
    )

    assert importer.report(done["id"]) == [(2, "updated", None)]
    [updated] = worklist(op_a)
    assert updated["id"] == row["id"]
    assert updated["name"] == "Siti Aminah binti Amaq"
    assert updated["address"] == "Dusun Lendang Timur"
    assert [d["code"] for d in updated["documents"]] == ["KTP_EL", "KK"]
    assert updated["category"] == "LANSIA"
    assert updated["followup"]["outcome"] == "DITEMUKAN"
    assert updated["followup"]["note"] == "ada di rumah"
    assert updated["version"] == row["version"] + 2  # the follow-up, then the import
    figures = op_a.get("/api/v1/stats/coverage").get_json()["total"]
    assert (figures["target"], figures["followed_up"]) == (1, 1)
    lansia = next(r for r in figures["rentan"] if r["category"] == "LANSIA")
    assert (lansia["target"], lansia["followed_up"]) == (1, 1)


def test_line_without_nik_updates_the_row_with_the_same_name_desa_and_address(
    importer, api_factory
) -> None:
    importer.run(csv_file(f",Amaq Saleh,{DESA_A},Dsn. Lendang RT 001,KK,,"))
    done = importer.run(csv_file(f"{NIK_BAYU},AMAQ SALEH,{DESA_A},Dusun Lendang RT 1,KK;KTP,,"))
    assert importer.report(done["id"]) == [(2, "updated", None)]
    [row] = worklist(api_factory("op.a"))
    assert row["nik"] == NIK_BAYU  # learnt from the new line
    # A later line without a NIK does not erase the one already known.
    again = importer.run(csv_file(f",AMAQ SALEH,{DESA_A},Dusun Lendang RT 1,KK;KTP,,"))
    assert importer.report(again["id"]) == [(2, "unchanged", None)]


def test_same_name_and_address_with_another_nik_is_another_person(importer, api_factory) -> None:
    importer.run(csv_file(f"{NIK_SITI},Siti Aminah,{DESA_A},Dusun Lendang,KTP,,"))
    done = importer.run(csv_file(f"5203014708950002,Siti Aminah,{DESA_A},Dusun Lendang,KTP,,"))
    assert importer.report(done["id"]) == [(2, "accepted", None)]
    assert len(worklist(api_factory("op.a"))) == 2


def test_xlsx_import_reads_numeric_and_text_niks(importer, api_factory) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([c.name for c in COLUMNS])
    sheet.append([int(NIK_SITI), "Siti Aminah", DESA_A, "Dusun Lendang", "KTP-el", None, None])
    sheet.append([NIK_BAYU, "Bayu Saputra", DESA_B, "Dusun Sakra", "KK, akta lahir", "Lansia", ""])
    sheet.append([None, "Tanpa Desa", "52.03.01.9999", "Dusun X", "KK", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    done = importer.run(buffer.getvalue(), filename="daftar.xlsx", content_type=XLSX_TYPE)

    assert done["status"] == "DONE"
    assert importer.report(done["id"]) == [
        (2, "accepted", None),
        (3, "accepted", None),
        (4, "refused", "UNKNOWN_DESA"),
    ]
    assert worklist(api_factory("op.a"))[0]["nik"] == NIK_SITI
    [bayu] = worklist(api_factory("op.b"))
    assert ([d["code"] for d in bayu["documents"]], bayu["category"]) == (
        ["KK", "AKTA_LAHIR"],
        "LANSIA",
    )


def test_semicolon_separated_csv_from_excel_is_read(importer) -> None:
    data = (
        "\ufeffNIK;Nama;Kode Desa;Alamat;Dokumen;Kategori Rentan;Catatan Lain\r\n"
        f"{NIK_SITI};Siti Aminah;{DESA_A};Dusun Lendang;KTP, KK;;x\r\n"
    ).encode()
    done = importer.run(data)
    assert importer.report(done["id"]) == [(2, "accepted", None)]
    assert done["ignored_columns"] == ["Catatan Lain"]


def test_file_without_a_required_column_fails_whole_with_the_reason(importer) -> None:
    done = importer.run(csv_file(f"x,{DESA_A},KK", header="nama,kode_desa,dokumen"))
    assert done["status"] == "FAILED"
    assert done["error"].startswith("Kolom wajib tidak ada: alamat.")
    assert importer.report(done["id"]) == []


def test_xlsx_named_file_that_is_not_a_workbook_is_refused_at_start(dukcapil) -> None:
    data = csv_file(f",A,{DESA_A},B,KK,,")
    registered = dukcapil.post(
        "/api/v1/sasaran/import",
        json={
            "filename": "daftar.xlsx",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": XLSX_TYPE,
        },
    ).get_json()
    dukcapil.upload(registered["upload"], data)
    started = dukcapil.post(f"/api/v1/sasaran/import/{registered['import']['id']}/start")
    assert started.status_code == 422
    assert (
        started.get_json()["detail"] == "Isi berkas tidak sesuai dengan jenisnya (.csv atau .xlsx)."
    )


def test_upload_that_differs_from_its_sha256_is_refused_and_can_be_sent_again(
    dukcapil, services
) -> None:
    data = csv_file(f",A,{DESA_A},B,KK,,")
    body = {
        "id": str(uuid.uuid4()),
        "filename": "a.csv",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "content_type": "text/csv",
    }
    registered = dukcapil.post("/api/v1/sasaran/import", json=body).get_json()
    wrong = data.replace(b"A", b"Z")
    # The upload URL takes only the registered bytes (#13 item 3) ...
    assert dukcapil.upload(registered["upload"], wrong).status_code == 409
    # ... and bytes that reached the store otherwise are still caught when it starts.
    services.blobs.put(f"sasaran-imports/{body['id']}/source", io.BytesIO(wrong), "text/csv")
    started = dukcapil.post(f"/api/v1/sasaran/import/{body['id']}/start")
    assert started.status_code == 422
    assert "SHA-256" in started.get_json()["detail"]
    # The same registration gives a fresh upload URL; the right bytes then go through.
    again = dukcapil.post("/api/v1/sasaran/import", json=body)
    assert again.status_code == 201
    dukcapil.upload(again.get_json()["upload"], data)
    assert dukcapil.post(f"/api/v1/sasaran/import/{body['id']}/start").status_code == 202
    # Starting twice is harmless: one import, one result per line.
    assert dukcapil.post(f"/api/v1/sasaran/import/{body['id']}/start").status_code == 202
    drain(services)
    done = dukcapil.get(f"/api/v1/sasaran/import/{body['id']}").get_json()
    assert done["counts"]["accepted"] == 1
    assert done["lines_done"] == 1


def test_reusing_an_import_id_for_another_file_is_a_conflict(dukcapil) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "filename": "a.csv",
        "sha256": "a" * 64,
        "size": 10,
        "content_type": "text/csv",
    }
    assert dukcapil.post("/api/v1/sasaran/import", json=body).status_code == 201
    other = dukcapil.post("/api/v1/sasaran/import", json={**body, "sha256": "b" * 64})
    assert other.status_code == 409


def test_only_dukcapil_imports(api_factory) -> None:
    body = {"filename": "a.csv", "sha256": "a" * 64, "size": 10, "content_type": "text/csv"}
    assert api_factory("op.a").post("/api/v1/sasaran/import", json=body).status_code == 403
    assert api_factory("admin").post("/api/v1/sasaran/import", json=body).status_code == 201
    assert api_factory("op.a").get("/api/v1/sasaran/import").status_code == 403


def test_file_types_other_than_csv_and_xlsx_are_refused(dukcapil) -> None:
    body = {"filename": "a.xls", "sha256": "a" * 64, "size": 10, "content_type": "text/csv"}
    response = dukcapil.post("/api/v1/sasaran/import", json=body)
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Hanya berkas .csv atau .xlsx yang diterima."


def test_report_csv_lists_every_line_with_its_reason(importer) -> None:
    done = importer.run(MIXED)
    response = importer.api.get(f"/api/v1/sasaran/import/{done['id']}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Baris", "Hasil", "Keterangan", "Kode alasan", "ID sasaran"]
    words = {"accepted": "diterima", "updated": "diperbarui", "refused": "ditolak"}
    words["unchanged"] = "tidak berubah"
    assert [[r[0], r[1], r[3]] for r in rows[1:]] == [
        [str(n), words[outcome], reason or ""] for n, outcome, reason in MIXED_REPORT
    ]
    assert all(r[2] for r in rows[1:] if r[1] == "ditolak")  # the reason, in words


def test_report_xlsx_has_the_same_lines_in_words(importer) -> None:
    done = importer.run(MIXED)
    response = importer.api.get(f"/api/v1/sasaran/import/{done['id']}/report.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Baris", "Hasil", "Keterangan", "Kode alasan", "ID sasaran")
    assert [(r[0], r[3] or "") for r in rows[1:]] == [
        (n, reason or "") for n, _, reason in MIXED_REPORT
    ]
    assert {r[1] for r in rows[1:]} <= {"diterima", "diperbarui", "tidak berubah", "ditolak"}


def test_uploaded_file_is_deleted_once_imported(importer, services) -> None:
    done = importer.run(MIXED)
    assert services.blobs.size(f"sasaran-imports/{done['id']}/source") is None
    assert services.blobs.size(f"sasaran-imports/{done['id']}/chunk-00000.json") is None


def test_report_pages_end_exactly_at_the_last_line(importer) -> None:
    done = importer.run(csv_file(*[f",Warga {i},{DESA_A},Dusun {i},KK,," for i in range(4)]))
    url = f"/api/v1/sasaran/import/{done['id']}/rows"
    first = importer.api.get(f"{url}?limit=2").get_json()
    assert ([r["line"] for r in first["items"]], first["next_after"]) == ([2, 3], 3)
    second = importer.api.get(f"{url}?limit=2&after=3").get_json()
    assert ([r["line"] for r in second["items"]], second["next_after"]) == ([4, 5], None)
    whole = importer.api.get(f"{url}?limit=5000").get_json()
    assert (len(whole["items"]), whole["next_after"]) == (4, None)


def test_import_and_followups_are_in_the_audit_log(importer, api_factory, services) -> None:
    done = importer.run(csv_file(f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,,"))
    op_a = api_factory("op.a")
    row = worklist(op_a)[0]
    body = {"id": str(uuid.uuid4()), "outcome": "PINDAH"}
    op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body)
    op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body)  # a replay: not again
    actions = [
        (e.action, e.target)
        for e in services.records.audit_entries()
        if e.action.startswith("sasaran.")
    ]
    assert actions == [
        ("sasaran.import", done["id"]),
        ("sasaran.import_done", done["id"]),
        ("sasaran.followup", row["id"]),
    ]


def test_corrupt_xlsx_fails_the_import_with_a_reason(importer) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append([c.name for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    broken = data[: len(data) // 2]  # a zip cut in half: starts like one, opens like none
    done = importer.run(broken, filename="daftar.xlsx", content_type=XLSX_TYPE)
    assert done["status"] == "FAILED"
    assert "XLSX" in done["error"]
