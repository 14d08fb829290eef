"""No screen scrolls sideways at the sizes its users have (#14): the operator's 320/360 px
phone, Dukcapil's 1366 px office PC (and a phone, when an officer checks from the field),
the resident's 320 px low-end phone.

A page wider than the screen hides its header and makes taps land on the wrong control, so
every route is opened with real data in it (a submitted request with its long status link,
a verified one in Dukcapil's list) and its document is measured.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.test_sasaran import seed
from e2e.ui import E2E, login
from helpers import DESA_A, PASSWORD, Api, draft, submit_ready

pytestmark = E2E

OPERATOR_ROUTES = ["#/", "#/baru", "#/daftar", "#/sasaran", "#/antrean", "#/pengaturan"]
DUKCAPIL_ROUTES = [
    "#/dukcapil",
    "#/dukcapil/permohonan",
    "#/dukcapil/kembali",
    f"#/dukcapil/sasaran-desa?desa={DESA_A}",  # one desa's worklist, with its rows (seed)
    "#/dukcapil/audit",
    "#/cakupan",
    "#/pengaturan",
]
ADMIN_ROUTES = ["#/dukcapil/akun"]

# What makes the page wider than the viewport, for the failure message.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map((el) => {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}.${el.className} ${right}px`;
    });
  return { scroll: document.documentElement.scrollWidth, width, wide };
}"""


# Controls a thumb must hit (WCAG 2.5.5: 44 × 44 CSS px). Links inside running text are
# exempt (2.5.5's "inline" exception); hidden and off-screen controls are not measured. A
# checkbox inside its label is hit through the label's row (label.check).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]):not(.sr-only):not(label input), select, textarea, ' +
    'label.btn, a.btn, nav a, label.choice, label.check, ' +
    'a:not(p a):not(td a):not(dd a), p > a:only-child'
  )]
  .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => ({ el, box: el.getBoundingClientRect() }))
  .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44))
  .map(({ el, box }) => {
    const text = (el.textContent || el.id || '').trim().slice(0, 30);
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    return `${el.tagName.toLowerCase()} "${text}" ${size}`;
  })
"""


# A label wider than its box, or a word broken across lines by the page's
# `overflow-wrap: anywhere` ("Pengatura/n" in a 53 px tab at 320 px): counted by the line
# boxes of its text, which a word that fits never has more of than its words.
CLIPPED_LABELS = """() => [...document.querySelectorAll('nav a > span, button, .btn')]
  .filter((el) => el.getClientRects().length > 0 && el.textContent.trim() !== '')
  .filter((el) => {
    const text = document.createRange();
    text.selectNodeContents(el);
    const box = (el.closest('nav a') || el).getBoundingClientRect();
    const ink = text.getBoundingClientRect();
    // Rows of text: a box that starts below every box so far begins a new one (a number
    // and its label side by side, in two sizes, are one row).
    let lines = 0;
    let bottom = -Infinity;
    for (const r of [...text.getClientRects()].sort((a, b) => a.top - b.top)) {
      if (r.width === 0) continue;
      if (r.top >= bottom - 1) lines += 1;
      bottom = Math.max(bottom, r.bottom);
    }
    const words = el.innerText.trim().split(/\\s+/).length;
    return ink.left < box.left - 1 || ink.right > box.right + 1 || lines > words;
  })
  .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || '').trim().slice(0, 30)}"`)
"""


@pytest.fixture
def submitted(server) -> dict[str, Any]:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    return submit_ready(op, server.services, draft())


def officer_login(page: Page, base: str, username: str) -> None:
    """An officer lands on the Dukcapil screens, not the operator's home."""
    page.goto(base + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#username")).to_have_count(0)


def assert_fits(page: Page, route: str) -> None:
    page.goto(page.url.split("#")[0] + route)
    expect(page.locator("main h1, main h2").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["width"], (route, measured)
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], (route, small)
    clipped = page.evaluate(CLIPPED_LABELS)
    assert clipped == [], (route, clipped)


@pytest.mark.parametrize("width", [320, 360])
def test_operator_screens_fit_the_phone(server, launch, submitted, width: int) -> None:
    seed(server)  # the worklist with its cards and follow-up buttons
    page = launch(viewport={"width": width, "height": 640}).new_page()
    login(page, server.url, "op.a")
    for route in [*OPERATOR_ROUTES, f"#/permohonan/{submitted['id']}"]:
        assert_fits(page, route)


@pytest.mark.parametrize("width", [1366, 360])
def test_dukcapil_screens_fit_the_office_pc_and_a_phone(
    server, launch, submitted, width: int
) -> None:
    seed(server)  # one desa's worklist with its rows and withdraw buttons
    page = launch(viewport={"width": width, "height": 768}).new_page()
    officer_login(page, server.url, "dukcapil")
    # One menu per job: the bottom bar keeps what lies outside Dukcapil's own tabs, not the
    # operator's worklist (which only pointed an officer elsewhere).
    menu = ["Beranda", "Daftar", "Cakupan", "Pengaturan"]
    expect(page.locator("nav.tabbar a")).to_contain_text(menu)
    for route in [*DUKCAPIL_ROUTES, f"#/dukcapil/p/{submitted['id']}"]:
        assert_fits(page, route)


def test_admin_screens_fit_the_office_pc(server, launch) -> None:
    page = launch(viewport={"width": 1366, "height": 768}).new_page()
    officer_login(page, server.url, "admin")
    for route in ADMIN_ROUTES:
        assert_fits(page, route)


def test_resident_status_page_fits_a_low_end_phone(server, launch, submitted) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    contact = {"phone": "(0376) 21234", "whatsapp": True, "hours": "Senin–Jumat 08.00–14.00"}
    assert op.put(f"/api/v1/desa/{submitted['desa']}/contact", json=contact).status_code == 200
    page = launch(viewport={"width": 320, "height": 640}).new_page()
    page.goto(f"{server.url}/cek/{submitted['token']}")
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["width"], measured
    # The office's number, WhatsApp and the report channels are a thumb's size to tap.
    assert page.evaluate(SMALL_TARGETS) == []
    code = page.locator(".code").first
    assert code.evaluate("(el) => el.getClientRects().length") == 1  # never "LT-9X2K-" / "FXQV"


@pytest.mark.parametrize("layout", ["a4", "thermal"])
def test_the_printable_receipt_fits_the_operators_phone(
    server, launch, submitted, layout: str
) -> None:
    page = launch(viewport={"width": 360, "height": 740}).new_page()
    login(page, server.url, "op.a")
    page.goto(f"{server.url}/api/v1/requests/{submitted['id']}/receipt?layout={layout}")
    expect(page.get_by_role("button", name="Cetak")).to_be_visible()
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["width"], measured
