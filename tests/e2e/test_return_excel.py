"""Bulk return as Dukcapil's office PC makes it (#14): the template downloaded from the screen,
the valid statuses listed there, and a `;` CSV saved by Excel with Indonesian settings
(Windows code page, Indonesian headers) applied through the UI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Playwright, expect

from bakso.workers.handlers import drain_until_idle
from e2e.conftest import CHROMIUM, FLAGS
from e2e.ui import E2E
from helpers import PASSWORD, Api, submit_ready

pytestmark = [*E2E, pytest.mark.e2e]


def test_a_semicolon_csv_from_indonesian_excel_is_applied_from_the_screen(
    server: Any, playwright: Playwright, tmp_path: Path
) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    accept = submit_ready(op, server.services)
    reject = submit_ready(op, server.services)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    version = reject["version"]
    for target in ("DITERIMA", "DIPROSES"):
        moved = dk.post(
            f"/api/v1/requests/{reject['id']}/transition", json={"to": target, "version": version}
        )
        version = moved.get_json()["version"]
    table = tmp_path / "hasil.csv"
    # Excel's "CSV (dipisahkan titik koma)": ';', ANSI (Windows-1252), CRLF.
    table.write_bytes(
        (
            "Kode permohonan;Status;Alasan\r\n"
            f"{accept['code']};DITERIMA;\r\n"
            f"{reject['code'].lower()};Ditolak;Data tidak cocok – cek SIAK\r\n"
        ).encode("cp1252")
    )

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="id-ID", accept_downloads=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(server.url + "/")
        expect(page.locator("#username")).to_be_visible(timeout=30_000)
        page.fill("#username", "dukcapil")
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        expect(page.locator("#username")).to_have_count(0)
        page.get_by_role("link", name="Pengembalian").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pengembalian massal")

        # What the screen says it takes, and the statuses with their words.
        expect(page.locator("#ret-formats")).to_contain_text("titik koma (;)")
        expect(page.locator("#ret-formats")).to_contain_text(".xlsx")
        page.get_by_text("Status yang dapat diisi").click()
        statuses = page.locator(".ret-statuses li")
        expect(statuses.filter(has_text="SELESAI")).to_contain_text("Dokumen terbit")
        expect(statuses.filter(has_text="DITOLAK")).to_contain_text("alasan wajib")
        expect(statuses.filter(has_text="DISERAHKAN")).to_have_count(0)

        # The template, downloaded from the screen, is a workbook with the code as text.
        with page.expect_download() as download:
            page.get_by_role("link", name="Unduh templat (.xlsx)").click()
        workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        first = workbook.worksheets[0]
        assert [c.value for c in first[1]] == ["Kode permohonan", "Status", "Catatan"]
        assert first["A2"].data_type == "s"
        assert "SELESAI" in [row[0] for row in workbook["status"].iter_rows(values_only=True)]

        page.set_input_files("#ret-csv", str(table))
        page.get_by_role("button", name="Unggah dan terapkan").click()
        expect(page.get_by_text("Menunggu giliran diproses")).to_be_visible()
        drain_until_idle(server.services)
        expect(page.get_by_role("status").filter(has_text="Diterapkan")).to_have_text(
            "Diterapkan 2, tidak berubah 0, ditolak 0."
        )
        records = server.services.records
        assert records.get_request(accept["id"]).status.value == "DITERIMA"
        assert records.get_request(reject["id"]).status.value == "DITOLAK"
        assert "– cek SIAK" in records.timeline(reject["id"])[-1].note
        context.close()
    finally:
        browser.close()
