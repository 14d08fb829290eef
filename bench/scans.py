"""§3 Scan size: 12 MP document photos (bench.photos) through the PWA's own compression — the
built worker (pwa/dist/assets/compress.worker-*.js, src/workers/compress.worker.ts) run in
Chromium exactly as the app runs it — then a legibility check of what would be sent.

Time: CDP's CPU throttling slows a page's main thread but not its dedicated workers, so the
worker's own time is measured unslowed, and the same built worker script is also run on the
page's main thread under `Emulation.setCPUThrottlingRate` 6 (and at 1× as its baseline):
the script is loaded with a <script> tag into a page of the same origin, where its `self` is
the window; its `onmessage` handler is called with the same message the app posts, and its
`self.postMessage` answer is caught. No line of the PWA changes for it.

Legibility: tesseract's word recall (the printed words found again by OCR) of the compressed
scan ÷ that of the original photo, when `tesseract` is installed; otherwise PSNR of the two,
both scaled to the same print size (a weaker check, and the table says which was used).

The crop (issue #17): the same photos through the same worker with the paper's four corners
(where the page lies on the table: `photos.paper_photo`), as "Terapkan" posts them, straightened
and compressed there; bytes and recall beside the uncropped scans'. Without tesseract, PSNR
against Pillow's own straightening of the original photo at the scan's size.
"""

from __future__ import annotations

import base64
import io
import math
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

from . import browser
from .common import KB, Figure, median, serving, unmeasured
from .photos import KINDS, Corner, paper_photo, straightened

SECTION = "3 Scan size"
COMPRESS = """
async ({ worker, count, crops }) => {
  const w = new Worker(worker, { type: 'module' });
  const out = [];
  for (let id = 0; id < count; id++) {
    const blob = await (await fetch(`/bench-input/${id}.jpg`)).blob();
    const file = new File([blob], `foto-${id}.jpg`, { type: 'image/jpeg' });
    const crop = crops ? crops[id] : undefined;
    const started = performance.now();
    const answer = await new Promise((ok) => {
      w.onmessage = (event) => ok(event.data);
      w.postMessage(crop ? { id, file, name: file.name, crop } : { id, file, name: file.name });
    });
    const ms = performance.now() - started;
    if (!answer.ok) { out.push({ ok: false, reason: answer.reason }); continue; }
    const bytes = new Uint8Array(await answer.result.blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    const { contentType: type, size } = answer.result;
    out.push({ ok: true, ms, type, size, data: btoa(binary) });
  }
  w.terminate();
  return out;
}
"""


# The built worker script on the main thread: its handler is called directly, its answer caught.
MAIN_THREAD = """
async ({ worker, count }) => {
  let answered = null;
  window.postMessage = (message) => answered(message);
  await new Promise((ok, no) => {
    const script = document.createElement('script');
    script.src = worker;
    script.onload = ok;
    script.onerror = () => no(new Error('worker script did not load'));
    document.head.append(script);
  });
  const handler = window.onmessage;
  window.onmessage = null;
  const out = [];
  for (let id = 0; id < count; id++) {
    const blob = await (await fetch(`/bench-input/${id}.jpg`)).blob();
    const file = new File([blob], `foto-${id}.jpg`, { type: 'image/jpeg' });
    const started = performance.now();
    const answer = await new Promise((ok) => {
      answered = ok;
      handler({ data: { id, file, name: file.name } });
    });
    const ms = performance.now() - started;
    out.push({ ok: answer.ok, ms, size: answer.ok ? answer.result.size : 0 });
  }
  return out;
}
"""


def worker_script(dist: Path) -> Path | None:
    found = sorted((dist / "assets").glob("compress.worker-*.js"))
    return found[0] if found else None


Quad = list[Corner]


