"""Dukcapil batches: the zip's layout, its manifest, idempotent builds, the first download."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
import requests as http
from pypdf import PdfReader

from bakso.domain.model import BATCH_READY
from bakso.workers.handlers import drain_once, drain_until_idle
from helpers import DESA_B, draft, fake_jpeg, submit_ready


def build_batch(dk, services, **filters) -> dict:
    response = dk.post("/api/v1/batches", json=filters)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "BUILDING"
    drain_until_idle(services)
    return dk.get(f"/api/v1/batches/{response.get_json()['id']}").get_json()


def download_zip(dk, batch_id: str, volume: int = 1, services=None) -> zipfile.ZipFile:
    response = dk.get(f"/api/v1/batches/{batch_id}/download?volume={volume}")
    assert response.status_code == 302
    if services is not None:
        drain_until_idle(services)  # the worker marks the volume's requests DITERIMA
    path = response.headers["Location"].split("://", 1)[-1].split("/", 1)[1]
    with dk.client.get("/" + path) as zipped:
        return zipfile.ZipFile(io.BytesIO(zipped.get_data()))


def test_zip_holds_every_request_with_files_matching_manifest_and_sums(
    api_factory, services
) -> None:
    op = api_factory("op.a")
    evil = draft(
        applicant={"nik": "5203015708900001", "name": '=HYPERLINK("http://x")', "phone": "+6281234"}
    )
    first = submit_ready(op, services, evil)
    second = submit_ready(op, services)
    dk = api_factory("dukcapil")

    batch = build_batch(dk, services)

    assert batch["status"] == "READY" and batch["count"] == 2
    archive = download_zip(dk, batch["id"])
    names = set(archive.namelist())
    manifest = json.loads(archive.read("manifest.json"))
    assert {r["code"] for r in manifest["requests"]} == {first["code"], second["code"]}
    sums = dict(
        reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines()
    )
    assert set(sums) == names - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    for row in manifest["requests"]:
        paths = [f["path"] for f in row["files"]]
        assert f"{row['code']}/berkas.pdf" in paths
        assert sum(1 for p in paths if not p.endswith("berkas.pdf")) == 5
        for entry in row["files"]:
            data = archive.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] == sums[entry["path"]]
            assert len(data) == entry["size"]
        original = {s.sha256 for s in services.records.list_scans(row["id"])}
        assert {f["sha256"] for f in row["files"] if "requirement" in f} == original
        # The printable file: the cover with the form's data (over two pages for an
        # AKTA_LAHIR's F-2.01), then one page per photo.
        berkas = PdfReader(io.BytesIO(archive.read(f"{row['code']}/berkas.pdf")))
        assert len(berkas.pages) == 2 + 5
        assert "(lanjutan)" in berkas.pages[1].extract_text()

    raw = archive.read("manifest.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    evil_row = next(r for r in rows if r["Kode permohonan"] == first["code"])
    assert evil_row["Nama pemohon"] == '\'=HYPERLINK("http://x")'
    assert evil_row["No. HP"] == "'+6281234"


def test_scans_are_stored_unchanged_in_berkas_pdf(api_factory, services) -> None:
    op = api_factory("op.a")
    submitted = submit_ready(op, services)
    request = services.records.get_request(submitted["id"])
    pdf = b"".join(services.blobs.iter_chunks(request.berkas_key))
    for scan in services.records.list_scans(submitted["id"]):
        photo = b"".join(services.blobs.iter_chunks(scan.key))
        assert photo in pdf  # embedded as the same JPEG bytes: never re-encoded


def test_uploaded_pdf_pages_are_merged_into_berkas(api_factory, services) -> None:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("Helvetica", size=12)
    for _ in range(2):
        doc.add_page()
        doc.cell(0, 10, "Formulir F-2.01")
    form = bytes(doc.output())
    op = api_factory("op.a")
    created = op.create()
    registered = op.register(created["id"], "F201", form, "application/pdf").get_json()
    op.upload(registered["upload"], form)
    op.post(f"/api/v1/requests/{created['id']}/scans/{registered['scan_id']}/complete")
    for requirement in ("SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
        op.attach(created["id"], requirement, fake_jpeg(requirement))
    op.post(f"/api/v1/requests/{created['id']}/submit")
    drain_once(services)
    request = services.records.get_request(created["id"])
    pdf = b"".join(services.blobs.iter_chunks(request.berkas_key))
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 2 + 2 + 4  # cover and form data, the PDF's 2 pages, 4 photos
    # The uploaded F-2.01 right after the data it came from, each page captioned.
    assert "Formulir F-2.01 (halaman 1), 1" in pages[2].extract_text()
    assert "Formulir F-2.01 (halaman 1), 2" in pages[3].extract_text()


def test_filters_pick_only_matching_requests(api_factory, services) -> None:
    a = submit_ready(api_factory("op.a"), services)
    submit_ready(api_factory("op.b"), services, draft(desa=DESA_B))
    dk = api_factory("dukcapil")
    batch = build_batch(dk, services, kecamatan="52.03.01")
    assert batch["count"] == 1
    manifest = json.loads(download_zip(dk, batch["id"]).read("manifest.json"))
    assert [r["code"] for r in manifest["requests"]] == [a["code"]]


def test_a_request_goes_into_one_batch_only(api_factory, services) -> None:
    submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    first = build_batch(dk, services)
    assert first["count"] == 1
    again = dk.post("/api/v1/batches", json={})
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.get_json()["detail"].startswith("Belum ada permohonan siap")
    assert [b["id"] for b in dk.get("/api/v1/batches").get_json()["items"]] == [first["id"]]


def test_build_message_delivered_three_times_builds_one_zip(api_factory, services) -> None:
    submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    created = dk.post("/api/v1/batches", json={}).get_json()
    body = {"type": "batch.build", "batch_id": created["id"], "step": 0}
    services.queue.send(body)
    services.queue.send(body)
    assert drain_until_idle(services) >= 3
    batches, _ = services.records.list_batches(kabupaten="52.03", cursor=None, limit=10)
    assert [(b.id, b.status, b.count) for b in batches] == [(created["id"], BATCH_READY, 1)]


def test_first_download_marks_requests_diterima_and_a_second_changes_nothing(
    api_factory, services
) -> None:
    submitted = submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    batch = build_batch(dk, services)
    download_zip(dk, batch["id"], services=services)
    after_first = services.records.get_request(submitted["id"])
    assert after_first.status.value == "DITERIMA"
    download_zip(dk, batch["id"], services=services)
    assert services.records.get_request(submitted["id"]).version == after_first.version
    detail = dk.get(f"/api/v1/batches/{batch['id']}").get_json()
    assert detail["downloads"] == 2 and detail["downloaded_at"]
    actions = [e.action for e in services.records.audit_entries() if e.target == batch["id"]]
    assert actions == ["batch.download", "batch.download"]


def test_resubmission_after_correction_goes_into_a_new_batch(api_factory, services) -> None:
    op = api_factory("op.a")
    submitted = submit_ready(op, services)
    dk = api_factory("dukcapil")
    first = build_batch(dk, services)
    download_zip(dk, first["id"], services=services)
    version = services.records.get_request(submitted["id"]).version
    fix = dk.post(
        f"/api/v1/requests/{submitted['id']}/transition",
        json={"to": "PERLU_PERBAIKAN", "note": "KK buram", "version": version},
    )
    assert fix.status_code == 200
    op.attach(submitted["id"], "KK_ORTU", fake_jpeg("kk jelas"))
    assert op.post(f"/api/v1/requests/{submitted['id']}/submit").status_code == 200
    drain_once(services)

    second = build_batch(dk, services)

    assert second["count"] == 1
    manifest = json.loads(download_zip(dk, second["id"]).read("manifest.json"))
    assert manifest["requests"][0]["code"] == submitted["code"]


def test_operators_cannot_touch_batches(api_factory) -> None:
    op = api_factory("op.a")
    assert op.post("/api/v1/batches", json={}).status_code == 403
    assert op.get("/api/v1/batches").status_code == 403


@pytest.mark.parametrize(
    "filters", [{"desa": "52.03.99.2001"}, {"kecamatan": "52.03.01.2001"}, {"service": "X"}]
)
def test_unknown_filters_are_refused(api_factory, filters) -> None:
    response = api_factory("dukcapil").post("/api/v1/batches", json=filters)
    assert response.status_code == 422


def test_batch_download_over_http_is_a_short_lived_link(api_factory, services, live_server) -> None:
    submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    batch = build_batch(dk, services)
    location = dk.get(f"/api/v1/batches/{batch['id']}/download").headers["Location"]
    token_url = live_server + "/" + location.split("://", 1)[-1].split("/", 1)[1]
    response = http.get(token_url, timeout=10)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None
