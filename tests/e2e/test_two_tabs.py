"""Two tabs of the loket app on one device (#14): an edit is never silently lost, a form is
never left without a warning, and a tab left behind by an update says how to catch up."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.test_offline import first_page, make_photos
from e2e.ui import E2E, Dukcapil, fill_request, local_requests, login, wait_for_service_worker

pytestmark = E2E


def open_draft(page: Page, base: str, request_id: str) -> None:
    """The draft's form, at its last step (where it is saved or sent)."""
    page.goto(f"{base}/#/baru/{request_id}")
    expect(page.locator("#name")).to_be_visible()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_role("button", name="Simpan draf")).to_be_visible()


def test_an_edit_saved_while_another_tab_sends_is_kept(server, launch, tmp_path: Path) -> None:
    context = launch()
    tab_a = first_page(context)
    login(tab_a, server.url)
    fill_request(tab_a, "Warga Dua Tab", make_photos(tmp_path, 1)[0])
    tab_a.get_by_role("button", name="Simpan draf").click()
    expect(tab_a.get_by_text("Warga Dua Tab").first).to_be_visible()
    [draft] = local_requests(tab_a)

    tab_b = context.new_page()
    open_draft(tab_a, server.url, draft["id"])
    # Tab A edits the name but has not saved yet when tab B sends the draft as it was.
    tab_a.get_by_role("button", name="Kembali").click()
    tab_a.get_by_role("button", name="Kembali").click()
    tab_a.fill("#name", "Warga Dua Tab Diperbaiki")
    open_draft(tab_b, server.url, draft["id"])
    tab_b.get_by_role("button", name="Kirim", exact=True).click()
    expect(tab_b.get_by_text("Baru saja terkirim")).to_be_visible(timeout=30_000)

    tab_a.get_by_role("button", name="Lanjut").click()
    tab_a.get_by_role("button", name="Lanjut").click()
    tab_a.get_by_role("button", name="Simpan draf").click()
    expect(tab_a.get_by_role("alert")).to_contain_text("diubah atau dikirim dari tab")
    expect(tab_a.locator("#name")).to_have_count(0)  # still the review step, input kept
    tab_a.get_by_role("button", name="Simpan isian ini sebagai draf baru").click()
    tab_a.get_by_role("button", name="Simpan draf").click()
    expect(tab_a.get_by_role("heading", level=1)).not_to_have_text("Ubah permohonan")

    held = Dukcapil(server.url).requests()
    assert [r["applicant"]["name"] for r in held] == ["Warga Dua Tab"]  # what B sent
    kept = local_requests(tab_a)
    assert [r["name"] for r in kept] == ["Warga Dua Tab Diperbaiki"]
    assert kept[0]["id"] != draft["id"] and kept[0]["state"] == "draft"


def test_leaving_a_form_with_unsaved_input_asks_first(server, launch) -> None:
    page = first_page(launch())
    login(page, server.url)
    page.goto(server.url + "/#/baru")
    page.get_by_text("KK perubahan data", exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#name", "Belum Disimpan")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("link", name="Daftar").click()
    expect(page.locator("#name")).to_have_value("Belum Disimpan")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Daftar").click()
    expect(page.locator("#name")).to_have_count(0)


def deploy_without_coverage_chunk(dist: Path) -> None:
    """A new version: a changed sw.js, and the old coverage chunk gone from the server (a
    real build renames it). The chunk is online-only (not precached), so the old tab can
    only fetch it, and finds it missing."""
    sw = dist / "sw.js"
    text = sw.read_text()
    chunks = list((dist / "assets").glob("coverage-*.js"))
    assert chunks
    for chunk in chunks:
        assert chunk.name not in text  # not in the precache (vite.config.ts onlineOnly)
        chunk.unlink()
    sw.write_text(text + "\n// versi 2\n")


@pytest.mark.parametrize("way_out", ["banner", "lazy screen"])
def test_a_tab_left_behind_by_an_update_can_catch_up(server, launch, way_out: str) -> None:
    context = launch()
    old_tab = first_page(context)
    login(old_tab, server.url)
    wait_for_service_worker(old_tab)
    # Unsaved input keeps the old tab from reloading by itself when the new version comes.
    old_tab.goto(server.url + "/#/baru")
    old_tab.get_by_text("KK perubahan data", exact=True).click()
    old_tab.get_by_role("button", name="Lanjut").click()
    old_tab.fill("#name", "Belum Disimpan")
    old_tab.evaluate("() => { window.__oldDocument = true; }")

    deploy_without_coverage_chunk(server.dist)
    new_tab = context.new_page()
    new_tab.goto(server.url + "/")
    new_tab.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
    expect(new_tab.get_by_text("Versi baru tersedia")).to_be_visible(timeout=20_000)
    new_tab.get_by_role("button", name="Muat ulang").click()
    expect(new_tab.get_by_text("Versi baru tersedia")).to_be_hidden(timeout=20_000)
    expect(old_tab.get_by_text("Versi baru tersedia")).to_be_visible(timeout=20_000)
    assert old_tab.evaluate("() => window.__oldDocument === true")

    old_tab.on("dialog", lambda dialog: dialog.accept())  # yes, discard the unsaved input
    if way_out == "banner":
        # Nothing is waiting any more (the other tab activated it): the button still reloads.
        with old_tab.expect_navigation():
            old_tab.locator(".banner").get_by_role("button", name="Muat ulang").click()
    else:
        # Online, but the old page's chunk is gone: it says to reload, not "no signal".
        old_tab.evaluate("() => { location.hash = '#/cakupan'; }")
        alert = old_tab.get_by_role("alert")
        expect(alert).to_contain_text("Muat ulang untuk membukanya")
        expect(old_tab.get_by_text("saat ada sinyal")).to_have_count(0)
        with old_tab.expect_navigation():
            alert.get_by_role("button", name="Muat ulang").click()
    old_tab.wait_for_function("() => window.__oldDocument === undefined")
