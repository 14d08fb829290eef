"""The service's form in the PWA (docs/forms.md "In the PWA"), on a 360 px phone: filled
offline, it arrives with every field; a wrong member NIK is stopped on the device with the
field named; a draft keeps its fields; the server's refusal shows on the field it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Route, expect

from e2e.conftest import CHROMIUM, FLAGS, PHONE
from e2e.ui import (
    E2E,
    Dukcapil,
    fill_fields,
    fill_request,
    login,
    photo,
    probe,
    valid_fields,
    wait_for_service_worker,
)
from helpers import KK, NIK_WOMAN

pytestmark = E2E

CATALOG = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "catalog.json"
LABELS = {"AKTA_LAHIR": "Akta kelahiran", "KK_BARU": "Kartu Keluarga baru"}


def documents(service: str, tmp: Path) -> dict[str, list[Path]]:
    """A photo for each mandatory document (the first of each "one of" group)."""
    [entry] = [
        s for s in json.loads(CATALOG.read_text("utf-8"))["services"] if s["code"] == service
    ]
    groups: set[str] = set()
    out: dict[str, list[Path]] = {}
    for r in entry["requirements"]:
        if not r.get("required") or r.get("one_of") in groups:
            continue
        if r.get("one_of"):
            groups.add(r["one_of"])
        out[r["code"]] = [photo(tmp / f"{service}-{r['code']}.png", service + r["code"], 900, 1200)]
    return out


def local_fields(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate(probe("local_fields")))


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def open_data_step(page: Page, service: str, name: str) -> None:
    page.goto(page.url.split("#")[0] + "#/baru")
    page.get_by_text(LABELS[service], exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", NIK_WOMAN)
    page.fill("#name", name)
    page.fill("#kk", KK)


def test_birth_and_family_forms_made_offline_arrive_with_every_field(
    server, launch, tmp_path: Path
) -> None:
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    page.reload()  # the second load is controlled by the service worker
    wait_for_service_worker(page)
    context.set_offline(True)
    expect(page.get_by_text("Luring")).to_be_visible()

    typed = {"AKTA_LAHIR": valid_fields("AKTA_LAHIR"), "KK_BARU": valid_fields("KK_BARU")}
    assert len(typed["KK_BARU"]["members"]) == 3
    for service, fields in typed.items():
        fill_request(
            page, f"Pemohon {service}", documents(service, tmp_path), LABELS[service], fields
        )
        page.get_by_role("button", name="Kembali").click()
        code = "F201" if service == "AKTA_LAHIR" else "F101"
        page.locator(f'[data-print="{code}"]').click()
        expect(page.locator(f"#print-{code}-note")).to_contain_text("perlu sinyal")
        expect(page.locator(f"#print-{code}-note")).to_contain_text("kertas kosong")
        page.get_by_role("button", name="Lanjut").click()
        page.get_by_role("button", name="Kirim", exact=True).click()
        expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()
    stored = {r["service"]: r for r in local_fields(page)}
    assert {s: r["fields"] for s, r in stored.items()} == typed
    # The child's section is the request's subject: not asked twice, copied on save.
    assert stored["AKTA_LAHIR"]["subject"]["name"] == typed["AKTA_LAHIR"]["subject"]["name"]
    assert Dukcapil(server.url).requests() == []

    context.set_offline(False)
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=60_000)
    dukcapil = Dukcapil(server.url)
    held = {r["service"]: dukcapil.detail(r["id"]) for r in dukcapil.requests()}
    assert set(held) == set(typed)
    for service, fields in typed.items():
        assert held[service]["status"] == "DIAJUKAN"
        assert held[service]["fields"] == fields, service
    child = typed["AKTA_LAHIR"]["subject"]
    assert held["AKTA_LAHIR"]["subject"] == {
        "name": child["name"],
        "nik": None,
        "birth_date": child["birth_date"],
        "birth_place": child["birth_place"],
        "sex": child["sex"],
    }
    assert [m["nik"] for m in held["KK_BARU"]["fields"]["members"]] == [
        m["nik"] for m in typed["KK_BARU"]["members"]
    ]


def test_a_wrong_member_nik_is_stopped_on_the_device_with_the_field_named(server, launch) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_data_step(page, "KK_BARU", "Pemohon NIK Salah")
    fields = valid_fields("KK_BARU")
    fields["members"][1]["nik"] = "52030157089"  # 11 digits
    fill_fields(page, fields)
    assert no_sideways_scroll(page)

    # Left: the message shows under that member's NIK, naming the field.
    page.locator("#f-members-2-name").focus()
    error = page.locator("#f-members-1-nik-error")
    expect(error).to_have_text("NIK harus 16 digit (tertulis 11 digit).")  # the label once
    expect(page.locator("#f-members-1-nik")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-members-0-nik-error")).to_have_count(0)

    # "Lanjut" does not leave the data step while it is wrong, and says so. The focus is on the
    # wrong field as soon as the tap is handled, before the operator's next tap or keystroke
    # (a focus moved a frame later took the field tapped meanwhile and its typing).
    focused = page.evaluate(
        """async () => {
            const buttons = [...document.querySelectorAll('button')];
            buttons.find((b) => b.textContent.trim() === 'Lanjut').click();
            await null;  // the microtask queued after the render's
            return document.activeElement.id;
        }"""
    )
    assert focused == "f-members-1-nik"
    expect(page.locator("#fields-summary")).to_contain_text("1 isian")
    expect(page.locator("#f-members-1-nik")).to_be_visible()
    expect(page.locator('input[data-req="F101"]')).to_have_count(0)

    # A required field never touched shows its message too, once "Lanjut" was pressed.
    page.fill("#f-members-2-name", "")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator("#f-members-2-name-error")).to_contain_text("wajib diisi")
    expect(page.locator("#f-members-1-nik")).to_be_focused()  # still the first wrong field

    page.fill("#f-members-2-name", "Muhammad Rizki")
    page.fill("#f-members-1-nik", "5203015708900001")
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator('input[data-req="F101"][data-mode="file"]')).to_have_count(1)
    assert Dukcapil(server.url).requests() == []  # nothing left the device


def test_a_draft_keeps_its_fields_and_big_forms_fit_a_small_phone(server, launch) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_data_step(page, "KK_BARU", "Pemohon Draf")
    fields = valid_fields("KK_BARU")
    half = json.loads(json.dumps(fields))
    del half["members"][2]["nik"]  # not known yet: the draft is kept half filled
    fill_fields(page, half)
    # A fourth member added, then removed again: three remain.
    page.locator('[data-add="members"]').click()
    expect(page.locator("#f-members-3-name")).to_be_visible()
    page.locator('[data-remove="members-3"]').click()
    expect(page.locator("#f-members-3-name")).to_have_count(0)
    page.set_viewport_size({"width": 320, "height": 640})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 360, "height": 640})
    page.get_by_role("button", name="Simpan draf").click()  # from the data step itself
    page.wait_for_url("**/#/permohonan/*")
    request_id = page.url.rsplit("/", 1)[1]
    # Half filled, it is not sent from the draft's page.
    expect(page.locator("#fields-incomplete")).to_contain_text("1 isian")
    expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_disabled()

    page.reload()
    page.goto(f"{server.url}/#/baru/{request_id}")
    expect(page.locator("#f-members-2-name")).to_have_value(half["members"][2]["name"])
    for index, member in enumerate(half["members"]):
        for key, value in member.items():
            field = page.locator(f"#f-members-{index}-{key}")
            if isinstance(value, bool):
                expect(field).to_be_checked(checked=value)
            else:
                expect(field).to_have_value(str(value))
    for key, value in half["family"].items():
        expect(page.locator(f"#f-family-{key}")).to_have_value(str(value))
    expect(page.locator("#f-members-2-nik")).to_have_value("")
    [draft] = local_fields(page)
    assert draft["fields"] == half

    page.fill("#f-members-2-nik", fields["members"][2]["nik"])
    page.get_by_role("button", name="Lanjut").click()  # documents
    page.get_by_role("button", name="Lanjut").click()  # review
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(f"**/#/permohonan/{request_id}")
    expect(page.locator("#fields-incomplete")).to_have_count(0)
    [draft] = local_fields(page)
    assert draft["fields"] == fields
    assert Dukcapil(server.url).requests() == []  # a draft stays on the device


def test_the_servers_refusal_shows_on_the_field_it_names(server, launch, tmp_path: Path) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    message = "NIK: NIK ini sudah terdaftar pada KK lain."

    def refuse(route: Route) -> None:
        if route.request.method != "PUT":
            route.fallback()
            return
        body = {
            "type": "about:blank",
            "status": 422,
            "detail": "Isian formulir tidak valid.",
            "errors": [{"field": "fields.members[2].nik", "code": "nik", "message": message}],
        }
        route.fulfill(status=422, content_type="application/problem+json", body=json.dumps(body))

    page.route("**/api/v1/requests/*", refuse)
    fill_request(
        page,
        "Pemohon Ditolak",
        documents("KK_BARU", tmp_path),
        LABELS["KK_BARU"],
        valid_fields("KK_BARU"),
    )
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()
    for _ in range(100):  # the outbox sends in the background
        [parked] = local_fields(page)
        if parked["state"] == "attention":
            break
        page.wait_for_timeout(200)
    assert parked["state"] == "attention"
    page.unroute("**/api/v1/requests/*")
    page.goto(f"{server.url}/#/baru/{parked['id']}")
    expect(page.locator("#f-members-2-nik-error")).to_have_text(message)
    page.fill("#f-members-2-nik", "5203010303150003")  # edited: the server will judge it again
    expect(page.locator("#f-members-2-nik-error")).to_have_count(0)


def test_printing_the_form_saves_the_draft_on_the_server_and_the_send_is_still_one(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    printed: list[tuple[str, int]] = []

    def pdf(route: Route) -> None:
        answer = route.fetch()
        printed.append((route.request.url, answer.status))
        route.fulfill(response=answer)

    context.route("**/formulir/*.pdf", pdf)
    fields = valid_fields("KK_BARU")
    fill_request(page, "Pemohon Cetak", documents("KK_BARU", tmp_path), LABELS["KK_BARU"], fields)
    page.get_by_role("button", name="Kembali").click()
    card = page.locator('section[aria-labelledby="req-F101"]')
    expect(card).to_contain_text("minta tanda tangan")
    held: list[Route] = []  # the draft's PUT, held until the card was seen preparing

    def hold(route: Route) -> None:
        if route.request.method == "PUT":
            held.append(route)
        else:
            route.fallback()

    context.route("**/api/v1/requests/*", hold)
    card.get_by_role("button", name="Cetak formulir").click()
    # While the draft is saved for printing the card says so; no tab was opened blank.
    expect(card.locator("#print-F101-busy")).to_have_text("Menyiapkan formulir…")
    assert len(context.pages) == 1
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    context.unroute("**/api/v1/requests/*")
    held[0].continue_()
    link = card.get_by_role("link", name="Buka formulir (PDF)")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    expect(card.locator("#print-F101-busy")).to_have_count(0)
    dukcapil = Dukcapil(server.url)
    [draft] = dukcapil.requests()
    expect(link).to_have_attribute("href", f"/api/v1/requests/{draft['id']}/formulir/F101.pdf")
    assert printed == []  # the PDF is asked for by the operator's tap, not before
    with context.expect_page() as opened:
        link.click()
    opened.value.wait_for_load_state()
    for _ in range(50):
        if printed:
            break
        page.wait_for_timeout(200)
    assert printed == [(f"{server.url}/api/v1/requests/{draft['id']}/formulir/F101.pdf", 200)]
    assert draft["status"] == "DRAF"
    assert dukcapil.detail(draft["id"])["fields"] == fields  # printed from what was typed

    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)
    [sent] = dukcapil.requests()  # the same request, not a second one, and not parked
    assert sent["id"] == draft["id"]
    assert sent["status"] == "DIAJUKAN"
    assert dukcapil.detail(sent["id"])["fields"] == fields


def test_a_correction_shows_and_edits_the_fields_dukcapil_holds(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    fields = valid_fields("KK_BARU")
    fill_request(
        page, "Pemohon Perbaikan", documents("KK_BARU", tmp_path), LABELS["KK_BARU"], fields
    )
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)
    dukcapil = Dukcapil(server.url)
    [held] = dukcapil.requests()
    version = held["version"]
    for to, note in [("DITERIMA", ""), ("PERLU_PERBAIKAN", "Pendidikan istri salah")]:
        version = dukcapil.transition(held["id"], to, note, version)["version"]

    page.goto(server.url + "/#/daftar")
    page.get_by_text(held["code"], exact=False).click()
    page.get_by_role("button", name="Perbaiki permohonan ini").click()
    # The form opens with what Dukcapil holds, every member.
    for index, member in enumerate(fields["members"]):
        expect(page.locator(f"#f-members-{index}-nik")).to_have_value(member["nik"])
    expect(page.locator("#f-members-1-education")).to_have_value("SLTA")
    page.locator("#f-members-1-education").select_option("D4_S1")
    page.get_by_role("button", name="Lanjut").click()  # documents: Dukcapil keeps its pages
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)

    again = dukcapil.detail(held["id"])
    assert again["status"] == "DIAJUKAN"
    fields["members"][1]["education"] = "D4_S1"
    assert again["fields"] == fields


def test_printed_then_edited_the_card_asks_to_print_sign_and_photograph_again(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_data_step(page, "AKTA_LAHIR", "Pemohon Cetak Ulang")
    fill_fields(page, valid_fields("AKTA_LAHIR"))
    page.get_by_role("button", name="Lanjut").click()
    card = page.locator('section[aria-labelledby="req-F201"]')
    card.get_by_role("button", name="Cetak formulir").click()
    expect(card.get_by_role("link", name="Buka formulir (PDF)")).to_be_visible()
    # The signed page photographed: it matches what was printed, no warning.
    signed = photo(tmp_path / "f201.png", "signed F201", 900, 1200)
    page.set_input_files('input[data-req="F201"][data-mode="file"]', [str(signed)])
    expect(card.locator(".thumb")).to_have_count(1, timeout=20_000)
    expect(card.locator("#print-F201-stale")).to_have_count(0)

    page.get_by_role("button", name="Kembali").click()
    page.fill("#f-subject-name", "Nama Anak Diganti")
    page.get_by_role("button", name="Lanjut").click()
    expect(card.locator("#print-F201-stale")).to_have_text(
        "Data formulir berubah sejak dicetak: cetak ulang, tanda tangani, lalu foto lagi"
        " halaman yang sudah ditandatangani."
    )
    expect(card.get_by_role("button", name="Cetak formulir")).to_be_visible()
    # The PDF stored for the old data is no longer offered.
    expect(card.get_by_role("link", name="Buka formulir (PDF)")).to_have_count(0)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.locator('[data-stale="F201"]')).to_contain_text("berubah sejak dicetak")

    # Printed again: the warning goes.
    page.get_by_role("button", name="Kembali").click()
    card.get_by_role("button", name="Cetak formulir").click()
    expect(card.get_by_role("link", name="Buka formulir (PDF)")).to_be_visible()
    expect(card.locator("#print-F201-stale")).to_have_count(0)


def test_a_page_photographed_after_an_edit_is_of_the_old_print(
    server, launch, tmp_path: Path
) -> None:
    """Printed, edited, only then photographed: the only paper there is shows the old data."""
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_data_step(page, "AKTA_LAHIR", "Pemohon Foto Lama")
    fill_fields(page, valid_fields("AKTA_LAHIR"))
    page.get_by_role("button", name="Lanjut").click()
    card = page.locator('section[aria-labelledby="req-F201"]')
    card.get_by_role("button", name="Cetak formulir").click()
    expect(card.get_by_role("link", name="Buka formulir (PDF)")).to_be_visible()
    page.get_by_role("button", name="Kembali").click()
    page.fill("#f-subject-name", "Nama Anak Diganti")
    page.get_by_role("button", name="Lanjut").click()
    expect(card.locator("#print-F201-stale")).to_have_count(0)  # no page of it yet
    old_paper = photo(tmp_path / "f201.png", "old F201", 900, 1200)
    page.set_input_files('input[data-req="F201"][data-mode="file"]', [str(old_paper)])
    expect(card.locator(".thumb")).to_have_count(1, timeout=20_000)
    expect(card.locator("#print-F201-stale")).to_contain_text("berubah sejak dicetak")


def test_a_draft_the_server_holds_opens_on_another_device_and_can_be_cancelled(
    server, launch, playwright, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    fields = valid_fields("KK_BARU")
    ids = []
    for name in ("Pemohon Tablet Lain", "Pemohon Dibatalkan", "Pemohon Batal Di Sini"):
        page.goto(f"{server.url}/#/daftar")
        open_data_step(page, "KK_BARU", name)
        fill_fields(page, fields)
        page.get_by_role("button", name="Lanjut").click()
        page.locator('[data-print="F101"]').click()
        expect(page.locator("#print-F101-link")).to_be_visible()
        ids.append(page.locator("#print-F101-link").get_attribute("href").split("/")[4])
    dukcapil = Dukcapil(server.url)
    assert {r["status"] for r in dukcapil.requests()} == {"DRAF"}

    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        other = browser.new_context(viewport=PHONE, locale="id-ID", service_workers="block")
        other.set_default_timeout(15_000)
        tablet = other.new_page()
        login(tablet, server.url)
        tablet.goto(f"{server.url}/#/")
        expect(tablet.locator('a[href="#/daftar?status=DRAF"]')).to_contain_text("3")
        # Opened from the server: every field, edited and sent from this device.
        tablet.goto(f"{server.url}/#/permohonan/{ids[0]}")
        tablet.get_by_role("button", name="Ubah", exact=True).click()
        for index, member in enumerate(fields["members"]):
            expect(tablet.locator(f"#f-members-{index}-nik")).to_have_value(member["nik"])
        tablet.locator("#f-members-1-education").select_option("D4_S1")
        tablet.get_by_role("button", name="Lanjut").click()
        for requirement, paths in documents("KK_BARU", tmp_path).items():
            tablet.set_input_files(
                f'input[data-req="{requirement}"][data-mode="file"]', [str(p) for p in paths]
            )
            card = tablet.locator(f'section[aria-labelledby="req-{requirement}"]')
            expect(card.locator(".thumb")).to_have_count(len(paths), timeout=20_000)
        tablet.get_by_role("button", name="Lanjut").click()
        tablet.get_by_role("button", name="Kirim", exact=True).click()
        expect(tablet.get_by_text("Antrean kosong")).to_be_visible(timeout=30_000)
        sent = dukcapil.detail(ids[0])
        assert sent["status"] == "DIAJUKAN"
        fields["members"][1]["education"] = "D4_S1"
        assert sent["fields"] == fields

        # The other one is cancelled from its detail, after the usual confirm.
        tablet.goto(f"{server.url}/#/permohonan/{ids[1]}")
        tablet.once("dialog", lambda dialog: dialog.accept())
        tablet.get_by_role("button", name="Batalkan draf").click()
        tablet.wait_for_url("**/#/daftar")
        assert dukcapil.detail(ids[1])["status"] == "DIBATALKAN"
        tablet.goto(f"{server.url}/#/")
        expect(tablet.locator('a[href="#/daftar?status=DRAF"]')).to_contain_text("1")
        other.close()
    finally:
        browser.close()

    # On the device that printed it, the local copy's detail cancels it too, and it goes.
    page.goto(f"{server.url}/#/permohonan/{ids[2]}")
    expect(page.get_by_role("button", name="Hapus draf")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Batalkan draf").click()
    page.wait_for_url("**/#/daftar")
    assert dukcapil.detail(ids[2])["status"] == "DIBATALKAN"
    assert ids[2] not in {r["id"] for r in local_fields(page)}


def test_a_reopened_draft_shows_its_wrong_member_nik_on_opening(server, launch) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_data_step(page, "KK_BARU", "Pemohon Dibuka Lagi")
    fields = valid_fields("KK_BARU")
    fields["members"][1]["nik"] = "52030157089"  # 11 digits
    fill_fields(page, fields)
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url("**/#/permohonan/*")
    request_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#fields-incomplete")).to_contain_text("1 isian")

    page.reload()
    page.goto(f"{server.url}/#/baru/{request_id}")
    # Untouched, the error is on its field at once, and the field is brought to the operator.
    expect(page.locator("#f-members-1-nik-error")).to_contain_text("16 digit")
    expect(page.locator("#f-members-1-nik")).to_be_focused()
    expect(page.locator("#fields-summary")).to_contain_text("1 isian")
