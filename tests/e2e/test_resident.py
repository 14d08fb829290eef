"""Resident pages in a real Chromium: no JavaScript needed, accessible, printable, QR readable."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from helpers import PASSWORD, Api, draft, submit_ready

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def submitted(server) -> dict[str, Any]:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    body = draft(
        applicant={"nik": "5203015708900001", "name": "Siti Aminah", "phone": "081234567890"}
    )
    return submit_ready(op, server.services, body)


def test_status_page_works_without_javascript_and_has_no_axe_violations(
    server, launch, submitted
) -> None:
    url = f"{server.url}/cek/{submitted['token']}"
    no_js = launch(java_script_enabled=False)
    page = no_js.new_page()
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert "Diajukan" in page.content() and "Layanan ini GRATIS" in page.content()
    no_js.close()

    # axe needs script: audit the same (script-free) page in a second, script-enabled context.
    context = launch(bypass_csp=True)  # only so axe itself may be injected
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    violations = [(v["id"], v["impact"], len(v["nodes"])) for v in results["violations"]]
    assert violations == []
    # Readable on a 320 px screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_lookup_form_works_without_javascript(server, launch, submitted) -> None:
    context = launch(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/cek")
    page.fill("#code", submitted["code"])
    page.fill("#phone", "7890")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/cek/{submitted['token']}")
    assert "Diajukan" in page.content()


def _officer_page(server, launch) -> Any:
    context = launch()
    login = context.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "op.a", "password": PASSWORD}
    )
    assert login.ok
    return context.new_page()


def test_receipt_qr_decodes_to_the_status_link(server, launch, submitted) -> None:
    page = _officer_page(server, launch)
    page.goto(f"{server.url}/api/v1/requests/{submitted['id']}/receipt?layout=a4")
    png = page.locator(".qr svg").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert [d.text for d in decoded] == [f"{server.url}/cek/{submitted['token']}"]


@pytest.mark.parametrize(("layout", "width_mm"), [("a4", 210), ("thermal", 58)])
def test_both_receipt_layouts_print_to_pdf(server, launch, submitted, layout, width_mm) -> None:
    page = _officer_page(server, launch)
    page.goto(f"{server.url}/api/v1/requests/{submitted['id']}/receipt?layout={layout}")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0]
    assert abs(float(first.mediabox.width) / 72 * 25.4 - width_mm) < 2
    text = "".join(p.extract_text() for p in reader.pages)
    assert submitted["code"] in text and "GRATIS" in text
    if layout == "thermal":
        assert len(reader.pages) == 1
