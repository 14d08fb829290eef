"""c. A flaky network loses nothing and duplicates nothing. d. A refusal parks one item with
the server's message and nothing else is lost."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from playwright.sync_api import Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.test_offline import assert_all_arrived_intact, first_page, make_photos
from e2e.ui import E2E, Dukcapil, local_requests, local_scans, login, send_request
from helpers import PASSWORD

pytestmark = E2E


def send_until_empty(page: Page, deadline_s: float = 90) -> int:
    """Press "Kirim sekarang" whenever it is enabled until the outbox is empty; returns presses."""
    presses = 0
    deadline = time.monotonic() + deadline_s
    button = page.get_by_role("button", name="Kirim sekarang")
    while page.locator('.outbox-item[data-state="queued"]').count() > 0:
        assert time.monotonic() < deadline, "the outbox did not empty"
        if button.is_enabled():
            try:
                # The app's own loop may start a send between the check and the click,
                # disabling the button for as long as that pass takes: the tap then does
                # nothing, as for an operator, and the loop looks again.
                button.click(timeout=1_000)
                presses += 1
            except PlaywrightTimeoutError:
                pass
        page.wait_for_timeout(300)
    return presses


def test_flaky_network_delivers_each_request_exactly_once_with_every_scan(
    server, launch, tmp_path: Path
) -> None:
    # Service workers blocked so that every request is visible to the routes below.
    context = launch(service_workers="block")
    page = first_page(context)
    login(page, server.url)
    context.set_offline(True)
    names = {f"Warga Sinyal {i}" for i in range(3)}
    for name, files in zip(sorted(names), make_photos(tmp_path, 3), strict=True):
        send_request(page, name, files)
    stored = local_scans(page)

    counts = {"api": 0, "upload": 0}

    def flaky_api(route: Route) -> None:
        counts["api"] += 1
        if counts["api"] % 3 == 0:
            route.abort("connectionreset")
        else:
            route.continue_()

    def flaky_upload(route: Route) -> None:
        counts["upload"] += 1
        if counts["upload"] % 2 == 0:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/**", flaky_api)
    page.route("**/blobs/upload/**", flaky_upload)
    context.set_offline(False)
    send_until_empty(page)

    dukcapil = Dukcapil(server.url)
    assert_all_arrived_intact(dukcapil, stored, names)
    assert counts["upload"] > 12  # 12 pages: some attempts were lost and sent again
    assert local_requests(page) == []


def test_refused_request_is_parked_with_server_message_and_others_arrive(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = first_page(context)
    login(page, server.url)
    context.set_offline(True)
    names = ["Warga Ditolak", "Warga Lancar 1", "Warga Lancar 2"]
    for name, files in zip(names, make_photos(tmp_path, 3), strict=True):
        send_request(page, name, files)
    refused = next(r for r in local_requests(page) if r["name"] == "Warga Ditolak")

    # Meanwhile the same request id exists on the server with other content, and is cancelled:
    # the device's version can no longer be accepted (409).
    op = requests.Session()
    csrf = op.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": "op.a", "password": PASSWORD},
        timeout=10,
    ).json()["csrf_token"]
    body = {
        "service": "KK_UBAH",
        "desa": "52.03.01.2001",
        "applicant": {"nik": "5203015708900001", "name": "Nama Lain"},
        "version": 0,
    }
    made = op.put(
        f"{server.url}/api/v1/requests/{refused['id']}",
        json=body,
        headers={"X-CSRF-Token": csrf},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    cancelled = op.post(
        f"{server.url}/api/v1/requests/{refused['id']}/transition",
        json={"to": "DIBATALKAN", "note": "dobel", "version": made.json()["version"]},
        headers={"X-CSRF-Token": csrf},
        timeout=10,
    )
    assert cancelled.status_code == 200, cancelled.text

    context.set_offline(False)
    page.goto(server.url + "/#/antrean")
    parked = page.locator('.outbox-item[data-state="attention"]')
    expect(parked).to_have_count(1, timeout=30_000)
    expect(page.locator('.outbox-item[data-state="queued"]')).to_have_count(0, timeout=30_000)
    expect(parked).to_contain_text("Warga Ditolak")
    expect(parked.locator(".server-message")).to_contain_text("Dibatalkan")

    # The parked item keeps its data and photos on the device; the others arrived whole.
    [left] = local_requests(page)
    assert (left["id"], left["state"]) == (refused["id"], "attention")
    assert len([s for s in local_scans(page) if s["requestId"] == refused["id"]]) == 4
    held = {r["applicant"]["name"]: r for r in Dukcapil(server.url).requests()}
    assert held["Warga Lancar 1"]["status"] == held["Warga Lancar 2"]["status"] == "DIAJUKAN"
    assert held["Nama Lain"]["status"] == "DIBATALKAN"
    assert "Warga Ditolak" not in held
