"""a. Online: a request with three photographed documents is created and submitted; the
server holds it DIAJUKAN with byte-identical scans. f. Chromium finds the app installable."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote

from playwright.sync_api import Request, Route, expect

from e2e.ui import DOCS, E2E, Dukcapil, fill_fields, login, photo, send_request, valid_fields

pytestmark = E2E


def test_online_request_with_three_documents_arrives_diajukan_with_identical_scans(
    server, launch, tmp_path: Path
) -> None:
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    uploaded: dict[str, str] = {}  # sha256 of the bytes that left the device, per upload

    def capture(route: Route, request: Request) -> None:
        body = request.post_data_buffer or b""
        uploaded[hashlib.sha256(body).hexdigest()] = request.headers.get("content-type", "")
        route.continue_()

    page.route("**/blobs/upload/**", capture)
    login(page, server.url)
    files = {
        "F101": [photo(tmp_path / "f101.png", "f101")],
        "KK_LAMA": [photo(tmp_path / "kk-1.png", "kk-1"), photo(tmp_path / "kk-2.png", "kk-2")],
        "BUKTI_PERISTIWA": [photo(tmp_path / "akta.png", "akta", 1200, 1600)],
    }
    send_request(page, "Siti Aminah", files)
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    dukcapil = Dukcapil(server.url)
    [held] = dukcapil.requests()
    assert held["status"] == "DIAJUKAN"
    scans = dukcapil.held_scans(held["id"])
    assert sorted(s["requirement"] for s in scans) == sorted(
        ["F101", "KK_LAMA", "KK_LAMA", "BUKTI_PERISTIWA"]
    )
    assert {s["requirement"] for s in scans} == set(DOCS)
    for scan in scans:
        assert scan["state"] == "ok"
        assert scan["actual"] == scan["sha256"]  # what the server holds is what was registered
        assert scan["sha256"] in uploaded  # ... and is exactly what the device sent
        assert scan["content_type"] == "image/jpeg"
        assert max(scan["dims"]) <= 1800  # long edge scaled down from 2000 / 1600 px
    assert all(uploaded[s["sha256"]] == "image/jpeg" for s in scans)

    # The local copy is gone only now that the server confirmed; the list shows the code.
    page.goto(server.url + "/#/daftar")
    page.get_by_text(held["code"], exact=False).click()
    expect(page.get_by_role("heading", name="Tanda terima")).to_be_visible()
    share = page.get_by_role("link", name="Bagikan lewat WhatsApp").get_attribute("href") or ""
    assert share.startswith("https://wa.me/")
    assert f"/cek/{held['token']}" in unquote(share)
    assert "dikirim ke Dukcapil Lombok Timur" in unquote(share)  # the operator's kabupaten


def test_chromium_reports_no_installability_errors(server, launch) -> None:
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/")
    expect(page.locator("#username")).to_be_visible()
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert (
        '"display": "standalone"' in manifest["data"]
        or '"display":"standalone"' in manifest["data"]
    )


def test_request_returned_for_correction_is_fixed_and_sent_again(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    files = {doc: [photo(tmp_path / f"{doc}.png", doc, 800, 1000)] for doc in DOCS}
    send_request(page, "Warga Perbaikan", files)
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    dukcapil = Dukcapil(server.url)
    [held] = dukcapil.requests()
    version = held["version"]
    for to, note in [("DITERIMA", ""), ("PERLU_PERBAIKAN", "Foto KK lama buram, foto ulang")]:
        moved = dukcapil.transition(held["id"], to, note, version)
        version = moved["version"]

    page.goto(server.url + "/#/daftar")
    page.get_by_text(held["code"], exact=False).click()
    expect(page.locator(".note-warn")).to_contain_text("Yang perlu diperbaiki")
    expect(page.locator(".note-warn")).to_contain_text("Foto KK lama buram, foto ulang")
    page.get_by_role("button", name="Perbaiki permohonan ini").click()
    page.get_by_role("button", name="Lanjut").click()  # data unchanged
    page.set_input_files(
        'input[data-req="KK_LAMA"][data-mode="file"]', str(photo(tmp_path / "ulang.png", "ulang"))
    )
    expect(page.locator('section[aria-labelledby="req-KK_LAMA"] .thumb')).to_have_count(1)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    again = dukcapil.detail(held["id"])
    assert again["status"] == "DIAJUKAN"
    assert [t["status"] for t in again["timeline"]][-2:] == ["PERLU_PERBAIKAN", "DIAJUKAN"]
    assert sorted(s["requirement"] for s in again["scans"]) == sorted([*DOCS, "KK_LAMA"])
    assert len(dukcapil.requests()) == 1


def test_birth_certificate_with_newborn_pdf_passthrough_and_heic_refusal(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    page.goto(server.url + "/#/baru")
    page.get_by_text("Akta kelahiran", exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", "5203015708900001")
    page.fill("#name", "Siti Aminah")
    page.fill("#phone", "0812 3456 7890")
    # The child is asked in the form's "Data anak" section (the request's subject).
    fields = valid_fields("AKTA_LAHIR")
    fields["subject"] = {
        **fields["subject"],
        "name": "Bayi Aminah",
        "birth_date": "2026-11-20",
        "birth_place": "Selong",
        "sex": "P",
    }
    fill_fields(page, fields)
    page.get_by_role("button", name="Lanjut").click()

    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200)
    page.set_input_files('input[data-req="F201"][data-mode="file"]', str(heic))
    expect(page.get_by_role("alert")).to_contain_text("HEIC")
    expect(page.locator('section[aria-labelledby="req-F201"] .thumb')).to_have_count(0)

    pdf = tmp_path / "surat-lahir.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    docs = {
        "F201": photo(tmp_path / "f201.png", "f201", 800, 1000),
        "SURAT_KET_LAHIR": pdf,
        "BUKU_NIKAH": photo(tmp_path / "nikah.png", "nikah", 800, 1000),
        "KK_ORTU": photo(tmp_path / "kk.png", "kk", 800, 1000),
        "KTP_ORTU": photo(tmp_path / "ktp.png", "ktp", 800, 1000),
    }
    for requirement, path in docs.items():
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(path))
        section = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(section.locator(".thumb")).to_have_count(1)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    dukcapil = Dukcapil(server.url)
    [held] = dukcapil.requests()
    detail = dukcapil.detail(held["id"])
    assert detail["status"] == "DIAJUKAN"
    assert detail["subject"]["name"] == "Bayi Aminah"
    assert detail["subject"]["birth_date"] == "2026-11-20"
    assert detail["subject"]["sex"] == "P"
    assert detail["applicant"]["phone"] == "0812 3456 7890"
    [letter] = [s for s in detail["scans"] if s["requirement"] == "SURAT_KET_LAHIR"]
    assert letter["content_type"] == "application/pdf"
    assert letter["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()  # unchanged
