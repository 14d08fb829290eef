"""e. A new service-worker version never reloads a form with unsaved input."""

from __future__ import annotations

from playwright.sync_api import expect

from e2e.test_offline import first_page
from e2e.ui import E2E, SERVICE_LABEL, login, wait_for_service_worker

pytestmark = E2E


def test_new_version_waits_for_consent_and_keeps_unsaved_form(server, launch) -> None:
    context = launch()
    page = first_page(context)
    login(page, server.url)
    wait_for_service_worker(page)

    page.goto(server.url + "/#/baru")
    page.get_by_text(SERVICE_LABEL, exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", "5203015708900001")
    page.fill("#name", "Belum Disimpan")
    page.evaluate("() => { window.__sameDocument = true; }")

    # Deploy a new version: any byte change in sw.js is a new service worker.
    sw = server.dist / "sw.js"
    sw.write_text(sw.read_text() + "\n// versi 2\n")
    page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")

    expect(page.get_by_text("Versi baru tersedia")).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)  # give a wrong implementation time to reload
    assert page.evaluate("() => window.__sameDocument === true")
    expect(page.locator("#nik")).to_have_value("5203015708900001")
    expect(page.locator("#name")).to_have_value("Belum Disimpan")

    # Declining the warning about unsaved input keeps everything as it is.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Muat ulang").click()
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.__sameDocument === true")
    expect(page.locator("#name")).to_have_value("Belum Disimpan")

    # Accepting it activates the new version and reloads.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Muat ulang").click()
    page.wait_for_function("() => window.__sameDocument === undefined")
    expect(page.get_by_text("Versi baru tersedia")).to_be_hidden()
    waiting = page.evaluate(
        "async () => !!(await navigator.serviceWorker.getRegistration()).waiting"
    )
    assert waiting is False