def decoded(answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for answer in answers:
        if answer["ok"]:
            answer["bytes"] = base64.b64decode(answer.pop("data"))
    return answers


def compress_in_chromium(
    photos: list[bytes],
    work: Path,
    rates: tuple[float, ...] = (6, 1),
    crops: list[Quad] | None = None,
) -> tuple[list[dict[str, Any]], dict[float, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Run the PWA's compression worker over `photos` in Chromium; its answers, bytes decoded,
    the same script's runs on the main thread at each CPU slowdown of `rates`, and (with
    `crops`, each photo's paper corners as 0–1 of the photo) the worker's cropped answers."""
    dist = browser.dist_copy(work / "scan-dist")
    script = worker_script(dist)
    assert script is not None
    with (
        serving(["bakso", "--data", str(work / "scan-data"), "--dist", str(dist)]) as server,
        browser.playwright() as pw,
    ):
        context = browser.launch(pw, work / "scan-profile")
        try:
            page = browser.first_page(context)

            def serve_photo(route: Any) -> None:
                n = int(route.request.url.rsplit("/", 1)[1].split(".")[0])
                route.fulfill(status=200, body=photos[n], content_type="image/jpeg")

            page.route("**/bench-input/*", serve_photo)
            page.goto(server.url + "/assets/bare.html")
            answers = page.evaluate(
                COMPRESS, {"worker": f"/assets/{script.name}", "count": len(photos)}
            )
            cropped = (
                page.evaluate(
                    COMPRESS,
                    {"worker": f"/assets/{script.name}", "count": len(photos), "crops": crops},
                )
                if crops
                else []
            )
            main: dict[float, list[dict[str, Any]]] = {}
            for rate in rates:
                page.goto(server.url + "/assets/bare.html")  # a fresh window for each
                cdp = browser.throttle(page, None, rate)
                main[rate] = page.evaluate(
                    MAIN_THREAD, {"worker": f"/assets/{script.name}", "count": len(photos)}
                )
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
                cdp.detach()
        finally:
            context.close()
    return decoded(list(answers)), main, decoded(list(cropped))


def words_of(text: str) -> Counter[str]:
    cleaned = (w.strip(".,:;()'\"").lower() for w in text.split())
    return Counter(w for w in cleaned if len(w) >= 3 and w.isalnum())


def ocr_recall(image: bytes, truth: list[str]) -> float:
    """The share of the printed words (with repeats) that tesseract reads back."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as file:
        file.write(image)
        file.flush()
        done = subprocess.run(  # noqa: S603
            ["tesseract", file.name, "stdout", "-l", "eng", "--psm", "3"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
    expected = Counter(truth)
    found = words_of(done.stdout)
    return sum((expected & found).values()) / max(1, sum(expected.values()))


def psnr_at_print_size(original: bytes, compressed: bytes) -> float:
    """PSNR (dB) of the two in grey, both scaled to the compressed scan's size."""
    small = Image.open(io.BytesIO(compressed)).convert("L")
    big = Image.open(io.BytesIO(original)).convert("L").resize(small.size, Image.Resampling.LANCZOS)
    rms = ImageStat.Stat(ImageChops.difference(big, small)).rms[0]
    return 99.0 if rms == 0 else 20 * math.log10(255 / rms)


def run(work: Path, *, count: int, scale: float = 1.0, ocr: bool = True) -> list[Figure]:
    megapixels = 12 * scale * scale
    size = Figure(
        "scan.size",
        SECTION,
        f"largest of {count} document photos ({megapixels:.0f} MP) after the PWA's compression",
        "bytes",
        budget=350 * KB,
        baseline_label="the camera's JPEG",
    )
    tesseract = ocr and shutil.which("tesseract") is not None
    if tesseract:
        legible = Figure(
            "scan.legibility",
            SECTION,
            "legibility: tesseract word recall, compressed ÷ original photo",
            "x",
            budget=0.95,
            op=">=",
            baseline_label="recall of the original photo",
            baseline_unit="share",
        )
    else:
        legible = Figure(
            "scan.legibility",
            SECTION,
            "legibility (no tesseract): PSNR vs the original at the scan's size",
            "dB",
            budget=30.0,
            op=">=",
            baseline_label="",
        )
    slowed = Figure(
        "scan.main_thread_cpu6_ms",
        SECTION,
        "compression time per photo, same code on the main thread at 6× CPU",
        "ms",
        baseline_label="the same at 1×",
    )
    timing = Figure(
        "scan.worker_ms",
        SECTION,
        "  in the app's worker (CDP cannot slow a worker: 1×)",
        "ms",
    )
    crop_size, crop_legible = crop_figures(tesseract)
    figures = [size, legible, slowed, timing, crop_size, crop_legible]
    why = browser.missing() or (
        None if worker_script(browser.DIST) else "no compress.worker-*.js in pwa/dist/assets"
    )
    if why:
        return unmeasured(figures, why)
    started = time.perf_counter()
    papers = paper_set(count, scale)
    photos = [(p, words) for p, words, _, _ in papers]
    made = time.perf_counter() - started
    crops = [[(x / w, y / h) for x, y in corners] for _, _, corners, (w, h) in papers]
    answers, main, cropped = compress_in_chromium([p for p, _ in photos], work, crops=crops)
    refused = [a.get("reason") for a in answers + cropped if not a["ok"]]
    if refused:
        return unmeasured(figures, f"the PWA refused {len(refused)} photos: {refused[0]}")
    size.runs = [a["size"] for a in answers]
    size.value = max(size.runs)
    size.baseline = median([len(p) for p, _ in photos])
    dims = Image.open(io.BytesIO(answers[0]["bytes"])).size
    size.note = (
        f"median {median(size.runs) / KB:.0f} KB, {answers[0]['type']} {dims[0]}×{dims[1]};"
        f" photos made in {made:.0f} s"
    )
    timing.runs = [a["ms"] for a in answers]
    timing.value = median(timing.runs)
    if not all(a["ok"] for rate in main.values() for a in rate):
        slowed.note = "the main-thread run refused a photo the worker took"
    else:
        slowed.runs = [a["ms"] for a in main[6]]
        slowed.value = median(slowed.runs)
        slowed.baseline = median([a["ms"] for a in main[1]])
        same = [a["size"] for a in main[6]] == size.runs
        slowed.note = (
            "the built compress.worker script run on the page's main thread"
            " (Emulation.setCPUThrottlingRate 6); "
            + ("same bytes as the worker's" if same else "sizes differ from the worker's")
        )
    if tesseract:
        originals = [ocr_recall(p, words) for p, words in photos]
        compressed = [ocr_recall(a["bytes"], w) for a, (_, w) in zip(answers, photos, strict=True)]
        legible.runs = [c / o if o else 0.0 for c, o in zip(compressed, originals, strict=True)]
        legible.value = median(legible.runs)
        legible.baseline = median(originals)
        legible.note = (
            f"tesseract used; recall compressed {median(compressed):.1%} (lowest"
            f" {min(compressed):.1%}) vs original {median(originals):.1%}"
        )
    else:
        legible.runs = [
            psnr_at_print_size(p, a["bytes"]) for (p, _), a in zip(photos, answers, strict=True)
        ]
        legible.value = median(legible.runs)
        legible.note = "tesseract not installed: PSNR fallback, a weaker check than OCR recall"
    crop_size.runs = [a["size"] for a in cropped]
    crop_size.value = max(crop_size.runs)
    crop_size.baseline = size.value
    shares = [c / u for c, u in zip(crop_size.runs, size.runs, strict=True)]
    dims = Image.open(io.BytesIO(cropped[0]["bytes"])).size
    crop_size.note = (
        f"cropped ÷ uncropped scan of the same photo: median {median(shares):.2f}×; paper at"
        f" {median([paper_share(c) for c in crops]):.0%} of the photo; {dims[0]}×{dims[1]};"
        f" worker {median([a['ms'] for a in cropped]):.0f} ms vs {timing.value:.0f} ms uncropped"
    )
    if tesseract:
        recall = [ocr_recall(a["bytes"], w) for a, (_, w) in zip(cropped, photos, strict=True)]
        crop_legible.runs = [c / o if o else 0.0 for c, o in zip(recall, originals, strict=True)]
        crop_legible.value = median(crop_legible.runs)
        crop_legible.baseline = legible.value
        crop_legible.note = (
            f"tesseract used; recall cropped {median(recall):.1%} (lowest {min(recall):.1%})"
            f" vs uncropped {median(compressed):.1%}, original photo {median(originals):.1%}"
        )
    else:
        crop_legible.runs = [
            psnr_of_crop(photo, corners, a["bytes"])
            for (photo, _, corners, _), a in zip(papers, cropped, strict=True)
        ]
        crop_legible.value = median(crop_legible.runs)
        crop_legible.note = "tesseract not installed: PSNR vs Pillow's straightening"
    return figures


def paper_set(
    count: int, scale: float
) -> list[tuple[bytes, list[str], list[Corner], tuple[int, int]]]:
    """`photos.photo_set`'s photos, each with its paper's corners (px) and its size."""
    out = []
    for i in range(count):
        kind, (w, h) = KINDS[i % len(KINDS)]
        size = (int(w * scale), int(h * scale))
        photo, words, corners = paper_photo(i, kind, size)
        out.append((photo, words, corners, size))
    return out


def paper_share(quad: Quad) -> float:
    """The share of the photo (0–1 corners) inside the paper: the shoelace area."""
    return abs(sum(quad[i - 1][0] * p[1] - p[0] * quad[i - 1][1] for i, p in enumerate(quad))) / 2


def psnr_of_crop(photo: bytes, corners: list[Corner], cropped: bytes) -> float:
    """PSNR (dB) of the PWA's cropped scan against Pillow's straightening of the same corners."""
    small = Image.open(io.BytesIO(cropped)).convert("L")
    reference = straightened(photo, corners, small.size).convert("L")
    rms = ImageStat.Stat(ImageChops.difference(reference, small)).rms[0]
    return 99.0 if rms == 0 else 20 * math.log10(255 / rms)


def crop_figures(tesseract: bool) -> tuple[Figure, Figure]:
    size = Figure(
        "scan.crop_size",
        SECTION,
        "  cropped to the paper (4 corners, straightened): largest scan",
        "bytes",
        budget=350 * KB,
        baseline_label="the same photos uncropped",
    )
    if tesseract:
        legible = Figure(
            "scan.crop_legibility",
            SECTION,
            "  cropped: tesseract word recall, cropped ÷ original photo",
            "x",
            budget=0.95,
            op=">=",
            baseline_label="uncropped scan ÷ original photo",
            baseline_unit="x",
        )
    else:
        legible = Figure(
            "scan.crop_legibility",
            SECTION,
            "  cropped (no tesseract): PSNR vs Pillow's straightening of the original",
            "dB",
            budget=30.0,
            op=">=",
            baseline_label="",
        )
    return size, legible
