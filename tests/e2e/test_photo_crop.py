"""The crop of a page photo to its paper (issue #17, part 5): on the full-size preview,
"Potong" puts four handles on the photo; the operator drags them onto the paper's corners
and "Terapkan" has the compression worker straighten the page and compress it as any photo.
The table around the page is not sent: the stored scan is smaller than the uncropped one of
the same photo, and tesseract reads its words at least as well. "Batalkan potong" returns to
the photo as it was; crossed corners are refused in Indonesian."""

from __future__ import annotations

import base64
import hashlib
import io
import math
import random
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from playwright.sync_api import Locator, Page, expect

from bench.photos import WORDS, perspective_data
from bench.scans import ocr_recall
from e2e.test_a11y import serious_violations
from e2e.test_photo_check import open_documents_step
from e2e.ui import E2E, login

pytestmark = E2E

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PHOTO = (2400, 3200)
# The paper's corners in the photo (top left, top right, bottom right, bottom left): held at a
# tilt, the top edge further from the camera than the bottom; the table shows on every side.
CORNERS = [(560, 470), (1900, 560), (2060, 2830), (350, 2700)]
CROSSED = "Titik-titik sudut bersilangan"

STORED = """() => new Promise((ok) => {
  indexedDB.open('bakso').onsuccess = (e) => {
    const r = e.target.result.transaction('scans').objectStore('scans').getAll();
    r.onsuccess = async () => {
      const out = {};
      for (const s of r.result) {
        const bytes = new Uint8Array(await s.blob.arrayBuffer());
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) {
          binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        }
        out[s.requirement] = { sha256: s.sha256, size: s.size, data: btoa(binary) };
      }
      ok(out);
    };
  };
})"""


