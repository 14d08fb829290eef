"""One worklist row, one request per document it lacks (#14): a resident lacking KTP-el and KK
gets two requests started from the same card, and a new KK request after the first is DITOLAK.
The form started from the card carries the row's name, address and the document's service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bakso.domain.model import Actor, Role
from e2e.conftest import Launcher, Server
from e2e.test_sasaran import card, seed
from e2e.ui import E2E, Dukcapil, fill_fields, login, photo, valid_fields, wait_for_service_worker
from helpers import KK, NIK_WOMAN

pytestmark = [*E2E, pytest.mark.e2e]

ADDRESS = "Dusun Lauk RT 02"  # Inaq Sinar's, from the seed


def start_and_send(page: Page, tmp: Path, doc: str, service: str, files: list[str]) -> None:
    """Tap "Buat permohonan <doc>" on Inaq Sinar's card, check the prefill, send the request."""
    card(page, "Inaq Sinar").get_by_role("button", name=f"Buat permohonan {doc}").click()
    expect(page.get_by_text("Untuk sasaran: Inaq Sinar")).to_be_visible()
    expect(page.locator('input[name="service"]:checked')).to_have_value(service)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator("#name")).to_have_value("Inaq Sinar")
    expect(page.locator("#address")).to_have_value(ADDRESS)
    page.fill("#nik", NIK_WOMAN)
    page.fill("#kk", KK)
    fill_fields(page, valid_fields(service))
    page.get_by_role("button", name="Lanjut").click()
    for requirement in files:
        path = photo(tmp / f"{service}-{requirement}.png", f"{service}{requirement}{tmp.name}")
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(path))
        section = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(section.locator(".thumb")).to_have_count(1, timeout=20_000)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()


def sent(page: Page, server: Server, row_id: str, document: str, before: str | None) -> str:
    """Until the outbox submitted a new request for `document` of the row; its id."""
    for _ in range(150):  # the outbox sends in the background: up to ~30 s
        link = links(server, row_id).get(document)
        if link and link[0] != before and link[1] == "DIAJUKAN":
            return str(link[0])
        page.wait_for_timeout(200)
    raise AssertionError(f"no {document} request submitted: {links(server, row_id)}")


def links(server: Server, row_id: str) -> dict[str, Any]:
    row = server.services.sasaran.get_row(Actor("dukcapil", Role.DUKCAPIL, None), row_id)
    return {doc: (link["id"], link["status"]) for doc, link in row.requests.items()}


def worklist(page: Page, server: Server) -> Any:
    page.goto(server.url + "/#/")
    page.goto(server.url + "/#/sasaran")
    return card(page, "Inaq Sinar")


def test_two_requests_from_one_row_and_a_new_one_after_ditolak(
    server: Server, launch: Launcher, tmp_path: Path
) -> None:
    rows = seed(server)
    row_id = rows["Inaq Sinar"]
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    wait_for_service_worker(page)

    inaq = worklist(page, server)
    start_and_send(page, tmp_path, "Kartu Keluarga", "KK_BARU", ["F101", "BUKU_NIKAH"])
    first_kk = sent(page, server, row_id, "KK", None)

    # The KK request shows its status in words; KTP-el can still be started from the card.
    inaq = worklist(page, server)
    kk = inaq.locator('[data-document="KK"]')
    expect(kk).to_contain_text("Permohonan: Diajukan")
    expect(kk.get_by_role("button")).to_have_count(0)
    start_and_send(page, tmp_path, "KTP-el", "KTP_BARU", ["KK"])
    sent(page, server, row_id, "KTP_EL", None)
    assert set(links(server, row_id)) == {"KK", "KTP_EL"}

    inaq = worklist(page, server)
    expect(inaq.locator('[data-document="KTP_EL"]')).to_contain_text("Permohonan: Diajukan")
    expect(inaq.get_by_role("button", name="Buat permohonan", exact=False)).to_have_count(0)
    expect(inaq).not_to_contain_text("DIAJUKAN")  # words, not codes
    for target in inaq.locator("a, button").all():
        box = target.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, box

    # Dukcapil refuses the KK request: the card offers a new one for KK only.
    dukcapil = Dukcapil(server.url)
    version = dukcapil.detail(first_kk)["version"]
    for to, note in (("DITERIMA", ""), ("DIPROSES", ""), ("DITOLAK", "Bukan penduduk desa ini")):
        version = dukcapil.transition(first_kk, to, note, version)["version"]
    inaq = worklist(page, server)
    kk = inaq.locator('[data-document="KK"]')
    expect(kk).to_contain_text("Permohonan: Ditolak")
    expect(inaq.get_by_role("button", name="Buat permohonan KTP-el")).to_have_count(0)
    start_and_send(page, tmp_path, "Kartu Keluarga", "KK_BARU", ["F101", "BUKU_NIKAH"])
    sent(page, server, row_id, "KK", first_kk)

    now = links(server, row_id)
    assert now["KK"][0] != first_kk and now["KK"][1] == "DIAJUKAN"
    assert now["KTP_EL"][1] == "DIAJUKAN"
    linked = [r for r in dukcapil.requests() if r["status"] != "DRAF"]
    assert len(linked) == 3
    inaq = worklist(page, server)
    expect(inaq.locator('[data-document="KK"]')).to_contain_text("Permohonan: Diajukan")
    expect(inaq.get_by_role("button", name="Buat permohonan", exact=False)).to_have_count(0)
