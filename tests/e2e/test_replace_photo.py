"""A page Dukcapil sent back is replaced from the operator's correction form: after the
resubmission the server holds the new photo and not the old one, and Dukcapil's detail
marks it as the replacement of its page (issue #14)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Playwright, expect

from e2e.conftest import CHROMIUM, FLAGS
from e2e.ui import DOCS, E2E, Dukcapil, login, photo, send_request
from helpers import PASSWORD

pytestmark = E2E


def test_a_rejected_photo_is_replaced_and_dukcapil_sees_it_marked_new(
    server, launch, playwright: Playwright, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    files = {doc: [photo(tmp_path / f"{doc}.png", doc, 800, 1000)] for doc in DOCS}
    send_request(page, "Warga Foto Ulang", files)
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    dukcapil = Dukcapil(server.url)
    [held] = dukcapil.requests()
    first = {s["requirement"]: s for s in dukcapil.detail(held["id"])["scans"]}
    old = first["F101"]
    version = held["version"]
    for to, note in [("DITERIMA", ""), ("PERLU_PERBAIKAN", "Mohon foto ulang F-1.01")]:
        version = dukcapil.transition(held["id"], to, note, version)["version"]

    # The operator opens the correction: the page on the server is listed with "Ganti foto ini".
    page.goto(server.url + "/#/daftar")
    page.get_by_text(held["code"], exact=False).click()
    expect(page.locator(".note-warn")).to_contain_text("Mohon foto ulang F-1.01")
    page.get_by_role("button", name="Perbaiki permohonan ini").click()
    # Dukcapil's reason stays in sight on the form being corrected.
    expect(page.locator("main .note-warn")).to_contain_text("Mohon foto ulang F-1.01")
    page.get_by_role("button", name="Lanjut").click()  # data unchanged
    card = page.locator('section[aria-labelledby="req-F101"]')
    server_page = card.locator(f'li[data-server-page="{old["id"]}"]')
    expect(server_page).to_contain_text("Halaman 1")
    expect(server_page.locator("label", has_text="Ganti foto ini")).to_be_visible()
    server_page.locator(f'input[data-replace="{old["id"]}"]').set_input_files(
        str(photo(tmp_path / "ulang.png", "ulang", 800, 1000))
    )
    expect(server_page).to_contain_text("Foto baru untuk halaman 1", timeout=20_000)
    page.get_by_role("button", name="Lanjut").click()
    # The review counts what Dukcapil will hold: its pages, one of them replaced.
    expect(page.get_by_text(f"{len(DOCS)} halaman untuk {len(DOCS)} dokumen")).to_be_visible()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    # The server holds the new page in place of the old one; the other pages stay.
    again = dukcapil.detail(held["id"])
    assert again["status"] == "DIAJUKAN"
    scans = dukcapil.held_scans(held["id"])
    assert sorted(s["requirement"] for s in scans) == sorted(DOCS)
    [new] = [s for s in scans if s["requirement"] == "F101"]
    assert new["id"] != old["id"] and new["sha256"] != old["sha256"]
    assert new["actual"] == new["sha256"] and new["replaces"] == old["id"]
    kept = {s["requirement"]: s["id"] for s in scans if s["requirement"] != "F101"}
    assert kept == {r: first[r]["id"] for r in kept}
    gone = dukcapil.http.get(
        f"{server.url}/api/v1/requests/{held['id']}/scans/{old['id']}", timeout=10
    )
    assert gone.status_code == 404

    # Dukcapil's detail marks the replacing page, and only it.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        office = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="id-ID", service_workers="block"
        )
        office.set_default_timeout(15_000)
        desk = office.new_page()
        desk.goto(server.url + "/")
        desk.fill("#username", "dukcapil")
        desk.fill("#password", PASSWORD)
        desk.get_by_role("button", name="Masuk").click()
        expect(desk.locator("#username")).to_have_count(0)
        desk.goto(f"{server.url}/#/dukcapil/p/{held['id']}")
        marked = desk.locator(f'li[data-scan="{new["id"]}"]')
        expect(marked).to_contain_text("Mengganti halaman 1")
        expect(marked).to_contain_text("F-1.02 (halaman 1)")
        for scan_id in kept.values():
            expect(desk.locator(f'li[data-scan="{scan_id}"]')).to_be_visible()
            expect(desk.locator(f'li[data-scan="{scan_id}"] .badge')).to_have_count(0)
    finally:
        browser.close()
