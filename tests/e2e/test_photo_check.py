"""Photos checked before they leave (issue #17, part 5): the compression worker flags a dark,
a blurred and a too-small photo; the operator sees why, in Indonesian, before the page joins
the request, and either keeps it deliberately ("Tetap pakai": the page is kept with its flag,
shown as a badge) or takes it again ("Ambil ulang": the photo is dropped and the camera opens
again). A sharp photo goes straight in. Any page opens full size with zoom."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont
from playwright.sync_api import Page, expect

from e2e.ui import E2E, SERVICE, SERVICE_LABEL, fill_fields, login, probe, valid_fields
from helpers import KK, NIK_WOMAN

pytestmark = E2E

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BLURRED = "Foto kabur — tulisan mungkin tidak terbaca"


def page_photo(path: Path, *, blur: float = 0, light: float = 1.0) -> Path:
    """A JPEG of a printed page: lines of text on off-white paper, optionally blurred or dim."""
    image = Image.new("RGB", (1600, 2000), (235, 235, 228))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 28)
    for i, y in enumerate(range(80, 1920, 48)):
        draw.text(
            (80, y), f"NAMA KEPALA KELUARGA alamat desa kecamatan {i} " * 2, (20, 20, 20), font
        )
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if light != 1.0:
        image = ImageEnhance.Brightness(image).enhance(light)
    image.save(path, "JPEG", quality=90)
    return path


def open_documents_step(page: Page) -> None:
    page.goto(page.url.split("#")[0] + "#/baru")
    page.get_by_text(SERVICE_LABEL, exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", NIK_WOMAN)
    page.fill("#name", "Warga Foto Gelap")
    page.fill("#kk", KK)
    fill_fields(page, valid_fields(SERVICE))
    page.get_by_role("button", name="Lanjut").click()


def test_dark_and_blurred_photos_are_held_and_a_sharp_one_is_not(
    server, launch, tmp_path: Path
) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_documents_step(page)
    sharp = page_photo(tmp_path / "tajam.jpg")
    dark = page_photo(tmp_path / "gelap.jpg", light=0.2)
    blurred = page_photo(tmp_path / "kabur.jpg", blur=6)
    dialog = page.get_by_role("dialog")
    card = {
        r: page.locator(f'section[aria-labelledby="req-{r}"]')
        for r in ("F101", "KK_LAMA", "BUKTI_PERISTIWA")
    }

    # A sharp photo: no check, straight onto its document's card.
    page.set_input_files('input[data-req="BUKTI_PERISTIWA"][data-mode="file"]', str(sharp))
    expect(card["BUKTI_PERISTIWA"].locator(".thumb")).to_have_count(1, timeout=20_000)
    expect(dialog).to_have_count(0)
    expect(card["BUKTI_PERISTIWA"].locator(".badge-quality")).to_have_count(0)

    # A dark one is held with the warning; "Tetap pakai" keeps it, marked.
    page.set_input_files('input[data-req="F101"][data-mode="file"]', str(dark))
    expect(dialog).to_be_visible(timeout=20_000)
    expect(dialog).to_contain_text("Foto terlalu gelap")
    expect(dialog).not_to_contain_text("Foto terlalu kecil")
    expect(card["F101"].locator(".thumb")).to_have_count(0)
    # Fits a 360 px phone; both answers are full tap targets.
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    for name in ("Ambil ulang", "Tetap pakai"):
        button = dialog.get_by_role("button", name=name)
        size = button.bounding_box()
        assert size is not None and size["height"] >= 44 and size["x"] + size["width"] <= 360
    # The photo itself at 100 %, zoomable.
    expect(dialog.get_by_text("Ukuran 100%")).to_be_visible()
    natural = dialog.locator(".photo-zoom img").evaluate("img => img.naturalWidth")
    assert (
        dialog.locator(".photo-zoom img").evaluate("img => img.getBoundingClientRect().width")
        == natural
    )
    dialog.get_by_role("button", name="Perbesar").click()
    expect(dialog.get_by_text("Ukuran 200%")).to_be_visible()
    dialog.get_by_role("button", name="Tetap pakai").click()
    expect(dialog).to_have_count(0)
    expect(card["F101"].locator(".thumb")).to_have_count(1)
    expect(card["F101"].locator('.badge-quality[data-flag="dark"]')).to_have_text("Gelap")

    # A blurred one: "Ambil ulang" drops it and opens the camera again; the retake goes in.
    page.set_input_files('input[data-req="KK_LAMA"][data-mode="file"]', str(blurred))
    expect(dialog).to_contain_text(BLURRED, timeout=20_000)
    expect(dialog).not_to_contain_text("Foto terlalu gelap")
    with page.expect_file_chooser() as chooser:
        dialog.get_by_role("button", name="Ambil ulang").click()
    expect(dialog).to_have_count(0)
    expect(card["KK_LAMA"].locator(".thumb")).to_have_count(0)
    assert chooser.value.element.get_attribute("data-mode") == "camera"
    assert chooser.value.element.get_attribute("data-req") == "KK_LAMA"
    chooser.value.set_files(str(page_photo(tmp_path / "tajam-2.jpg", blur=0.5)))
    expect(card["KK_LAMA"].locator(".thumb")).to_have_count(1, timeout=20_000)
    expect(dialog).to_have_count(0)
    expect(card["KK_LAMA"].locator(".badge-quality")).to_have_count(0)

    # Any page opens full size from its card, and closes again.
    card["BUKTI_PERISTIWA"].get_by_role("button", name="Lihat hal. 1").click()
    expect(dialog.get_by_text("Ukuran 100%")).to_be_visible()
    dialog.get_by_role("button", name="Perkecil").click()
    expect(dialog.get_by_text("Ukuran 50%")).to_be_visible()
    dialog.get_by_role("button", name="Tutup").click()
    expect(dialog).to_have_count(0)

    # Saved: three pages (not the blurred one), the kept flag with the page on the device.
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".thumbs .thumb")).to_have_count(3, timeout=15_000)
    expect(page.locator('.badge-quality[data-flag="dark"]')).to_have_count(1)
    scans = page.evaluate(probe("local_scans"))
    assert sorted(s["requirement"] for s in scans) == ["BUKTI_PERISTIWA", "F101", "KK_LAMA"]
    quality = page.evaluate(
        """() => new Promise((ok) => {
          indexedDB.open('bakso').onsuccess = (e) => {
            const r = e.target.result.transaction('scans').objectStore('scans').getAll();
            const flags = (s) => [s.requirement, s.quality ?? []];
            r.onsuccess = () => ok(Object.fromEntries(r.result.map(flags)));
          };
        })"""
    )
    assert quality == {"F101": ["dark"], "KK_LAMA": [], "BUKTI_PERISTIWA": []}


def test_a_photo_too_small_to_read_is_held(server, launch, tmp_path: Path) -> None:
    context = launch(service_workers="block")
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_documents_step(page)
    small = tmp_path / "kecil.jpg"
    Image.open(page_photo(tmp_path / "besar.jpg")).resize((480, 600)).save(
        small, "JPEG", quality=90
    )
    page.set_input_files('input[data-req="F101"][data-mode="file"]', str(small))
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Foto terlalu kecil", timeout=20_000)
    dialog.get_by_role("button", name="Ambil ulang").click()
    expect(dialog).to_have_count(0)
    expect(page.locator('section[aria-labelledby="req-F101"] .thumb')).to_have_count(0)
