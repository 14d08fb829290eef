"""The handover at the loket's phone (DESIGN §2 "Handover"): the resident came for the
document two days after it was issued, and the operator records that day and a photo of the
signed receipt, then opens the photo again from the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from bakso.domain.localtime import zone
from e2e.ui import E2E, login, photo
from helpers import Api, submit_ready

pytestmark = E2E


def _issued_days_ago(server: Any, days: int) -> dict[str, Any]:
    """A request Dukcapil finished `days` ago (the service's clock set back for the moves)."""
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    request = submit_ready(op, server.services)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    requests = server.services.requests
    real_clock = requests.clock
    requests.clock = lambda: real_clock() - timedelta(days=days)
    try:
        version = request["version"]
        for to in ("DITERIMA", "DIPROSES", "SELESAI"):
            moved = dk.post(
                f"/api/v1/requests/{request['id']}/transition", json={"to": to, "version": version}
            )
            assert moved.status_code == 200, moved.get_json()
            version = moved.get_json()["version"]
    finally:
        requests.clock = real_clock
    return request


def test_handover_on_an_earlier_day_with_the_receipt_photo(
    server: Any, launch: Any, tmp_path: Path
) -> None:
    request = _issued_days_ago(server, 3)
    today = datetime.now(UTC).astimezone(zone()).date()
    before_issued = (today - timedelta(days=4)).isoformat()
    handed_on = (today - timedelta(days=2)).isoformat()
    page = launch(viewport={"width": 360, "height": 740}).new_page()
    login(page, server.url, "op.a")
    page.goto(f"{server.url}/#/permohonan/{request['id']}")
    expect(page.get_by_role("heading", name="Serahkan dokumen")).to_be_visible()
    page.fill("#ho-name", "Siti Aminah")
    submit = page.get_by_role("button", name="Tandai sudah diserahkan")

    # A day before the document existed is said on screen and cannot be sent.
    page.fill("#ho-date", before_issued)
    expect(page.get_by_text("tidak boleh sebelum dokumen terbit")).to_be_visible()
    expect(submit).to_be_disabled()

    page.fill("#ho-date", handed_on)
    page.set_input_files("#ho-photo", str(photo(tmp_path / "tanda-terima.png", "ttd", 1200, 900)))
    expect(page.get_by_text("Foto tanda terima siap")).to_be_visible()
    submit.click()
    expect(page.locator("h1 + p .badge")).to_have_text("Sudah diserahkan")

    held = server.services.records.get_request(request["id"])
    assert held.status.value == "DISERAHKAN"
    assert held.handover is not None
    assert held.handover["date"] == handed_on and held.handover["received_by"] == "Siti Aminah"
    assert held.handover["photo"]["sha256"]
    # The photo opens again from the request (inline, through its short-lived link).
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Lihat foto tanda terima").click()
    shown = popup.value
    shown.wait_for_load_state()
    assert shown.evaluate("() => document.contentType").startswith("image/")
