"""The operator's home at 360 px (issue #18): "Perlu tindakan" lists the desa's requests
Dukcapil returned (with the reason) and finished, after a sync and offline; a request taken
with the resident's consent carries it and the PIN the device made at "Kirim", which the
first receipt opened prints once, and "Buat PIN baru" replaces."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from bakso.services.resident_pin import pin_matches
from bench.form_fields import fill_fields, valid_fields
from e2e.ui import E2E, SERVICE, SERVICE_LABEL, login, photo, wait_for_service_worker
from helpers import KK, NIK_WOMAN, Api, draft, submit_ready

pytestmark = E2E

REASON = "Foto KK buram, bawa KK asli ke kantor desa"


def _moved(server: Any, moves: list[tuple[str, str]]) -> dict[str, Any]:
    """A request of op.a's desa, submitted, then moved by Dukcapil through the API."""
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    request = submit_ready(op, server.services)
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    version = request["version"]
    for to, note in moves:
        answer = dk.post(
            f"/api/v1/requests/{request['id']}/transition",
            json={"to": to, "note": note, "version": version},
        )
        assert answer.status_code == 200, answer.get_json()
        version = answer.get_json()["version"]
    return request


def test_home_lists_returned_and_finished_requests_offline_after_a_sync(
    server: Any, launch: Any
) -> None:
    returned = _moved(server, [("DITERIMA", ""), ("PERLU_PERBAIKAN", REASON)])
    finished = _moved(server, [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "")])
    # Newer than both: the newest 100 of the plain list hold neither of them.
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    for _ in range(100):
        op.create(draft())

    page = launch().new_page()
    login(page, server.url)  # the sync after login reads the list
    card = page.locator("section.attention")
    expect(card.locator(".attention-item")).to_have_count(2)
    page.reload()  # the second load is controlled by the service worker
    wait_for_service_worker(page)
    expect(card.locator(".attention-item")).to_have_count(2)

    page.context.set_offline(True)
    page.reload()  # offline: the service worker and the cache answer
    expect(page.get_by_text("Luring")).to_be_visible()
    expect(card.get_by_role("heading", name=re.compile("Perlu tindakan"))).to_contain_text("2")
    items = card.locator(".attention-item")
    expect(items).to_have_count(2)
    # The returned one first, with what to fix; then the finished one, to hand over.
    expect(items.nth(0)).to_contain_text(returned["code"])
    expect(items.nth(0)).to_contain_text(f"Perbaiki: {REASON}")
    expect(items.nth(0)).to_have_attribute("href", f"#/permohonan/{returned['id']}")
    expect(items.nth(1)).to_contain_text(finished["code"])
    expect(items.nth(1)).to_contain_text("cetak atau serahkan")
    expect(items.nth(1)).to_have_attribute("href", f"#/permohonan/{finished['id']}")
    expect(page.locator('.tabbar a[href="#/"] .tab-badge')).to_contain_text("2")
    # The detail opens offline too, with Dukcapil's reason.
    items.nth(0).click()
    expect(page.get_by_text("Data tersimpan terakhir di perangkat")).to_be_visible()
    expect(page.locator(".note-warn")).to_contain_text(f"Yang perlu diperbaiki: {REASON}")


def _take_request_with_consent(page: Page, tmp_path: Path) -> None:
    page.goto(page.url.split("#")[0] + "#/baru")
    page.get_by_text(SERVICE_LABEL, exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", NIK_WOMAN)
    page.fill("#name", "Warga Setuju")
    page.fill("#kk", KK)
    fill_fields(page, valid_fields(SERVICE))
    # Consent without a number: the phone field says so and "Lanjut" stays.
    page.get_by_label(re.compile("Pemohon setuju menerima pemberitahuan")).check()
    expect(page.locator("#phone-err")).to_contain_text("Untuk pemberitahuan")
    expect(page.get_by_role("button", name="Lanjut")).to_be_disabled()
    page.fill("#phone", "0812 3456 7890")
    expect(page.locator("#phone-err")).to_have_count(0)
    page.get_by_role("button", name="Lanjut").click()
    for requirement in ("F101", "KK_LAMA", "BUKTI_PERISTIWA"):
        path = photo(tmp_path / f"{requirement}.png", requirement, 900, 1200)
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(path))
        section = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(section.locator(".thumb")).to_have_count(1, timeout=20_000)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator("#notify-readback")).to_have_text("Ya, lewat SMS ke 0812 3456 7890")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()


def _receipt_pin(page: Page, link: str) -> str:
    with page.expect_popup() as opened:
        page.get_by_role("link", name=link).click()
    receipt = opened.value
    slot = receipt.locator("#pin")
    expect(slot).to_have_text(re.compile(r"^[0-9]{6}$"))
    assert "#pin" not in receipt.url  # the receipt's script took it out of the address bar
    pin = slot.inner_text()
    receipt.close()
    return pin


def test_consent_and_the_pin_made_at_kirim_reach_the_server_and_print_once(
    server: Any, launch: Any, tmp_path: Path
) -> None:
    page = launch().new_page()
    login(page, server.url)
    _take_request_with_consent(page, tmp_path)
    sent = page.locator(".sent-item")
    expect(sent).to_have_count(1, timeout=60_000)
    sent.get_by_role("link", name="Buka tanda terima").click()
    expect(page.get_by_text("PIN unduh dokumen akan tercetak di tanda terima")).to_be_visible()

    request_id = page.url.rsplit("/", 1)[1]
    stored = server.services.records.get_request(request_id)
    assert stored.applicant["notify"] is True
    secret = server.services.requests.settings.search_secret

    # The first receipt opened prints the PIN the submit brought; then the device forgets it.
    pin = _receipt_pin(page, "Cetak struk 58 mm")
    assert pin_matches(secret, request_id, pin, stored.pin_hash)
    expect(page.get_by_text("PIN unduh dokumen akan tercetak")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("link", name="Cetak tanda terima (A4)")).to_be_visible()
    expect(page.get_by_text("PIN unduh dokumen akan tercetak")).to_have_count(0)
    href = page.get_by_role("link", name="Cetak tanda terima (A4)").get_attribute("href")
    assert href is not None and "#pin" not in href

    # A resident who lost it: a new PIN, printed on the slip; the old one stops working.
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Buat PIN baru").click()
    slip = opened.value
    expect(slip.locator("#pin")).to_have_text(re.compile(r"^[0-9]{6}$"))
    fresh = slip.locator("#pin").inner_text()
    renewed = server.services.records.get_request(request_id)
    assert pin_matches(secret, request_id, fresh, renewed.pin_hash)
    assert fresh == pin or not pin_matches(secret, request_id, pin, renewed.pin_hash)