def tilted_page_photo(path: Path) -> list[str]:
    """A JPEG of a printed page of words (black on white) lying tilted on a noisy wooden table;
    returns the words printed."""
    rng = random.Random(17)
    words = sorted({w for w in WORDS if len(w) >= 4})
    page = Image.new("RGB", (1240, 1754), (250, 250, 247))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 36)
    printed: list[str] = []
    for y in range(110, 1640, 62):
        line = [rng.choice(words) for _ in range(5)]
        draw.text((100, y), " ".join(line), (15, 15, 15), font)
        printed += line
    table = Image.new("RGB", PHOTO, (118, 86, 58))
    grain = Image.effect_noise((PHOTO[0] // 4, PHOTO[1]), 40).resize(PHOTO).convert("RGB")
    table = ImageChops.add(table, grain, 1.0, -128)
    table = ImageChops.add(table, Image.effect_noise(PHOTO, 14).convert("RGB"), 1.0, -128)
    frm = [(0.0, 0.0), (1240.0, 0.0), (1240.0, 1754.0), (0.0, 1754.0)]
    data = perspective_data([(float(x), float(y)) for x, y in CORNERS], frm)
    warped = page.transform(PHOTO, Image.Transform.PERSPECTIVE, data, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(
        PHOTO, Image.Transform.PERSPECTIVE, data, Image.Resampling.BILINEAR, fillcolor=0
    )
    table.paste(warped, (0, 0), mask)
    photo = table.filter(ImageFilter.GaussianBlur(0.7))
    photo = ImageChops.add(photo, Image.effect_noise(PHOTO, 5).convert("RGB"), 1.0, -128)
    photo.save(path, "JPEG", quality=92)
    return printed


def drag(page: Page, handle: Locator, to: tuple[float, float]) -> None:
    box = handle.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(*to, steps=8)
    page.mouse.up()


def on_stage(page: Page, corner: tuple[float, float]) -> tuple[float, float]:
    """Where a corner of the photo is on the screen, over the editor's picture."""
    box = page.locator(".crop-stage").bounding_box()
    assert box is not None
    return (
        box["x"] + corner[0] / PHOTO[0] * box["width"],
        box["y"] + corner[1] / PHOTO[1] * box["height"],
    )


def centre(handle: Locator) -> tuple[float, float]:
    box = handle.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def open_crop(page: Page, requirement: str) -> Locator:
    card = page.locator(f'section[aria-labelledby="req-{requirement}"]')
    expect(card.locator(".thumb")).to_have_count(1, timeout=20_000)
    card.get_by_role("button", name="Lihat hal. 1").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Potong").click()
    expect(dialog.locator(".crop-handle")).to_have_count(4)
    expect(dialog.get_by_role("button", name="Terapkan")).to_be_enabled()
    return dialog


def test_the_page_cropped_to_its_paper_is_smaller_and_reads_as_well(
    server: Any, launch: Any, tmp_path: Path
) -> None:
    # bypass_csp only so axe may be injected to check the editor (test_csp checks the app).
    context = launch(service_workers="block", bypass_csp=True)
    page = context.pages[0] if context.pages else context.new_page()
    login(page, server.url)
    open_documents_step(page)
    photo = tmp_path / "meja.jpg"
    truth = tilted_page_photo(photo)
    for requirement in ("F101", "KK_LAMA", "BUKTI_PERISTIWA"):
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(photo))
        card = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(card.locator(".thumb")).to_have_count(1, timeout=20_000)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_count(0)  # a sharp, bright photo: no photo check

    # F101: the four handles, each a full tap target named for its corner, dragged onto the
    # paper's corners; one nudged by the keyboard first.
    dialog = open_crop(page, "F101")
    handles = [dialog.locator(f'.crop-handle[data-corner="{i}"]') for i in range(4)]
    names = ["Sudut kiri atas", "Sudut kanan atas", "Sudut kanan bawah", "Sudut kiri bawah"]
    for handle, name in zip(handles, names, strict=True):
        expect(handle).to_have_attribute("aria-label", name)
        box = handle.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44
    assert serious_violations(page) == []
    before = centre(handles[0])
    handles[0].focus()
    page.keyboard.press("Shift+ArrowRight")
    moved = centre(handles[0])
    assert moved[0] > before[0] + 5 and abs(moved[1] - before[1]) < 1

    # Crossed corners (top right and bottom left swapped) are refused, in Indonesian.
    drag(page, handles[1], on_stage(page, CORNERS[3]))
    drag(page, handles[3], on_stage(page, CORNERS[1]))
    dialog.get_by_role("button", name="Terapkan").click()
    expect(dialog.get_by_role("alert")).to_contain_text(CROSSED)
    expect(dialog.locator(".crop-handle")).to_have_count(4)  # still editing, nothing applied

    for handle, corner in zip(handles, CORNERS, strict=True):
        target = on_stage(page, corner)
        drag(page, handle, target)
        at = centre(handle)
        assert abs(at[0] - target[0]) <= 1.5 and abs(at[1] - target[1]) <= 1.5
    dialog.get_by_role("button", name="Terapkan").click()
    expect(dialog.get_by_role("button", name="Batalkan potong")).to_be_visible(timeout=20_000)
    expect(dialog.locator(".crop-handle")).to_have_count(0)
    dialog.get_by_role("button", name="Tutup").click()

    # KK_LAMA: cropped, then "Batalkan potong" returns to the photo as it was.
    dialog = open_crop(page, "KK_LAMA")
    for i, corner in enumerate(CORNERS):
        drag(page, dialog.locator(f'.crop-handle[data-corner="{i}"]'), on_stage(page, corner))
    dialog.get_by_role("button", name="Terapkan").click()
    dialog.get_by_role("button", name="Batalkan potong").click(timeout=20_000)
    expect(dialog.get_by_role("button", name="Batalkan potong")).to_have_count(0)
    dialog.get_by_role("button", name="Tutup").click()

    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".thumbs .thumb")).to_have_count(3, timeout=15_000)
    stored = page.evaluate(STORED)
    scans = {r: base64.b64decode(s["data"]) for r, s in stored.items()}
    for requirement, scan in stored.items():
        assert hashlib.sha256(scans[requirement]).hexdigest() == scan["sha256"]
    cropped, uncropped = scans["F101"], scans["BUKTI_PERISTIWA"]
    # Undone: the very bytes of the uncropped scan of the same photo.
    assert stored["KK_LAMA"]["sha256"] == stored["BUKTI_PERISTIWA"]["sha256"]

    # Upright, sized by the paper's measured edges (the longer of each opposite pair), its
    # long edge the scan's 1600 px.
    tl, tr, br, bl = CORNERS
    across = max(math.dist(tl, tr), math.dist(bl, br))
    down = max(math.dist(tl, bl), math.dist(tr, br))
    width, height = Image.open(io.BytesIO(cropped)).size
    assert height == 1600 and abs(width - 1600 * across / down) <= 12, (width, height)
    assert Image.open(io.BytesIO(uncropped)).size == (1200, 1600)

    # No table left: a band just inside each edge is paper-white (in the uncropped scan it is
    # the table), whatever sliver the handles' last pixel left at the very edge.
    def band_means(scan: bytes) -> list[float]:
        grey = Image.open(io.BytesIO(scan)).convert("L")
        w, h = grey.size
        bands = [(0, 24, w, 40), (0, h - 40, w, h - 24), (24, 0, 40, h), (w - 40, 0, w - 24, h)]
        return [grey.crop(b).resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)) for b in bands]

    assert min(band_means(cropped)) > 200 > max(band_means(uncropped))
    assert len(cropped) < len(uncropped), (len(cropped), len(uncropped))
    recall_cropped = ocr_recall(cropped, truth)
    recall_uncropped = ocr_recall(uncropped, truth)
    assert recall_cropped >= recall_uncropped or recall_cropped >= 0.9, (
        recall_cropped,
        recall_uncropped,
    )
