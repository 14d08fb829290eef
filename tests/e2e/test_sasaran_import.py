"""Dukcapil imports the sasaran list entirely in the PWA, on the office PC (1366 px): the
template, a `;`-separated CSV with one good and one bad line, the upload and import progress,
the per-line report in words and as an Excel file; the good line reaches the desa's worklist."""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, Playwright, expect

from e2e.conftest import CHROMIUM, FLAGS
from e2e.test_a11y import serious_violations
from e2e.ui import E2E
from helpers import DESA_A, PASSWORD, Api
from sasaran.support import drain

pytestmark = [*E2E, pytest.mark.e2e]

NIK = "5203015708900001"


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"


def _workbook(download: Any) -> Any:
    # Playwright keeps a download under a name without its extension, which openpyxl refuses.
    return openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))


def _drain_until_done(server: Any, stop: threading.Event) -> None:
    """The worker, as `bakso serve` runs it: drain the queue until the test has its answer."""
    while not stop.wait(0.2):
        drain(server.services)


def test_dukcapil_imports_the_sasaran_list_from_the_screen(
    server: Any, playwright: Playwright, tmp_path: Path
) -> None:
    source = tmp_path / "sasaran-desa.csv"
    # Excel with Indonesian settings saves ';'-separated; the NIK is text, the bad line's
    # desa code does not exist.
    source.write_text(
        "nik;nama;kode_desa;alamat;dokumen;kategori_rentan;keterangan\r\n"
        f"{NIK};Amaq Udin;{DESA_A};Dusun Baru RT 01;KTP_EL,KK;LANSIA;\r\n"
        ";Inaq Salah;52.03.99.9999;Dusun Lain RT 02;KK;;\r\n",
        encoding="utf-8-sig",
    )

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    stop = threading.Event()
    worker = threading.Thread(target=_drain_until_done, args=(server, stop), daemon=True)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768},  # Dukcapil's office PC
            locale="id-ID",
            bypass_csp=True,
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.locator("#username")).to_be_visible(timeout=30_000)
        page.fill("#username", "dukcapil")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Paket berkas")
        expect(page.locator("#username")).to_have_count(0)

        # Reached from Dukcapil's navigation.
        page.get_by_role("link", name="Impor sasaran").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Impor daftar sasaran")
        _no_sideways_scroll(page)

        # The template: the expected columns, one example line, the NIK as text.
        with page.expect_download() as info:
            page.get_by_role("link", name="Unduh templat (Excel)").click()
        template = _workbook(info.value)["sasaran"]
        assert [c.value for c in template[1]] == [
            "nik",
            "nama",
            "kode_desa",
            "alamat",
            "dokumen",
            "kategori_rentan",
            "keterangan",
        ]
        assert template["A2"].data_type == "s" and len(template["A2"].value) == 16

        # Choose the file and send it; the worker imports it while the screen follows.
        page.set_input_files("#imp-file", str(source))
        expect(page.get_by_text("Dipilih: sasaran-desa.csv")).to_be_visible()
        worker.start()
        page.get_by_role("button", name="Unggah dan impor").click()

        report = page.locator("section", has=page.get_by_role("heading", name="Laporan per baris"))
        expect(report).to_be_visible(timeout=30_000)
        expect(report.locator('[data-outcome="accepted"]')).to_have_text("1 diterima")
        expect(report.locator('[data-outcome="refused"]')).to_have_text("1 ditolak")
        lines = report.locator("tr.imp-row")
        expect(lines).to_have_count(2)
        good, bad = report.locator('tr[data-line="2"]'), report.locator('tr[data-line="3"]')
        expect(good.locator("td").nth(1)).to_have_text("Diterima")
        expect(bad.locator("td").nth(1)).to_have_text("Ditolak")
        expect(bad.locator("td").nth(2)).to_have_text("Kode desa '52.03.99.9999' tidak dikenal.")
        expect(report).not_to_contain_text("refused")
        expect(report).not_to_contain_text("accepted")
        assert serious_violations(page) == []
        _no_sideways_scroll(page)

        # The report as a file to open in Excel.
        with page.expect_download() as info:
            report.get_by_role("link", name="Unduh laporan (Excel)").click()
        rows = list(_workbook(info.value).active.iter_rows(values_only=True))
        assert rows[0][:3] == ("Baris", "Hasil", "Keterangan")
        assert [(r[0], r[1]) for r in rows[1:]] == [(2, "diterima"), (3, "ditolak")]
        with page.expect_download() as info:
            report.get_by_role("link", name="Unduh laporan (CSV)").click()
        raw = Path(info.value.path()).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"3;ditolak;" in raw

        # The phone width too: nothing pushes the page sideways.
        page.set_viewport_size({"width": 360, "height": 740})
        expect(report).to_be_visible()
        _no_sideways_scroll(page)
        context.close()
    finally:
        stop.set()
        if worker.is_alive():
            worker.join()
        browser.close()

    # The accepted line is on desa A's worklist, as its operator sees it.
    operator = Api(server.app.test_client())
    assert operator.login("op.a").status_code == 200
    items = operator.get(f"/api/v1/sasaran?desa={DESA_A}").get_json()["items"]
    assert [(i["name"], i["nik"]) for i in items] == [("Amaq Udin", NIK)]
