"""The desa worklist in the browser: a follow-up recorded offline syncs exactly once, and the
operator of desa A sees neither desa B's rows nor its figures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bakso.domain.model import Actor, Role
from e2e.conftest import Launcher, Server
from e2e.test_a11y import serious_violations
from e2e.ui import E2E, login, wait_for_service_worker
from helpers import DESA_A, DESA_B, NIK_WOMAN, PASSWORD, Api
from sasaran.support import Importer, csv_file

pytestmark = [*E2E, pytest.mark.e2e]


def seed(server: Server) -> dict[str, str]:
    """Import a small list through the service (upload, start, worker): name → row id."""
    api = Api(server.app.test_client())
    api.login("dukcapil")
    a, b = DESA_A.replace(".", ""), DESA_B.replace(".", "")
    done = Importer(api, server.services).run(
        csv_file(
            f",Amaq Udin,{a},Dusun Baru RT 01,KTP_EL,,",
            f",Inaq Sinar,{a},Dusun Lauk RT 02,KTP_EL;KK,LANSIA,",
            f",Papuq Rahman,{b},Dusun Sakra,AKTA_LAHIR,,",
        )
    )
    assert done["status"] == "DONE" and done["counts"]["accepted"] == 3, done
    rows: dict[str, str] = {}
    for desa in (DESA_A, DESA_B):
        for item in api.get(f"/api/v1/sasaran?desa={desa}").get_json()["items"]:
            rows[item["name"]] = item["id"]
    return rows


def followups(server: Server, row_id: str) -> list[Any]:
    dukcapil = Actor("dukcapil", Role.DUKCAPIL, None)
    return list(server.services.sasaran.followups(dukcapil, row_id))


def card(page: Page, name: str) -> Any:
    return page.locator("li.sasaran", has=page.get_by_role("heading", name=name))


def test_followup_recorded_offline_syncs_exactly_once(server: Server, launch: Launcher) -> None:
    rows = seed(server)
    context = launch(bypass_csp=True)  # only so axe itself may be injected
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    expect(page.locator("#username")).to_have_count(0)  # logged in
    wait_for_service_worker(page)

    # Online: the worklist is fetched and cached; rentan first and marked; desa B absent.
    page.goto(server.url + "/#/sasaran")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar sasaran desa")
    titles = page.locator("li.sasaran h2")
    expect(titles).to_have_count(2)
    expect(titles.first).to_contain_text("Inaq Sinar")
    expect(titles.first).to_contain_text("Rentan: ")
    expect(card(page, "Inaq Sinar")).to_contain_text("KTP-el")
    expect(page.get_by_text("Papuq Rahman")).to_have_count(0)
    assert serious_violations(page) == []

    # Offline: record a follow-up; it is stored on the device and waits.
    context.set_offline(True)
    amaq = card(page, "Amaq Udin")
    amaq.get_by_role("button", name="Catat tindak lanjut").click()
    amaq.get_by_text("Ditemukan", exact=True).click()
    amaq.get_by_label("Catatan").fill("Ditemui di sawah")
    amaq.get_by_role("button", name="Simpan tindak lanjut").click()
    expect(amaq.locator('[data-followup="local"]')).to_contain_text("menunggu dikirim")
    assert serious_violations(page) == []

    # Reload while offline: the service worker serves the app, IndexedDB the list and the queue.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar sasaran desa")
    expect(card(page, "Amaq Udin").locator('[data-followup="local"]')).to_contain_text(
        "menunggu dikirim"
    )
    assert followups(server, rows["Amaq Udin"]) == []

    # Online again: it is sent, once; the card shows the server's follow-up.
    context.set_offline(False)
    expect(card(page, "Amaq Udin").locator('[data-followup="server"]')).to_contain_text(
        "Ditemui di sawah", timeout=20_000
    )
    page.evaluate("() => new Promise((ok) => setTimeout(ok, 300))")
    page.reload()  # boots again and runs another sync pass: nothing left to send
    expect(card(page, "Amaq Udin").locator('[data-followup="server"]')).to_be_visible()
    stored = followups(server, rows["Amaq Udin"])
    assert len(stored) == 1
    assert stored[0].outcome == "DITEMUKAN"
    assert followups(server, rows["Inaq Sinar"]) == []

    # Desa B is out of reach for op.a, through the API as well.
    status = page.evaluate(
        "(desa) => fetch('/api/v1/sasaran?desa=' + desa).then((r) => r.status)", DESA_B
    )
    assert status in (403, 404)
    row_b = page.evaluate(
        "(id) => fetch('/api/v1/sasaran/' + id).then((r) => r.status)", rows["Papuq Rahman"]
    )
    assert row_b in (403, 404)
    figures = page.evaluate(
        "(desa) => fetch('/api/v1/stats/coverage?level=desa&desa=' + desa).then((r) => r.status)",
        DESA_B,
    )
    assert figures == 404  # "as if it did not exist"
    own = page.evaluate("() => fetch('/api/v1/stats/coverage').then((r) => r.json())")
    assert [item["code"] for item in own["items"]] == [DESA_A]
    assert own["total"]["target"] == 2

    # The dashboard (loaded on demand) shows the operator's own desa only.
    page.goto(server.url + "/#/cakupan")
    expect(page.get_by_test_id("coverage-total")).to_contain_text("dari 2 sasaran")
    expect(page.get_by_role("link", name="Unduh CSV")).to_have_attribute(
        "href", f"/api/v1/stats/coverage.csv?level=desa&desa={DESA_A}"
    )
    expect(page.get_by_test_id("coverage-total")).to_contain_text("ditindaklanjuti 1")
    assert serious_violations(page) == []

    # "Buat permohonan" opens the new request prefilled and linked to the row.
    page.goto(server.url + "/#/sasaran")
    inaq = card(page, "Inaq Sinar")
    inaq.get_by_role("button", name="Buat permohonan KTP-el").click()
    expect(page.get_by_text("Untuk sasaran: Inaq Sinar")).to_be_visible()
    expect(page.locator('input[name="service"]:checked')).to_have_value("KTP_BARU")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator("#name")).to_have_value("Inaq Sinar")
    expect(page.locator("#jemput-bola")).to_be_checked()  # rentan: served at home
    page.fill("#nik", NIK_WOMAN)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_role("heading", name="Inaq Sinar")).to_be_visible()
    saved = page.evaluate(
        """() => new Promise((ok, fail) => {
          const open = indexedDB.open('bakso');
          open.onerror = () => fail(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('requests').objectStore('requests').getAll();
            get.onsuccess = () => ok(get.result.map((r) => [r.sasaranId, r.jemputBola, r.service]));
          };
        })"""
    )
    assert saved == [[rows["Inaq Sinar"], True, "KTP_BARU"]]
    page.goto(server.url + "/#/sasaran")
    expect(card(page, "Inaq Sinar")).to_contain_text("tersimpan di perangkat")
    expect(
        card(page, "Inaq Sinar").get_by_role("button", name="Buat permohonan KTP-el")
    ).to_have_count(0)


def test_dukcapil_sees_every_kecamatan_and_drills_down(server: Server, launch: Launcher) -> None:
    seed(server)
    context = launch(bypass_csp=True)  # only so axe itself may be injected
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(server.url + "/")
    page.fill("#username", "dukcapil")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.locator("#username")).to_have_count(0)  # logged in
    page.goto(server.url + "/#/cakupan")
    expect(page.get_by_test_id("coverage-total")).to_contain_text("dari 3 sasaran")
    expect(page.get_by_role("heading", name="Per kecamatan")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name=re.compile(r"^Sakra:")).click()  # kecamatan Sakra's bar
    expect(page.get_by_role("heading", name="Per desa")).to_be_visible()
    expect(page.get_by_test_id("coverage-total")).to_contain_text("dari 1 sasaran")
    csv = page.get_by_role("link", name="Unduh CSV").get_attribute("href")
    assert csv == f"/api/v1/stats/coverage.csv?level=desa&kecamatan={DESA_B.rsplit('.', 1)[0]}"
    download = page.evaluate("(url) => fetch(url).then((r) => r.text())", csv)
    assert "JUMLAH" in download
