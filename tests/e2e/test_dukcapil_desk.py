"""Dukcapil's desk at the office PC (1366×768, #14): the wide table with its counts, a NIK
search that finds one request, a status move made from it, and no empty batch."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bakso.workers.handlers import drain_until_idle
from e2e.ui import E2E
from helpers import DESA_B, PASSWORD, Api, draft, submit_ready

pytestmark = [*E2E, pytest.mark.e2e]

NIK_BUDI = "5203014101900001"
NIK_SITI = "5203015708900001"


def _office(launch: Any, base: str) -> Page:
    page = launch(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(base + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    page.fill("#username", "dukcapil")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paket berkas")
    expect(page.locator("#username")).to_have_count(0)
    return page


def _age(server: Any, request_id: str, days: int) -> None:
    """As if the request had been made and waited `days` days in its status (a server note:
    same version). Both move: a request is never in a status from before it existed, which
    the age filter relies on (it walks the newest index from the cutoff)."""
    stored = server.services.records.get_request(request_id)
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    server.services.records.save_request(
        dataclasses.replace(stored, created_at=since, status_since=since), stored.version, None
    )


def test_desk_table_counts_nik_search_and_a_move_from_the_list(server: Any, launch: Any) -> None:
    op_a, op_b = Api(server.app.test_client()), Api(server.app.test_client())
    assert op_a.login("op.a").status_code == 200 and op_b.login("op.b").status_code == 200
    siti = submit_ready(op_a, server.services)
    budi_body = draft(applicant={"nik": NIK_BUDI, "name": "Budi Santoso", "kk": None})
    budi = submit_ready(op_a, server.services, budi_body)
    other = submit_ready(op_b, server.services, draft(desa=DESA_B))
    dk = Api(server.app.test_client())
    assert dk.login("dukcapil").status_code == 200
    assert (
        dk.post(
            f"/api/v1/requests/{budi['id']}/transition",
            json={"to": "DITERIMA", "version": budi["version"]},
        ).status_code
        == 200
    )
    _age(server, siti["id"], 10)

    page = _office(launch, server.url)
    page.get_by_role("link", name="Permohonan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permohonan untuk diproses")
    # The desktop width, not the operator's phone column.
    assert page.locator("main").bounding_box()["width"] > 1200

    # Counts by status and age; a count is a filter.
    waiting = page.locator('.dk-count[data-status="DIAJUKAN"]')
    expect(waiting.locator(".dk-count-main")).to_contain_text("2")
    expect(waiting.locator('.dk-age[data-age="7"]')).to_have_text("> 7 hari: 1")
    expect(waiting.locator('.dk-age[data-age="14"]')).to_have_text("> 14 hari: 0")
    expect(page.locator('.dk-count[data-status="DITERIMA"] .dk-count-main')).to_contain_text("1")
    waiting.locator(".dk-count-main").click()
    rows = page.locator("tr.dk-row")
    expect(rows).to_have_count(2)
    waiting.locator('.dk-age[data-age="7"]').click()
    expect(rows).to_have_count(1)
    row = page.locator(f'tr.dk-row[data-code="{siti["code"]}"]')
    expect(row).to_contain_text("Tanjung Luar")
    expect(row).to_contain_text("Siti Aminah")
    expect(row).to_contain_text("Diajukan")
    expect(row).to_contain_text("10 hari")

    # Search by NIK: exactly Budi's request, whatever the status filter was.
    page.fill("#q-search", NIK_BUDI)
    expect(page.locator(".dk-search-hint")).to_contain_text("NIK")
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(rows).to_have_count(1)
    found = page.locator(f'tr.dk-row[data-code="{budi["code"]}"]')
    expect(found).to_contain_text("Budi Santoso")
    expect(found).to_contain_text("Diterima Dukcapil")
    # Siti's NIK is on two requests in two desas: both.
    page.fill("#q-search", NIK_SITI)
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(page.locator(f'tr.dk-row[data-code="{other["code"]}"]')).to_be_visible()
    expect(rows).to_have_count(2)
    page.fill("#q-search", NIK_BUDI)
    page.get_by_role("button", name="Cari", exact=True).click()
    expect(rows).to_have_count(1)

    # The row opens Dukcapil's view of the request, with its moves.
    found.locator("td", has_text="Budi Santoso").click()
    expect(page).to_have_url(f"{server.url}/#/dukcapil/p/{budi['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(budi["code"])
    page.get_by_role("button", name="Proses", exact=True).click()
    page.get_by_role("button", name="Simpan: Diproses").click()
    expect(page.locator("h1 + p .badge")).to_have_text("Diproses")
    assert server.services.records.get_request(budi["id"]).status.value == "DIPROSES"

    # Back to the desk as it was: the same search, the new status.
    page.go_back()
    expect(page.locator(f'tr.dk-row[data-code="{budi["code"]}"]')).to_contain_text("Diproses")
    expect(page.locator("#q-search")).to_have_value(NIK_BUDI)

    # The all-requests list opens the same view for an officer, not the operator's.
    page.get_by_role("link", name="Daftar", exact=True).click()
    expect(page.locator(f'a.item[href="#/dukcapil/p/{budi["id"]}"]')).to_be_visible()


def test_no_empty_batch_and_the_building_notice_goes_when_ready(server: Any, launch: Any) -> None:
    page = _office(launch, server.url)
    page.get_by_role("button", name="Buat paket").click()
    expect(page.get_by_role("alert")).to_contain_text("Belum ada permohonan siap")
    expect(page.locator(".dk-batch")).to_have_count(0)
    assert server.services.records.list_batches(kabupaten="52.03", cursor=None, limit=10) == (
        [],
        None,
    )

    op = Api(server.app.test_client())
    assert op.login("op.a").status_code == 200
    submit_ready(op, server.services)
    page.get_by_role("button", name="Buat paket").click()
    expect(page.locator(".dk-batch")).to_have_count(1)
    expect(page.get_by_role("alert")).to_have_count(0)
    drain_until_idle(server.services)
    expect(page.locator(".dk-batch .badge")).to_have_text("Siap")
    expect(page.locator(".toast")).to_have_text("Paket siap: 1 permohonan.")
    expect(page.get_by_text("Paket sedang disusun")).to_have_count(0)
