"""The desa office's contact, from the operator's phone to the resident's (#14): set in
Pengaturan, shown on the status page as a number to tap."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from e2e.ui import E2E, login
from helpers import Api, draft, submit_ready

pytestmark = E2E


def test_the_operator_sets_the_office_contact_and_the_resident_sees_it(
    server: Any, launch: Any
) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    request = submit_ready(op, server.services, draft())
    browser = launch(viewport={"width": 360, "height": 740})
    page = browser.new_page()
    login(page, server.url, "op.a")
    page.goto(f"{server.url}/#/pengaturan")

    page.fill("#dc-phone", "12ab")
    page.get_by_role("button", name="Simpan kontak").click()
    expect(page.get_by_role("alert")).to_contain_text("Nomor telepon kantor desa tidak dikenal")
    page.fill("#dc-phone", "0812-3456-7890")
    page.get_by_label("Nomor ini juga menerima pesan WhatsApp").check()
    page.fill("#dc-hours", "Senin–Jumat 08.00–14.00")
    page.get_by_role("button", name="Simpan kontak").click()
    expect(page.get_by_text("Kontak kantor desa disimpan.")).to_be_visible()

    resident = browser.new_page()  # the page is public: no session is used
    resident.set_viewport_size({"width": 320, "height": 640})
    resident.goto(f"{server.url}/cek/{request['token']}")
    call = resident.get_by_role("link", name="0812-3456-7890")
    expect(call).to_have_attribute("href", "tel:+6281234567890")
    expect(resident.get_by_role("link", name="WhatsApp")).to_have_attribute(
        "href", "https://wa.me/6281234567890"
    )
    expect(resident.locator("dd").filter(has_text="Senin–Jumat 08.00–14.00")).to_be_visible()
