"""The officer reads a request's form data on its detail screen (1366 px), without a batch:
a card per section under its forms.json label, a row per family member, choices by label."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Playwright, expect

from bakso.workers.handlers import drain_once
from e2e.conftest import CHROMIUM, FLAGS
from e2e.test_dukcapil import _axe, _officer_login
from e2e.ui import E2E
from helpers import Api, draft, fake_jpeg

pytestmark = [*E2E, pytest.mark.e2e]

VECTORS = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"

# Cells whose text takes more lines than it has words: a word was split across lines.
BROKEN_WORDS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.textContent.trim() !== '')
  .filter((el) => {
    const text = document.createRange();
    text.selectNodeContents(el);
    let lines = 0;
    let bottom = -Infinity;
    for (const r of [...text.getClientRects()].sort((a, b) => a.top - b.top)) {
      if (r.width === 0) continue;
      if (r.top >= bottom - 1) lines += 1;
      bottom = Math.max(bottom, r.bottom);
    }
    return lines > el.innerText.trim().split(/\\s+/).length;
  })
  .map((el) => el.textContent.trim().slice(0, 30))"""


def test_dukcapil_detail_shows_the_form_fields_by_section_with_labels(
    server: Any, playwright: Playwright
) -> None:
    fields = copy.deepcopy(json.loads(VECTORS.read_text())["valid"]["KK_BARU"])
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    created = op.create(draft(service="KK_BARU", subject=None, fields=fields))
    for requirement in ("F101", "BUKU_NIKAH"):
        op.attach(created["id"], requirement, fake_jpeg(created["id"] + requirement))
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    drain_once(server.services)

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="id-ID", bypass_csp=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        _officer_login(page, server.url)
        page.goto(f"{server.url}/#/dukcapil/p/{created['id']}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(created["code"])

        card = page.locator(".dk-form")
        expect(card.get_by_role("heading", level=2)).to_have_text(
            "Data formulir F-1.01 (biodata keluarga)"
        )
        family = card.locator('[data-section="family"]')
        expect(family.get_by_role("heading", level=3)).to_have_text("Data keluarga")
        expect(family.locator("dt").first).to_have_text("Nama kepala keluarga")
        expect(family.locator('[data-field="family.head_name"]')).to_have_text("Ahmad Fauzi")
        expect(family.locator('[data-field="family.rt"]')).to_have_text("001")

        members = card.locator('[data-section="members"]')
        expect(members.get_by_role("heading", level=3)).to_have_text("Anggota keluarga (3)")
        expect(members.locator("tbody tr")).to_have_count(3)
        header = members.locator("thead th")
        expect(header.nth(1)).to_have_text("Nama lengkap")
        expect(header.nth(2)).to_have_text("NIK")
        for index, member in enumerate(fields["members"]):
            expect(members.locator(f'[data-field="members[{index}].nik"]')).to_have_text(
                member["nik"]
            )
        expect(members.locator('[data-field="members[0].relationship"]')).to_have_text(
            "Kepala keluarga"  # the choice's label, not KEPALA_KELUARGA
        )
        expect(members.locator('[data-field="members[1].relationship"]')).to_have_text("Istri")
        expect(members.locator('[data-field="members[0].birth_date"]')).to_have_text(
            "17 Agustus 1985"
        )
        expect(members.locator('[data-field="members[0].has_birth_certificate"]')).to_have_text(
            "Ya"
        )
        # Read-only: nothing in the card can be typed into.
        expect(card.locator("input, select, textarea")).to_have_count(0)
        # Wide tables scroll inside their card, not the page, on the office PC's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        # Review #17 finding 7: 16 columns squeezed split words ("Isla m", "Muham mad
        # Rizki"); now every cell keeps its words whole and the table scrolls sideways.
        assert (
            page.evaluate(BROKEN_WORDS, '[data-section="members"] td, [data-section="members"] th')
            == []
        )
        wrap = members.locator(".dk-table-wrap")
        assert wrap.evaluate("(el) => el.scrollWidth > el.clientWidth")
        for value in ("Islam", "Ahmad Fauzi", "17 Agustus 1985"):
            cell = members.locator("td", has_text=value).first
            assert cell.evaluate("(el) => el.getClientRects().length && el.offsetHeight < 40"), (
                value
            )
        assert _axe(page) == []
        context.close()
    finally:
        browser.close()


def test_the_officer_sees_a_kept_photos_flags_and_the_subjects_date_spelled_out(
    server: Any, playwright: Playwright
) -> None:
    """Review #17 findings 8 and 9: a page kept despite "Foto terlalu gelap" is marked on the
    officer's detail; the subject line's birth date reads as the form's does."""
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    created = op.create(draft())  # AKTA_LAHIR: the subject is the child's section
    op.attach(created["id"], "F201", fake_jpeg("gelap"), quality=["dark"])
    for requirement in ("SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
        op.attach(created["id"], requirement, fake_jpeg(created["id"] + requirement))
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    drain_once(server.services)

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale="id-ID", bypass_csp=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        _officer_login(page, server.url)
        page.goto(f"{server.url}/#/dukcapil/p/{created['id']}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(created["code"])

        subject = page.locator("dl.summary").first
        expect(subject).to_contain_text("Muhammad Rizki · 2 Oktober 2026 · Selong")
        expect(subject).not_to_contain_text("2026-10-02")

        kept = page.locator(".dk-scans .badge-kept")
        expect(kept).to_have_count(1)
        expect(kept).to_have_text("Foto gelap — dipertahankan operator")
        f201 = page.locator(".dk-scans li", has=page.locator(".badge-kept"))
        expect(f201).to_contain_text("Formulir F-2.01 (halaman 1)")
        assert _axe(page) == []
        context.close()
    finally:
        browser.close()
