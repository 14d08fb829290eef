"""The province role's coverage screen in the browser (#16): its kabupaten side by side, then
one kabupaten's kecamatan; figures only, on a 360 px phone and a 1366 px office screen."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from e2e.conftest import DIST, Launcher, Server
from helpers import (
    DESA_A,
    DESA_B,
    DESA_SUMBAWA,
    PASSWORD,
    SUMBAWA,
    SUMBAWA_DIR,
    USERS,
    Api,
    close_app,
    make_app,
    services_of,
)
from sasaran.support import Importer, csv_file

pytestmark = pytest.mark.e2e

NAMES = ("Amaq Saleh", "Inaq Rah", "Lalu Sumbawa")


@pytest.fixture
def two_kabupaten(tmp_path: Path) -> Iterator[Server]:
    """Lombok Timur and Sumbawa on one server, two residents listed in one, one in the other."""
    dist = tmp_path / "dist"
    shutil.copytree(DIST, dist)
    app = make_app(tmp_path / "data", PWA_DIST=str(dist), KABUPATEN_DIRS=(SUMBAWA_DIR,))
    services = services_of(app)
    for username, role, desa in USERS:
        services.accounts.create_user(username, role, desa, PASSWORD)
    services.accounts.create_user("dukcapil.sb", "dukcapil", None, PASSWORD, kabupaten=SUMBAWA)
    services.accounts.create_user("provinsi.ntb", "provinsi", None, PASSWORD, provinsi="52")
    lombok = [f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,,", f",Inaq Rah,{DESA_B},Sakra,KTP,,"]
    for officer, lines in (
        ("dukcapil", lombok),
        ("dukcapil.sb", [f",Lalu Sumbawa,{DESA_SUMBAWA},Dusun Rea,KTP,LANSIA,"]),
    ):
        api = Api(app.test_client())
        assert api.login(officer).status_code == 200
        assert Importer(api, services).run(csv_file(*lines))["status"] == "DONE"
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(app, f"http://127.0.0.1:{http.server_port}", dist)
    http.shutdown()
    thread.join()
    http.server_close()
    close_app(app)


def _login(page: Page, url: str) -> None:
    page.goto(url + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", "provinsi.ntb")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cakupan dokumen")
    page.goto(url + "/#/cakupan")


def _fits(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page scrolls sideways by {wide}px"


SCREENS = [{"width": 360, "height": 640}, {"width": 1366, "height": 768}]


@pytest.mark.parametrize("viewport", SCREENS)
def test_the_province_reads_each_kabupaten_then_one_kabupatens_kecamatan(
    two_kabupaten: Server, launch: Launcher, viewport: dict[str, int]
) -> None:
    context = launch(viewport=viewport)
    page = context.pages[0] if context.pages else context.new_page()
    _login(page, two_kabupaten.url)

    table = page.get_by_test_id("coverage-kabupaten")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Kabupaten Lombok Timur")
    expect(rows.nth(0).locator("td").first).to_have_text("2")
    expect(rows.nth(1)).to_contain_text("Kabupaten Sumbawa")
    expect(rows.nth(1).locator("td").first).to_have_text("1")
    expect(rows.nth(2)).to_contain_text("Jumlah")
    expect(page.get_by_test_id("coverage-total")).to_contain_text("dari 3 sasaran")
    _fits(page)

    table.get_by_role("button", name="Kabupaten Sumbawa").click()
    expect(page.get_by_role("button", name="← Semua kabupaten/kota")).to_be_visible()
    expect(page.get_by_test_id("coverage-total")).to_contain_text("dari 1 sasaran")
    expect(page.get_by_role("heading", name="Per kecamatan", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Unduh CSV")).to_have_attribute(
        "href", f"/api/v1/stats/coverage.csv?kabupaten={SUMBAWA}&level=kecamatan"
    )
    # Figures only: a kecamatan is not a way into its desa for the province.
    expect(page.locator("svg.chart a")).to_have_count(0)
    _fits(page)
    text = page.content()
    assert not [name for name in NAMES if name in text]

    page.get_by_role("button", name="← Semua kabupaten/kota").click()
    expect(page.get_by_test_id("coverage-kabupaten").locator("tbody tr")).to_have_count(3)
