"""The operator's form on a 360 × 740 phone (review of #17, findings 4, 5, 9): "Isi dari
pemohon" copies the applicant into a family's head and member 1 instead of typing them
twice; sections fold and a jump list reaches them; the review step ("Periksa") reads back
every member so it can be checked against the paper, with "Ubah" back to the section;
checkboxes are full tap targets; the photo check's answers are in sight without scrolling."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.test_form_fields import documents, open_data_step
from e2e.test_photo_check import open_documents_step, page_photo
from e2e.ui import E2E, fill_fields, login, valid_fields
from helpers import KK, NIK_WOMAN

pytestmark = E2E

PHONE = {"width": 360, "height": 740}

# Each visible checkbox with the box a thumb may hit: the checkbox's own, or its label's
# (a tap on the label ticks it) when the label holds or names it.
CHECK_TARGETS = """() => [...document.querySelectorAll('input[type=checkbox]')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => {
    const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
    const own = el.getBoundingClientRect();
    const box = label ? label.getBoundingClientRect() : own;
    const width = Math.max(box.width, own.width);
    return { id: el.id, width, height: Math.max(box.height, own.height) };
  })"""


def small_checkboxes(page: Page) -> list[dict[str, object]]:
    targets = page.evaluate(CHECK_TARGETS)
    assert targets, "no checkbox measured"
    return [t for t in targets if t["height"] < 44 or t["width"] < 44]


def test_a_family_typed_once_and_read_back_before_sending(server, launch, tmp_path: Path) -> None:
    page = launch(viewport=PHONE, service_workers="block").new_page()
    login(page, server.url)
    open_data_step(page, "KK_BARU", "Siti Aminah")

    # The jump list of the form's sections sits at the top of the data step.
    jump = page.get_by_role("navigation", name="Bagian formulir")
    expect(jump.get_by_role("button")).to_have_count(2)
    expect(jump).to_contain_text("Anggota keluarga")

    # "Isi dari pemohon": the head's name and the previous No. KK, member 1's NIK and name
    # (and the birth date and sex her NIK encodes), none typed again.
    page.locator('[data-copy-to="f-family"][data-copy-from="applicant"]').click()
    expect(page.locator("#f-family-head_name")).to_have_value("Siti Aminah")
    expect(page.locator("#f-family-previous_kk")).to_have_value(KK)
    member = page.get_by_role("group", name="Isi dari:").nth(1)  # the family's, then member 1's
    member.get_by_role("button", name="Isi dari pemohon").click()
    expect(page.locator("#f-members-0-nik")).to_have_value(NIK_WOMAN)
    expect(page.locator("#f-members-0-name")).to_have_value("Siti Aminah")
    expect(page.locator("#f-members-0-sex")).to_have_value("P")
    expect(page.locator("#f-members-0-birth_date")).to_have_value("1990-08-17")
    # She is member 1 now: member 2 is not offered the same person.
    page.locator('[data-add="members"]').click()
    expect(page.locator("#f-members-1-nik")).to_be_visible()
    expect(page.locator('[data-copy-to="f-members-1"][data-copy-from="applicant"]')).to_have_count(
        0
    )
    page.get_by_role("button", name="Buka Anggota keluarga 1").click()

    # Every checkbox (a member's "Memiliki akta kelahiran", "Jemput bola") is a 44 px target.
    assert small_checkboxes(page) == []

    fields = valid_fields("KK_BARU")
    fill_fields(page, fields)
    # A complete section folds on "Sudah, ke …" and opens again from its heading.
    page.locator('[data-done="family"]').click()
    expect(page.locator("#f-family-head_name")).to_have_count(0)
    toggle = page.locator("#f-family-h button")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_contain_text("lengkap")
    jump.locator('[data-jump="family"]').click()
    expect(page.locator("#f-family-head_name")).to_have_value(fields["family"]["head_name"])
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("button", name="Lanjut").click()
    for requirement, paths in documents("KK_BARU", tmp_path).items():
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(paths[0]))
        card = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(card.locator(".thumb")).to_have_count(1, timeout=20_000)
    page.get_by_role("button", name="Lanjut").click()

    # "Periksa": the three members, numbered with their names, dates in Indonesian, choices
    # by their label, each NIK as typed.
    expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_visible()
    items = page.locator('[data-readback="members"] [data-readback-item]')
    expect(items).to_have_count(3)
    for i, person in enumerate(fields["members"]):
        expect(items.nth(i)).to_contain_text(f"Anggota keluarga {i + 1} — {person['name']}")
        expect(items.nth(i)).to_contain_text(person["nik"])
    expect(items.nth(0)).to_contain_text("17 Agustus 1985")
    expect(items.nth(0)).to_contain_text("Kepala keluarga")
    expect(items.nth(1)).to_contain_text("Istri")
    family = page.locator('[data-readback="family"]')
    expect(family).to_contain_text(fields["family"]["previous_kk"])
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    # "Ubah" goes back to that section on the data step.
    page.locator('[data-edit="members"]').click()
    expect(page.locator("#f-members-h button")).to_be_focused()
    expect(page.locator("#f-members-2-name")).to_have_value("Muhammad Rizki")


def test_the_reporter_is_copied_from_the_father(server, launch) -> None:
    page = launch(viewport=PHONE, service_workers="block").new_page()
    login(page, server.url)
    open_data_step(page, "AKTA_LAHIR", "Siti Aminah")
    fields = valid_fields("AKTA_LAHIR")
    fill_fields(page, {"subject": fields["subject"], "father": fields["father"]})
    reporter = page.locator('[data-copy-to="f-reporter"]')
    # The applicant and the father are offered; the mother, not typed yet, is not.
    expect(reporter).to_have_count(2)
    page.locator('[data-copy-to="f-reporter"][data-copy-from="father"]').click()
    expect(page.locator("#f-reporter-nik")).to_have_value(fields["father"]["nik"])
    expect(page.locator("#f-reporter-name")).to_have_value(fields["father"]["name"])
    expect(page.locator("#f-reporter-birth_date")).to_have_value(fields["father"]["birth_date"])
    # A NIK copied from elsewhere is judged at once: the mother's slot takes the applicant's.
    page.locator('[data-copy-to="f-mother"][data-copy-from="applicant"]').click()
    expect(page.locator("#f-mother-nik")).to_have_value(NIK_WOMAN)
    expect(page.locator("#f-mother-nik-error")).to_have_count(0)


def test_the_photo_checks_answers_are_in_sight_on_a_phone(server, launch, tmp_path: Path) -> None:
    page = launch(viewport=PHONE, service_workers="block").new_page()
    login(page, server.url)
    open_documents_step(page)
    page.set_input_files(
        'input[data-req="F101"][data-mode="file"]',
        str(page_photo(tmp_path / "gelap.jpg", light=0.2)),
    )
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Foto terlalu gelap", timeout=20_000)
    # Without scrolling: the warning and both answers lie within the 740 px screen.
    for target in (
        dialog.locator(".photo-flags li").first,
        dialog.get_by_role("button", name="Ambil ulang"),
        dialog.get_by_role("button", name="Tetap pakai"),
    ):
        box = target.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert dialog.evaluate("d => d.scrollTop") == 0
    dialog.get_by_role("button", name="Tetap pakai").click()
    expect(dialog).to_have_count(0)
