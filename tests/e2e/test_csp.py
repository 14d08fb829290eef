"""The PWA's Content-Security-Policy blocks nothing the app itself does.

The shell is served with `default-src 'self'; script-src 'self'; style-src 'self'; ...`
(bakso/security_headers.py). An inline style or script, an eval, an image or upload
from elsewhere would be refused by Chromium and reported: as a `securitypolicyviolation`
event and as a console error. Both are collected over log-in, a new request with a
photographed document (a blob: thumbnail, a compress worker, an upload), its receipt
screen (a QR), the coverage screen and the Dukcapil screens (lazy-loaded CSS).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page, Playwright, expect

from e2e.conftest import CHROMIUM, FLAGS
from e2e.ui import DOCS, E2E, Dukcapil, login, photo, send_request
from helpers import PASSWORD

pytestmark = E2E

COLLECT = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


def violations(page: Page, console: list[str]) -> list[str]:
    events = page.evaluate("() => window.__cspViolations || []")
    return [*events, *console]


def test_no_csp_violation_on_login_new_request_and_dukcapil_screens(
    server, launch, playwright: Playwright, tmp_path: Path
) -> None:
    context = launch()
    context.add_init_script(COLLECT)
    page = context.pages[0] if context.pages else context.new_page()
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", note)
    response = page.goto(server.url + "/")
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    login(page, server.url)
    assert violations(page, console) == []

    # 800 px on the short side: a smaller page is held by the photo check ("Foto terlalu kecil").
    files = {doc: [photo(tmp_path / f"{doc}.png", doc, 1000, 800)] for doc in DOCS}
    send_request(page, "Siti Aminah", files)
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)
    # The receipt screen: the status link's QR (drawn by the app) and the WhatsApp link.
    [held] = Dukcapil(server.url).requests()
    page.goto(server.url + "/#/daftar")
    page.get_by_text(held["code"], exact=False).click()
    expect(page.get_by_role("heading", name="Tanda terima")).to_be_visible()
    page.goto(server.url + "/#/cakupan")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert violations(page, console) == []

    # An officer lands on the Dukcapil screens, a lazily loaded chunk with its own CSS.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        office = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
        office.add_init_script(COLLECT)
        officer = office.new_page()
        officer.on("console", note)
        officer.goto(server.url + "/")
        officer.fill("#username", "dukcapil")
        officer.fill("#password", PASSWORD)
        officer.get_by_role("button", name="Masuk").click()
        expect(officer.get_by_role("heading", level=1)).to_have_text("Paket berkas")
        assert violations(officer, console) == []
    finally:
        browser.close()
