"""b. Offline work survives a reload and a browser restart, then arrives exactly once.
g. A session that expires while offline: after a fresh login everything arrives, once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from e2e.ui import (
    E2E,
    Dukcapil,
    local_requests,
    local_scans,
    login,
    photo,
    send_request,
    wait_for_service_worker,
)
from helpers import PASSWORD

pytestmark = E2E


def first_page(context: Any) -> Page:
    return context.pages[0] if context.pages else context.new_page()


def make_photos(tmp_path: Path, n: int) -> list[dict[str, list[Path]]]:
    """n requests' documents: small photos, one document in two pages."""
    out = []
    for i in range(n):
        out.append(
            {
                "F101": [photo(tmp_path / f"{i}-f101.png", f"{i}-f101", 900, 1200)],
                "KK_LAMA": [
                    photo(tmp_path / f"{i}-kk1.png", f"{i}-kk1", 900, 1200),
                    photo(tmp_path / f"{i}-kk2.png", f"{i}-kk2", 900, 1200),
                ],
                "BUKTI_PERISTIWA": [photo(tmp_path / f"{i}-akta.png", f"{i}-akta", 900, 1200)],
            }
        )
    return out


def wait_until_held(dukcapil: Dukcapil, count: int, page: Page) -> list[dict[str, Any]]:
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=60_000)
    held = dukcapil.requests()
    assert len(held) == count
    return held


def assert_all_arrived_intact(
    dukcapil: Dukcapil, stored: list[dict[str, Any]], names: set[str]
) -> None:
    """Exactly the requests the device held, each once, each scan with the same bytes."""
    held = dukcapil.requests()
    assert len(held) == len(names)
    assert {r["applicant"]["name"] for r in held} == names
    assert all(r["status"] == "DIAJUKAN" for r in held)
    by_request: dict[str, list[str]] = {}
    for scan in stored:
        assert scan["actual"] == scan["sha256"]  # the stored blob is what was hashed
        by_request.setdefault(scan["requestId"], []).append(scan["sha256"])
    assert {r["id"] for r in held} == set(by_request)
    for request in held:
        scans = dukcapil.held_scans(request["id"])
        assert sorted(s["sha256"] for s in scans) == sorted(by_request[request["id"]])
        assert all(s["actual"] == s["sha256"] and s["state"] == "ok" for s in scans)


def test_offline_requests_survive_reload_and_restart_then_arrive_exactly_once(
    server, launch, tmp_path: Path
) -> None:
    context = launch()
    page = first_page(context)
    login(page, server.url)
    page.reload()  # the second load is controlled by the service worker
    wait_for_service_worker(page)

    context.set_offline(True)
    expect(page.get_by_text("Luring")).to_be_visible()
    names = {f"Warga Luring {i}" for i in range(5)}
    for name, files in zip(sorted(names), make_photos(tmp_path, 5), strict=True):
        send_request(page, name, files)
    expect(page.locator(".outbox-item")).to_have_count(5)

    page.reload()  # offline: only the service worker can answer this
    expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()
    expect(page.locator(".outbox-item")).to_have_count(5)
    stored = local_scans(page)
    assert len(stored) == 20
    assert dukcapil_count(server.url) == 0
    context.close()

    reopened = launch(offline=True)
    page = first_page(reopened)
    page.goto(server.url + "/#/antrean")
    expect(page.locator(".outbox-item")).to_have_count(5)
    reopened.set_offline(False)

    dukcapil = Dukcapil(server.url)
    wait_until_held(dukcapil, 5, page)
    assert_all_arrived_intact(dukcapil, stored, names)
    assert local_scans(page) == []  # deleted only after the server confirmed everything
    assert local_requests(page) == []

    # The resident at the counter waits for the receipt: each sent request is named by its
    # code, with its receipt one tap away.
    sent = page.locator(".sent-item")
    expect(sent).to_have_count(5)
    codes = {r["code"] for r in dukcapil.requests()}
    shown = {
        text.split(" · ")[0].removeprefix("Terkirim ")
        for text in sent.locator(".item-name").all_inner_texts()
    }
    assert shown == codes
    sent.first.get_by_role("link", name="Buka tanda terima").click()
    expect(page.get_by_role("heading", name="Tanda terima")).to_be_visible()
    # The resident scans the QR on the operator's screen with their own phone.
    qr = page.locator(".receipt .qr")
    expect(qr).to_be_visible()
    scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert [r.text for r in scanned] == [
        page.locator(".receipt a[href*='/cek/']").first.get_attribute("href")
    ]
    assert scanned[0].text.startswith(server.url + "/cek/")


