"""Dukcapil opens one desa's worklist at the office PC (1366 px) and withdraws a row after an
in-page confirmation: the row leaves the table and the store, and the desa's phone loses it
on its next sync, through the delta's tombstone (docs/sasaran-import.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page, Playwright, Route, expect

from bakso.domain.model import Actor, Role
from e2e.conftest import CHROMIUM, FLAGS, Launcher, Server
from e2e.test_layout import OVERFLOW, SMALL_TARGETS
from e2e.ui import E2E, login
from helpers import DESA_A, DESA_B, NIK_WOMAN, PASSWORD, Api
from sasaran.support import Importer, csv_file

pytestmark = [*E2E, pytest.mark.e2e]

DUKCAPIL = Actor("dukcapil", Role.DUKCAPIL, None)
BUSY = "Sasaran sedang diubah; coba lagi."


def _seed(server: Server) -> dict[str, str]:
    api = Api(server.app.test_client())
    assert api.login("dukcapil").status_code == 200
    a, b = DESA_A.replace(".", ""), DESA_B.replace(".", "")
    done = Importer(api, server.services).run(
        csv_file(
            f",Amaq Udin,{a},Dusun Baru RT 01,KTP_EL,,",
            f"{NIK_WOMAN},Inaq Sinar,{a},Dusun Lauk RT 02,KTP_EL;KK,LANSIA,",
            f",Papuq Rahman,{b},Dusun Sakra,AKTA_LAHIR,,",
        )
    )
    assert done["status"] == "DONE" and done["counts"]["accepted"] == 3, done
    items = api.get(f"/api/v1/sasaran?desa={DESA_A}").get_json()["items"]
    return {item["name"]: item["id"] for item in items}


def _stored_names(server: Server, desa: str) -> list[str]:
    page = server.services.sasaran.list_rows(DUKCAPIL, desa, cursor=None, limit=100)
    return [row.name for row in page.items]


def _desk(browser: Any, base: str) -> Page:
    office = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="id-ID", service_workers="block"
    )
    office.set_default_timeout(15_000)
    desk: Page = office.new_page()
    desk.goto(base + "/")
    expect(desk.locator("#username")).to_be_visible(timeout=30_000)
    desk.fill("#username", "dukcapil")
    desk.fill("#password", PASSWORD)
    desk.get_by_role("button", name="Masuk").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Paket berkas")
    return desk


def test_dukcapil_withdraws_a_row_and_the_desa_phone_loses_it(
    server: Server, launch: Launcher, playwright: Playwright
) -> None:
    rows = _seed(server)

    # The operator's phone holds the desa's list (downloaded whole, with its revision).
    phone = launch().new_page()
    login(phone, server.url)
    phone.goto(server.url + "/#/sasaran")
    cards = phone.locator("li.sasaran h2")
    expect(cards).to_have_count(2)
    expect(phone.locator(f'li[data-sasaran="{rows["Amaq Udin"]}"]')).to_be_visible()

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        desk = _desk(browser, server.url)
        dialogs: list[str] = []

        def no_native_dialog(dialog: Dialog) -> None:  # the confirmation is in the page
            dialogs.append(dialog.message)
            dialog.dismiss()

        desk.on("dialog", no_native_dialog)

        # Reached from Dukcapil's menu; the desktop width; a desa picked by kecamatan.
        desk.get_by_role("link", name="Daftar sasaran", exact=True).click()
        expect(desk.get_by_role("heading", level=1)).to_have_text("Daftar sasaran per desa")
        assert desk.locator("main").bounding_box()["width"] > 1200
        desk.get_by_label("Kecamatan").select_option(label="Keruak")
        desk.get_by_label("Desa", exact=True).select_option(label="Tanjung Luar")
        table = desk.locator("tr.wl-row")
        expect(table).to_have_count(2)
        expect(desk.get_by_text("Papuq Rahman")).to_have_count(0)  # desa B's row
        inaq = desk.locator("tr.wl-row", has_text="Inaq Sinar")
        expect(table.first).to_contain_text("Inaq Sinar")  # rentan first, as the desa sees it
        expect(inaq).to_contain_text("Rentan: Lansia")
        expect(inaq.locator(".wl-nik")).to_have_text(NIK_WOMAN)  # all 16 digits, as text
        expect(inaq).to_contain_text("KTP-el")
        expect(inaq).to_contain_text("Kartu Keluarga")
        expect(inaq).to_contain_text("Belum ditindaklanjuti")
        assert f"desa={DESA_A}" in desk.url  # the link reopens this desa

        # Asked in the page; "Batal" keeps the row.
        amaq = desk.locator("tr.wl-row", has_text="Amaq Udin")
        withdraw = desk.get_by_role("button", name="Tarik dari daftar: Amaq Udin")
        withdraw.click()
        ask = desk.get_by_role("alertdialog")
        expect(ask).to_contain_text("Tarik Amaq Udin dari daftar sasaran desa Tanjung Luar?")
        expect(ask.get_by_role("button", name="Batal")).to_be_focused()
        for width in (1366, 360):  # the question fits beside the table, on a phone too
            desk.set_viewport_size({"width": width, "height": 768})
            measured = desk.evaluate(OVERFLOW)
            assert measured["scroll"] <= measured["width"], (width, measured)
            assert desk.evaluate(SMALL_TARGETS) == [], width
        ask.get_by_role("button", name="Batal").click()
        expect(ask).to_have_count(0)
        assert sorted(_stored_names(server, DESA_A)) == ["Amaq Udin", "Inaq Sinar"]

        # A refusal shows the server's problem+json detail and keeps the row.
        def busy(route: Route) -> None:
            if route.request.method != "DELETE":
                route.continue_()
                return
            body = {"title": "Conflict", "status": 409, "detail": BUSY}
            route.fulfill(
                status=409, content_type="application/problem+json", body=json.dumps(body)
            )

        target = f"**/api/v1/sasaran/{rows['Amaq Udin']}"
        desk.route(target, busy)
        withdraw.click()
        ask.get_by_role("button", name="Ya, tarik dari daftar").click()
        expect(ask.get_by_role("alert")).to_have_text(BUSY)
        expect(amaq).to_be_visible()
        desk.unroute(target)

        # Confirmed: DELETE with the CSRF header; the row leaves the table; a toast says so.
        with desk.expect_request(lambda r: r.method == "DELETE") as sent:
            ask.get_by_role("button", name="Ya, tarik dari daftar").click()
        assert sent.value.url.endswith(f"/api/v1/sasaran/{rows['Amaq Udin']}")
        assert sent.value.headers.get("x-csrf-token")
        expect(amaq).to_have_count(0)
        expect(table).to_have_count(1)
        expect(desk.locator(".toast")).to_have_text("Amaq Udin ditarik dari daftar sasaran.")
        assert _stored_names(server, DESA_A) == ["Inaq Sinar"]
        assert _stored_names(server, DESA_B) == ["Papuq Rahman"]
        desk.reload()  # from the server again, the same desa from the link
        expect(table).to_have_count(1)
        expect(desk.get_by_text("Amaq Udin")).to_have_count(0)

        # Offline, the screen says so and offers no withdrawal.
        desk.context.set_offline(True)
        expect(desk.get_by_text("hanya dapat dibuka dan diubah saat ada sinyal")).to_be_visible()
        expect(desk.get_by_role("button", name="Tarik dari daftar: Inaq Sinar")).to_be_disabled()
        desk.context.set_offline(False)
        assert dialogs == []
    finally:
        browser.close()

    # The phone's next sync asks by change and gets a tombstone, not the whole list.
    with phone.expect_response(
        lambda r: "/api/v1/sasaran?" in r.url and "since=" in r.url
    ) as synced:
        phone.reload()
    delta = synced.value.json()
    assert delta["full"] is False
    assert [t["id"] for t in delta["removed"]] == [rows["Amaq Udin"]]
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Inaq Sinar")
    expect(phone.get_by_text("Amaq Udin")).to_have_count(0)
