"""The IKM survey (#19) in a real Chromium: a resident on a 320 px phone with JavaScript
off follows the status page's invitation, answers the nine questions and is thanked; at
an office PC's 1366 px Dukcapil then reads the score and the comment, without the request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.ui import sign_in
from helpers import Api, submit_ready

pytestmark = pytest.mark.e2e


def test_a_resident_answers_the_survey_at_320_px_without_javascript(server, launch) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    request = submit_ready(op, server.services)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    version = request["version"]
    for target, note in (("DITERIMA", ""), ("DIPROSES", ""), ("DITOLAK", "Akta ganda")):
        moved = dk.post(
            f"/api/v1/requests/{request['id']}/transition",
            json={"to": target, "note": note, "version": version},
        )
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]

    context = launch(java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server.url}/cek/{request['token']}")
    page.get_by_role("link", name="Isi survei kepuasan").click()
    page.wait_for_url(f"**/cek/{request['token']}/survei")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for number in range(1, 10):
        # Tapping the words selects the answer: each radio sits inside its label.
        page.locator(f"input[name=u{number}][value='4']").locator("xpath=..").click()
    page.fill("#komentar", "Petugas ramah.")
    page.get_by_role("button", name="Kirim penilaian").click()
    page.wait_for_load_state()
    assert "Terima kasih" in page.content()

    page.goto(f"{server.url}/cek/{request['token']}")
    assert "sudah mengisi survei" in page.content()
    report = dk.get("/api/v1/ikm?quarter=" + _quarter()).get_json()
    assert report["kabupaten"]["respondents"] == 1
    assert report["kabupaten"]["ikm_konversi"] == 100.0
    context.close()

    office = launch(viewport={"width": 1366, "height": 900})
    desk = office.pages[0] if office.pages else office.new_page()
    sign_in(desk, server.url, "dukcapil")
    desk.get_by_role("link", name="Survei IKM", exact=True).click()
    expect(desk.get_by_test_id("ikm-total")).to_contain_text("100,00")
    saran = desk.get_by_test_id("ikm-saran")
    expect(saran.get_by_text("Petugas ramah.")).to_be_visible()
    # The desa and the day are said; the request's number is not.
    expect(saran).to_contain_text(re.compile(r"\d{1,2} \w{3} \d{4} · Desa "))
    assert request["code"] not in saran.inner_text()
    office.close()


def _quarter() -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    now = datetime.now(ZoneInfo("Asia/Makassar"))
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"
