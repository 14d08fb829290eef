"""Print at the desa (#18) on the loket's phone: the operator opens the issued TTE PDF inline
in a new tab to print it on A4, then records the handover as "dicetak di desa"; a KIA is a
card, collected at Dukcapil/UPT, with nothing to print."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect
from pypdf import PdfWriter

from bakso.workers.handlers import drain_once
from e2e.ui import E2E, login
from helpers import Api, attach_issued, draft, fake_jpeg, submit_ready

pytestmark = E2E


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # A4 in points
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _selesai(server: Any, request: dict[str, Any], pdf: bytes | None) -> None:
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    base = f"/api/v1/requests/{request['id']}"
    version = request["version"]
    for to in ("DITERIMA", "DIPROSES"):
        moved = dk.post(f"{base}/transition", json={"to": to, "version": version})
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]
    if pdf is not None:
        attach_issued(dk, request["id"], pdf)
    moved = dk.post(f"{base}/transition", json={"to": "SELESAI", "version": version})
    assert moved.status_code == 200, moved.get_json()


def _kia(server: Any, op: Api) -> dict[str, Any]:
    created = op.create(draft(service="KIA"))
    for requirement in ("AKTA_LAHIR", "KK", "KTP_ORTU"):
        op.attach(created["id"], requirement, fake_jpeg(created["id"] + requirement))
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    drain_once(server.services)
    return dict(submitted.get_json())


def test_the_operator_prints_the_issued_pdf_and_a_card_has_nothing_to_print(
    server: Any, launch: Any
) -> None:
    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    pdf = _pdf()
    akta = submit_ready(op, server.services)
    _selesai(server, akta, pdf)
    # The resident downloads it first (a new PIN from the desa): the history says so, and
    # it is no second "Dokumen terbit" (#18 review).
    pin = op.post(f"/api/v1/requests/{akta['id']}/pin").get_json()["pin"]
    downloaded = server.app.test_client().post(f"/cek/{akta['token']}/unduh", data={"pin": pin})
    assert downloaded.status_code == 303
    kia = _kia(server, op)
    _selesai(server, kia, pdf)
    context = launch(viewport={"width": 360, "height": 740})
    page = context.new_page()
    login(page, server.url, "op.a")
    page.goto(f"{server.url}/#/permohonan/{akta['id']}")
    expect(page.get_by_role("heading", name="Serahkan dokumen")).to_be_visible()
    history = page.locator(".timeline li strong")
    expect(history.last).to_have_text("Diunduh warga")
    expect(history.filter(has_text="Dokumen terbit")).to_have_count(1)
    printed = page.get_by_label("Dokumen dicetak di desa")
    expect(printed).not_to_be_checked()
    expect(page.get_by_text("ukuran asli (100%), tanpa 'sesuaikan halaman'")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # The print button opens the PDF itself, inline, in a new tab (not a download).
    with (
        context.expect_event(
            "response", lambda r: r.headers.get("content-type") == "application/pdf"
        ) as served,
        page.expect_popup() as popup,
    ):
        page.get_by_role("link", name="Cetak dokumen (A4)").click()
    response = served.value
    shown = popup.value
    assert response.frame.page == shown
    asked = response.request.redirected_from
    assert asked is not None and urlsplit(asked.url).path == f"/api/v1/requests/{akta['id']}/issued"
    assert response.headers["content-disposition"].startswith("inline")
    # The tab shows the viewer (Chromium's own page); the bytes behind its URL are the PDF.
    expect(shown).to_have_url(response.url)
    assert context.request.get(response.url).body() == pdf
    shown.close()
    expect(printed).to_be_checked()  # the print button ticks it; the operator may untick

    page.fill("#ho-name", "Siti Aminah")
    page.get_by_role("button", name="Tandai sudah diserahkan").click()
    expect(page.locator("h1 + p .badge")).to_have_text("Sudah diserahkan")
    expect(page.locator("[data-handover-summary]")).to_have_text(
        "Dicetak di desa · diterima oleh Siti Aminah"
    )
    held = server.services.records.get_request(akta["id"])
    assert held.status.value == "DISERAHKAN"
    assert held.handover is not None and held.handover["printed"] is True
    assert server.services.records.timeline(akta["id"])[-1].note.startswith("Dicetak di desa.")

    # A KIA is a card: said so, nothing to print, collected at Dukcapil/UPT by default.
    page.goto(f"{server.url}/#/permohonan/{kia['id']}")
    expect(page.get_by_text("KTP-el/KIA berupa kartu")).to_be_visible()
    expect(page.get_by_role("link", name="Cetak dokumen (A4)")).to_have_count(0)
    expect(page.get_by_label("Dokumen dicetak di desa")).to_have_count(0)
    expect(page.get_by_label("Diambil di Dukcapil/UPT kecamatan")).to_be_checked()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
