"""The province role in the browser (#16): after login it lands on coverage, and only there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import Launcher, Server
from helpers import PASSWORD

pytestmark = pytest.mark.e2e


def test_a_province_account_sees_the_coverage_screen_only(server: Server, launch: Launcher) -> None:
    server.services.accounts.create_user("provinsi.ntb", "provinsi", None, PASSWORD, provinsi="52")
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.goto(server.url + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", "provinsi.ntb")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    expect(page).to_have_url(re.compile(r"#/cakupan$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan dokumen")
    tabs = page.get_by_role("navigation", name="Menu utama").get_by_role("link")
    expect(tabs).to_have_text([re.compile("Cakupan$"), re.compile("Pengaturan$")])
    expect(page.locator(".appbar-desa")).to_have_text("Provinsi (hanya cakupan)")

    page.goto(server.url + "/#/dukcapil/akun")  # a Dukcapil screen: not for this role
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan dokumen")
    page.goto(server.url + "/#/pengaturan")
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    assert not [u for u in asked if "/api/v1/requests" in u], asked
