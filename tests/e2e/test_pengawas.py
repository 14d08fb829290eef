"""The overseer in the browser (#19): at an office PC's 1366 px it lands on residents'
reports, opens the one a resident made from the status link, and closes it with a note."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import Launcher, Server
from e2e.ui import sign_in
from helpers import PASSWORD, Api, draft

pytestmark = pytest.mark.e2e

STORY = "Diminta Rp100.000 agar akta cepat jadi."


def _reported(server: Server) -> tuple[dict[str, Any], str, Any]:
    """A request desa A sent, and a resident's report on it from its status link: the
    request, its token and the report form's response (303 to the receipt)."""
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    created = op.create(draft())
    op.attach_mandatory(created["id"])
    token = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()["token"]
    resident = server.app.test_client()
    form = resident.get(f"/cek/{token}/lapor").get_data(as_text=True)
    form_id = re.search(r'name="form_id" value="([^"]+)"', form)
    assert form_id
    sent = resident.post(
        f"/cek/{token}/lapor",
        data={"form_id": form_id.group(1), "kind": "diminta_membayar", "text": STORY},
    )
    return created, token, sent


def test_the_pengawas_sees_a_residents_report_and_closes_it(
    server: Server, launch: Launcher
) -> None:
    server.services.accounts.create_user("inspektorat", "pengawas", None, PASSWORD)
    created, token, sent = _reported(server)
    resident = server.app.test_client()
    report_id = sent.headers["Location"].rsplit("/", 1)[1]

    context = launch(viewport={"width": 1366, "height": 900})
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, server.url, "inspektorat")

    expect(page).to_have_url(re.compile(r"#/laporan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Laporan warga")
    tabs = page.get_by_role("navigation", name="Menu utama").get_by_role("link")
    expect(tabs).to_have_text([re.compile("Laporan$"), re.compile("Pengaturan$")])
    page.get_by_role("link", name=f"Buka laporan {report_id}").click()
    expect(page.get_by_text(STORY)).to_be_visible()
    expect(page.get_by_text(created["code"])).to_be_visible()
    # The service in words, as the catalog names it (draft() is an AKTA_LAHIR).
    expect(page.get_by_text("Akta kelahiran", exact=True).first).to_be_visible()
    page.fill("#rp-note", "Dana dikembalikan; petugas dibina.")
    page.get_by_role("button", name="Tutup laporan (selesai)").click()
    expect(page.get_by_text("Laporan ini sudah selesai.")).to_be_visible()

    status = resident.get(f"/cek/{token}").get_data(as_text=True)
    assert "status: <b>selesai</b>" in status


def test_the_admin_sees_how_many_reports_have_each_status_and_nothing_they_say(
    server: Server, launch: Launcher
) -> None:
    created, _, sent = _reported(server)
    assert sent.status_code == 303

    context = launch(viewport={"width": 1366, "height": 900})
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, server.url, "admin")
    page.get_by_role("link", name="Laporan warga", exact=True).click()
    counts = page.get_by_test_id("report-counts")
    expect(counts).to_contain_text("Diterima1")
    expect(counts).to_contain_text("Selesai0")
    assert STORY not in page.content() and created["code"] not in page.content()
    # The overseer's own address shows the admin its home, and the address bar says so.
    page.goto(server.url + "/#/laporan")
    expect(page).not_to_have_url(re.compile(r"#/laporan$"))
