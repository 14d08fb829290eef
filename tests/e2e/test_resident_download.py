"""The resident downloads the issued PDF on a 320 px phone with JavaScript off (#18): a wrong
PIN, then the right one; and the receipt's script fills the PIN slot from the fragment."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import PASSWORD, Api
from public.test_resident_download import PDF, PIN, _selesai, _submitted

pytestmark = pytest.mark.e2e


def test_the_resident_gets_the_pdf_with_the_pin_on_a_small_phone(server, launch) -> None:
    def api(username: str) -> Api:
        client = Api(server.app.test_client())
        assert client.login(username).status_code == 200
        return client

    done = _selesai(api, _submitted(api, {"pin": PIN}))
    problems: list[str] = []

    context = launch(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/cek/{done['token']}")
    assert page.get_by_role("heading", name="Unduh dokumen").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scroll

    page.get_by_label("PIN unduh (6 angka)").fill("000000")
    page.get_by_role("button", name="Unduh dokumen").click()
    page.wait_for_load_state()
    assert "PIN salah" in page.content() and "Sisa percobaan: 4" in page.content()

    page.get_by_label("PIN unduh (6 angka)").fill(PIN)
    with page.expect_response(lambda r: "/blobs/" in r.url) as answered:
        page.get_by_role("button", name="Unduh dokumen").click()
    pdf: Any = answered.value
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    # Chromium shows it in its PDF viewer (the page's body is the viewer's): fetch the bytes.
    assert context.request.get(pdf.url).body() == PDF
    assert not [p for p in problems if "Content Security Policy" in p]
    context.close()

    # The receipt, opened by the PWA with the PIN in the fragment: the slot shows it and
    # the address bar loses it. Its one script runs under the receipt's CSP.
    scripted = launch(viewport={"width": 320, "height": 640})
    login = scripted.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "op.a", "password": PASSWORD}
    )
    assert login.status == 200
    page = scripted.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server.url}/api/v1/requests/{done['id']}/receipt#pin={PIN}")
    assert page.locator("#pin").inner_text() == PIN
    assert "#" not in page.url
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e]
