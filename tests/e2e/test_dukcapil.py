"""Dukcapil's side in Chromium: batch → download → process → SELESAI with a PDF, then the
desa operator sees the issued document and records the handover (DESIGN §1, §2)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Playwright, expect
from pypdf import PdfWriter

from bakso.workers.handlers import drain_until_idle
from e2e.conftest import CHROMIUM, FLAGS
from e2e.ui import E2E, login
from helpers import PASSWORD, Api, draft, submit_ready

pytestmark = [*E2E, pytest.mark.e2e]

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


def _pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _axe(page: Page) -> list[tuple[str, str, int]]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _officer_login(page: Page, base: str) -> None:
    page.goto(base + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", "dukcapil")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    # An officer lands on the Dukcapil screens (a lazily loaded chunk), not the operator home.
    expect(page.get_by_role("heading", level=1)).to_have_text("Paket berkas")
    _after_login(page)


def _after_login(page: Page) -> None:
    """Logged in: the login form is gone (it leaves the route alone once the officer
    has moved on, so the test's next navigation is not overridden)."""
    expect(page.locator("#username")).to_have_count(0)


def test_dukcapil_batch_process_finish_and_operator_handover(
    server: Any, launch: Any, playwright: Playwright, tmp_path: Path
) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    body = draft(applicant={"nik": "5203015708900001", "name": "Siti Aminah"})
    submitted = submit_ready(op, server.services, body)
    code, request_id = submitted["code"], submitted["id"]

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768},  # Dukcapil's office PC
            locale="id-ID",
            bypass_csp=True,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        _officer_login(page, server.url)
        assert _axe(page) == []

        # Batch: create, the worker builds it step by step, the screen polls to READY.
        page.get_by_role("button", name="Buat paket").click()
        batch = page.locator(".dk-batch").first
        expect(batch).to_be_visible()
        expect(batch.locator(".dk-progress")).to_contain_text("Mengumpulkan permohonan")
        drain_until_idle(server.services)
        expect(batch.locator(".badge")).to_have_text("Siap")
        expect(batch).to_contain_text("1 permohonan")
        volume = batch.locator(".dk-volume")
        expect(volume).to_have_count(1)
        with page.expect_download() as info:
            volume.get_by_role("link", name="Unduh zip").click()
        with zipfile.ZipFile(info.value.path()) as archive:
            names = archive.namelist()
        assert "manifest.json" in names and any(n.endswith("berkas.pdf") for n in names)
        drain_until_idle(server.services)  # the worker marks the volume's requests DITERIMA

        # Requests to process: the downloaded one is DITERIMA; move it with a bulk action.
        page.get_by_role("link", name="Permohonan", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Permohonan untuk diproses")
        row = page.locator(f'.dk-row[data-code="{code}"]')
        expect(row).to_contain_text("Diterima Dukcapil")
        assert _axe(page) == []
        row.get_by_role("checkbox").check()
        expect(page.locator("#bulk-to")).to_have_value("DIPROSES")
        page.get_by_role("button", name="Ubah 1 permohonan").click()
        expect(
            page.locator(".dk-bulk ~ section, section").filter(has_text="Hasil perubahan")
        ).to_contain_text(f"{code}: Diproses")

        # Detail: scans inline, a reason is required to ask for a fix, SELESAI with a PDF.
        page.goto(f"{server.url}/#/dukcapil/p/{request_id}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(code)
        expect(page.locator(".dk-scans img").first).to_be_visible()
        page.wait_for_function(  # the image arrived through the 302 to the blob URL
            "() => { const i = document.querySelector('.dk-scans img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        expect(page.get_by_role("link", name="Buka berkas.pdf")).to_be_visible()
        page.get_by_role("button", name="Minta perbaikan").click()
        expect(page.get_by_role("button", name="Simpan: Perlu perbaikan")).to_be_disabled()
        assert _axe(page) == []
        page.get_by_role("button", name="Selesai (dokumen terbit)").click()
        page.set_input_files("#move-pdf", str(_pdf(tmp_path / "akta.pdf")))
        page.get_by_role("button", name="Simpan: Dokumen terbit").click()
        expect(page.locator("h1 + p .badge")).to_have_text("Dokumen terbit")
        expect(page.get_by_role("link", name="Dokumen terbit")).to_be_visible()
        context.close()
    finally:
        browser.close()

    held = server.services.records.get_request(request_id)
    assert held.status.value == "SELESAI" and held.issued["state"] == "ok"

    # The operator sees the finished request in the PWA and records the handover.
    operator = launch()
    page = operator.new_page()
    login(page, server.url, "op.a")
    _after_login(page)
    page.goto(f"{server.url}/#/permohonan/{request_id}")
    expect(page.locator("h1 + p .badge")).to_have_text("Dokumen terbit")
    expect(page.get_by_role("link", name=re.compile(r"^Cetak dokumen \(A4\)$"))).to_be_visible()
    page.fill("#ho-name", "Siti Aminah")
    page.get_by_text("Kawil/Kadus", exact=True).click()
    page.fill("#ho-via-name", "Pak Kadus Lalu")
    page.get_by_role("button", name="Tandai sudah diserahkan").click()
    expect(page.locator("h1 + p .badge")).to_have_text("Sudah diserahkan")

    held = server.services.records.get_request(request_id)
    assert held.status.value == "DISERAHKAN"
    assert held.handover is not None
    assert held.handover["received_by"] == "Siti Aminah" and held.handover["via"] == "KAWIL"


def test_admin_returns_accounts_and_audit(
    server: Any, playwright: Playwright, tmp_path: Path
) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    waiting = submit_ready(op, server.services)
    done = submit_ready(op, server.services)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    version = done["version"]
    for target in ("DITERIMA", "DIPROSES"):
        moved = dk.post(
            f"/api/v1/requests/{done['id']}/transition", json={"to": target, "version": version}
        )
        version = moved.get_json()["version"]
    table = tmp_path / "kembali.csv"
    table.write_text(
        f"kode,status,catatan\n{waiting['code']},DIBATALKAN,Ganda di SIAK\nTIDAK-ADA,SELESAI,\n"
        f"{done['code']},SELESAI,\n",
        encoding="utf-8",
    )
    pdfs = tmp_path / "terbit.zip"
    with zipfile.ZipFile(pdfs, "w") as archive:
        archive.write(_pdf(tmp_path / "akta.pdf"), f"{done['code']}.pdf")

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1100, "height": 900}, locale="id-ID", bypass_csp=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(server.url + "/")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Paket berkas")
        _after_login(page)

        # Bulk return: both files go to the blob store, the worker applies the rows; the
        # good rows are applied, the unknown code is reported, not skipped.
        page.get_by_role("link", name="Pengembalian").click()
        page.set_input_files("#ret-csv", str(table))
        page.set_input_files("#ret-zip", str(pdfs))
        page.get_by_role("button", name="Unggah dan terapkan").click()
        expect(page.get_by_text("Menunggu giliran diproses")).to_be_visible()  # started
        assert server.services.records.get_request(waiting["id"]).status.value == "DIAJUKAN"
        drain_until_idle(server.services)
        expect(page.get_by_role("status").filter(has_text="Diterapkan")).to_have_text(
            "Diterapkan 2, tidak berubah 0, ditolak 1."
        )
        expect(page.locator("tr.dk-refused")).to_contain_text("TIDAK-ADA")
        assert _axe(page) == []
        assert server.services.records.get_request(waiting["id"]).status.value == "DIBATALKAN"
        issued = server.services.records.get_request(done["id"])
        assert issued.status.value == "SELESAI" and issued.issued["state"] == "ok"

        # Officer accounts: create, reset a password, disable.
        page.get_by_role("link", name="Akun petugas").click()
        page.fill("#u-name", "op.baru")
        page.select_option("#u-desa", "52.03.02.2002")
        page.fill("#u-pw", "sandi-awal-panjang")
        page.get_by_role("button", name="Buat akun").click()
        created = page.locator('.dk-account[data-user="op.baru"]')
        expect(created).to_contain_text("Operator desa")
        created.get_by_role("button", name="Atur ulang sandi").click()
        created.locator('input[type="password"]').fill("sandi-baru-panjang")
        created.get_by_role("button", name="Simpan").click()
        expect(page.locator(".toast")).to_contain_text("Kata sandi diganti")
        other = page.locator('.dk-account[data-user="op.b"]')
        elsewhere = Api(server.app.test_client())  # op.b, still logged in on a desa tablet
        assert elsewhere.login("op.b").status_code == 200
        other.get_by_role("button", name="Akhiri semua sesi").click()  # confirmed (dialog)
        expect(page.locator(".toast")).to_contain_text("Semua sesi op.b diakhiri")
        assert elsewhere.get("/api/v1/auth/me").status_code == 401
        other.get_by_role("button", name="Nonaktifkan").click()
        expect(other).to_contain_text("Nonaktif")
        assert _axe(page) == []
        fresh = Api(server.app.test_client())
        assert fresh.login("op.baru", "sandi-awal-panjang").status_code == 401
        assert fresh.login("op.baru", "sandi-baru-panjang").status_code == 200
        assert Api(server.app.test_client()).login("op.b").status_code == 401

        # The audit log, filtered by officer.
        page.get_by_role("link", name="Catatan audit").click()
        page.fill("#audit-user", "admin")
        page.get_by_role("button", name="Saring").click()
        rows = page.locator(".dk-table tbody tr")
        expect(rows.filter(has_text="Akun dinonaktifkan")).to_have_count(1)
        expect(rows.filter(has_text="Akun dibuat")).to_have_count(1)
        expect(rows.filter(has_text="Kata sandi diatur ulang")).to_have_count(1)
        expect(rows.filter(has_text="Semua sesi akun diakhiri")).to_have_count(1)
        assert _axe(page) == []
        context.close()
    finally:
        browser.close()


def test_dukcapil_sees_left_out_requests_and_rebuilds_a_failed_batch(
    server: Any, playwright: Playwright
) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    services = server.services
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    broken = submit_ready(op, services)
    submit_ready(op, services)
    services.blobs.delete(services.records.list_scans(broken["id"])[0].key)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    assert dk.post("/api/v1/batches", json={}).status_code == 202
    drain_until_idle(services)
    # A later batch whose build stopped after gathering (a dead worker, a lost message).
    submit_ready(op, services)
    stalled = dk.post("/api/v1/batches", json={}).get_json()
    (message,) = services.queue.receive(visibility_timeout=0)
    services.batches.build_step(stalled["id"], 0)
    services.queue.ack(message)
    services.queue.receive(visibility_timeout=3600)  # its next step is lost
    record = services.records.get_batch(stalled["id"])
    old = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="milliseconds")
    services.records.save_batch(
        replace(record, progress_at=old, version=record.version + 1), record.version
    )

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768},
            locale="id-ID",
            bypass_csp=True,  # only so axe itself may be injected
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        _officer_login(page, server.url)
        failed = page.locator(f'.dk-batch[data-batch="{stalled["id"]}"]')
        expect(failed.locator(".badge")).to_have_text("Gagal")
        ready = page.locator(".dk-batch").filter(has_text="tidak dikemas")
        ready.locator("summary").click()
        expect(ready).to_contain_text(broken["code"])
        expect(ready).to_contain_text("tidak ditemukan di penyimpanan")
        assert _axe(page) == []

        failed.get_by_role("button", name="Susun ulang").click()
        rebuilt = page.locator(".dk-batch").first
        expect(rebuilt.locator(".badge")).to_have_text("Disusun")
        drain_until_idle(services)
        expect(rebuilt.locator(".badge")).to_have_text("Siap")
        expect(rebuilt).to_contain_text("1 permohonan")
        context.close()
    finally:
        browser.close()