def dukcapil_count(base: str) -> int:
    return len(Dukcapil(base).requests())


def test_session_expired_offline_keeps_outbox_and_sends_once_after_login(
    server, launch, tmp_path: Path
) -> None:
    context = launch()
    page = first_page(context)
    login(page, server.url)
    context.set_offline(True)
    names = {"Warga Sesi 0", "Warga Sesi 1", "Warga Sesi 2"}
    for name, files in zip(sorted(names), make_photos(tmp_path, 3), strict=True):
        send_request(page, name, files)
    stored = local_scans(page)

    context.clear_cookies()  # the session cookie expired while the device was offline
    context.set_offline(False)
    expect(page.get_by_text("Sesi Anda berakhir")).to_be_visible(timeout=20_000)
    # Still usable: the outbox is intact and waits for a login.
    page.goto(server.url + "/#/antrean")
    expect(page.locator(".outbox-item")).to_have_count(3)
    expect(page.get_by_text("Menunggu Anda masuk lagi")).to_be_visible()
    assert dukcapil_count(server.url) == 0
    assert {r["state"] for r in local_requests(page)} == {"queued"}

    page.get_by_role("link", name="Masuk lagi").click()
    page.fill("#password", "kata-sandi-uji-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Halo")
    expect(page.get_by_text("Sesi Anda berakhir")).to_be_hidden()
    dukcapil = Dukcapil(server.url)
    page.goto(server.url + "/#/antrean")
    wait_until_held(dukcapil, 3, page)
    assert_all_arrived_intact(dukcapil, stored, names)


def test_logout_warns_about_unsent_requests_and_keeps_them(server, launch, tmp_path: Path) -> None:
    context = launch(service_workers="block")
    page = first_page(context)
    login(page, server.url)
    context.set_offline(True)
    send_request(page, "Warga Keluar", make_photos(tmp_path, 1)[0])
    stored = local_scans(page)

    page.goto(server.url + "/#/pengaturan")
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("1 permohonan")
    expect(page.get_by_role("alertdialog")).to_contain_text("TIDAK dihapus")
    page.get_by_role("button", name="Keluar, data tetap tersimpan").click()
    expect(page.locator("#username")).to_be_visible()
    assert local_scans(page) == stored  # nothing deleted

    context.set_offline(False)
    login(page, server.url)
    dukcapil = Dukcapil(server.url)
    page.goto(server.url + "/#/antrean")
    wait_until_held(dukcapil, 1, page)
    assert_all_arrived_intact(dukcapil, stored, {"Warga Keluar"})


def test_the_form_offers_every_service_when_the_signal_goes_before_the_catalog_arrives(
    server, launch
) -> None:
    """Signal lost right after the first login, before the server's catalog was stored: the
    new-request form still lists the services (the build's copy of the same data file)."""
    context = launch()
    page = first_page(context)
    context.route("**/api/v1/catalog", lambda route: route.abort())  # it never arrives
    page.goto(server.url + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", "op.a")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Halo")
    wait_for_service_worker(page)
    context.set_offline(True)
    page.goto(server.url + "/#/baru")
    expect(page.get_by_text("KK perubahan data", exact=True)).to_be_visible()
    expect(page.get_by_text("Akta kelahiran", exact=True)).to_be_visible()
