"""/layanan in a real Chromium at 320 px: readable without JavaScript (nothing scrolls
sideways, each desa's figures labelled), and no axe violations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bakso.domain.localtime import zone_named
from helpers import DESA_A

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


def test_the_service_times_page_reads_at_320_px_without_javascript(server, launch) -> None:
    today = datetime.now(UTC).astimezone(zone_named("Asia/Makassar")).date()
    for n in range(12):
        day = (today - timedelta(days=n)).isoformat()
        server.services.records.count_service_time(f"e2e-{n}", "SELESAI", "52.03", DESA_A, day, n)

    no_js = launch(java_script_enabled=False)
    page = no_js.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    response = page.goto(f"{server.url}/layanan")
    assert response is not None and response.status == 200
    row = page.locator("tr", has_text="Tanjung Luar")
    served = row.locator('td[data-l="Dilayani"]')
    assert served.inner_text() == "12"
    # At 320 px each cell is labelled (the header row is hidden): "Dilayani: 12".
    label = served.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Dilayani: "'
    assert "5 / 10 hari" in row.inner_text()  # 0..11: rank 6 -> 5, rank ceil(10.8)=11 -> 10
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    no_js.close()

    context = launch(bypass_csp=True)  # only so axe itself may be injected
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server.url}/layanan")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    assert [(v["id"], len(v["nodes"])) for v in results["violations"]] == []
