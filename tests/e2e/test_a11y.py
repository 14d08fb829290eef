"""h. axe-core on the main screens at phone size: nothing serious or critical."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.test_offline import first_page, make_photos
from e2e.ui import E2E, fill_request, login

pytestmark = E2E

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(
    "viewport",
    [{"width": 360, "height": 640}, {"width": 800, "height": 1280}],
    ids=["phone", "tablet"],
)
def test_main_screens_have_no_serious_axe_violations(
    server, launch, tmp_path: Path, viewport
) -> None:
    # bypass_csp only so axe itself may be injected (test_csp checks the app under the CSP).
    context = launch(viewport=viewport, service_workers="block", bypass_csp=True)
    page = first_page(context)
    page.goto(server.url + "/")
    expect(page.locator("#username")).to_be_visible()
    found = {"login": serious_violations(page)}
    login(page, server.url)
    found["home"] = serious_violations(page)

    files = make_photos(tmp_path, 1)[0]
    fill_request(page, "Warga Aksesibel", files)
    found["review"] = serious_violations(page)
    page.get_by_role("button", name="Kembali").click()
    found["documents"] = serious_violations(page)
    page.get_by_role("button", name="Kembali").click()
    found["data"] = serious_violations(page)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("heading", name="Warga Aksesibel")).to_be_visible()
    found["detail"] = serious_violations(page)

    for route, name in [
        ("#/daftar", "list"),
        ("#/antrean", "outbox"),
        ("#/pengaturan", "settings"),
    ]:
        page.goto(f"{server.url}/{route}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found[name] = serious_violations(page)

    # Large touch targets: every button and link in the main area is at least 40 px high.
    page.goto(f"{server.url}/#/")
    small = page.evaluate(
        """() => [...document.querySelectorAll('main .btn, nav a')]
            .filter((e) => e.getBoundingClientRect().height < 40).map((e) => e.textContent)"""
    )
    assert small == []
    assert {k: v for k, v in found.items() if v} == {}
