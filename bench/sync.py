"""§4 Sync efficiency: bytes the device sends ÷ bytes of its compressed scans, for N requests ×
3 scans queued offline in the PWA and sent by its own outbox, with the network dropped twice
in the middle of an upload.

Set-up, once: log in to the PWA, go offline, fill N requests through the UI (each photo goes
through the app's compression worker), close the browser. The browser profile and the server's
data folder are then copied for every run, so each run starts from the same queued outbox.

A run: the server on its copy, Chromium on its copy, through bench.proxy — the origin the PWA
knows — which counts every byte the browser sends (request lines, headers, bodies, retries,
cut uploads) from opening the app until the outbox is empty, and which cuts the network half
way through the chosen uploads (for `outage` s). The server is then asked, directly, whether
every request arrived once with every scan. Baseline: the same run without drops.
"""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path
from typing import Any

import requests
from PIL import Image, ImageDraw

from . import browser
from .common import Figure, median, serving, unmeasured
from .form_fields import fill_fields, valid_fields
from .photos import document_photo
from .proxy import Proxy
from .serve import PASSWORD, USERS

SECTION = "4 Sync efficiency"
SERVICE_LABEL = "KK perubahan data"  # KK_UBAH: three mandatory documents
DOCS = ("F101", "KK_LAMA", "BUKTI_PERISTIWA")
NIK = "5203015708900001"
KK = "5203011203180002"

LOCAL_SCANS = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open('bakso');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => no(r.error);
  });
  const read = (store) => new Promise((ok, no) => {
    const r = db.transaction(store).objectStore(store).getAll();
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  const scans = await read('scans');
  const requests = await read('requests');
  db.close();
  return { requests: requests.length, scans: scans.map((s) => s.blob.size),
           states: requests.map((r) => r.state + (r.message ? ': ' + r.message : '')) };
}"""


def photos(count: int, scale: float) -> list[bytes]:
    """`count` different camera photos: three printed documents, each copy numbered."""
    bases = [
        document_photo(i, kind, (int(w * scale), int(h * scale)))[0]
        for i, (kind, (w, h)) in enumerate(
            [("form", (3000, 4000)), ("letter", (3000, 4000)), ("table", (4000, 3000))]
        )
    ]
    out = []
    for n in range(count):
        image = Image.open(io.BytesIO(bases[n % 3])).convert("RGB")
        ImageDraw.Draw(image).text((40, 40), f"No. {n:04d}", fill=(20, 20, 20))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=92)
        out.append(buffer.getvalue())
    return out


def login(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.fill("#username", USERS[0][0])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("heading", level=1).filter(has_text="Halo").wait_for()


def queue_request(page: Any, name: str, files: dict[str, Path]) -> None:
    """One request through the UI, up to "Kirim" (offline, so it waits in the outbox)."""
    page.goto(page.url.split("#")[0] + "#/baru")
    page.get_by_text(SERVICE_LABEL, exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", NIK)
    page.fill("#name", name)
    page.fill("#kk", KK)
    fill_fields(page, valid_fields("KK_UBAH"))
    page.get_by_role("button", name="Lanjut").click()
    for requirement, path in files.items():
        page.set_input_files(f'input[data-req="{requirement}"][data-mode="file"]', str(path))
        section = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        section.locator(".thumb").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Lanjut").click()
    page.get_by_role("button", name="Kirim", exact=True).click()
    page.get_by_role("heading", name="Antrean kirim").wait_for()


def prepare(work: Path, pw: Any, proxy: Proxy, dist: Path, count: int, scale: float) -> int:
    """Queue `count` requests offline; return the bytes of the compressed scans stored."""
    images = work / "sync-photos"
    images.mkdir()
    paths = []
    for n, data in enumerate(photos(count * len(DOCS), scale)):
        paths.append(images / f"foto-{n:03d}.jpg")
        paths[-1].write_bytes(data)
    with serving(["bakso", "--data", str(work / "sync-data"), "--dist", str(dist)]) as server:
        proxy.retarget(server.port)
        context = browser.launch(pw, work / "sync-profile")
        try:
            page = browser.first_page(context)
            login(page, proxy.url)
            page.reload()
            page.wait_for_function(
                "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null"
            )
            context.set_offline(True)
            for i in range(count):
                files = {doc: paths[i * len(DOCS) + k] for k, doc in enumerate(DOCS)}
                queue_request(page, f"Warga Antrean {i}", files)
            stored = page.evaluate(LOCAL_SCANS)
        finally:
            context.close()
    if stored["requests"] != count or len(stored["scans"]) != count * len(DOCS):
        raise RuntimeError(f"the outbox holds {stored['requests']} requests, {stored['scans']}")
    return int(sum(stored["scans"]))


def arrived(base: str, count: int) -> str | None:
    """None when the server holds exactly `count` submitted requests, each with its 3 scans."""
    http = requests.Session()
    answer = http.post(
        f"{base}/api/v1/auth/login",
        json={"username": USERS[1][0], "password": PASSWORD},
        timeout=30,
    )
    answer.raise_for_status()
    items = http.get(f"{base}/api/v1/requests?limit=100", timeout=30).json()["items"]
    if len(items) != count or any(i["status"] != "DIAJUKAN" for i in items):
        return f"server holds {len(items)} requests: {[i['status'] for i in items]}"
    for item in items:
        scans = http.get(f"{base}/api/v1/requests/{item['id']}", timeout=30).json()["scans"]
        if len(scans) != len(DOCS) or any(s["state"] != "ok" for s in scans):
            return f"request {item['code']} has scans {[s['state'] for s in scans]}"
    return None


def one_run(
    work: Path, pw: Any, proxy: Proxy, dist: Path, count: int, drops: dict[int, float], n: int
) -> dict[str, Any]:
    data, profile = work / f"sync-data-{n}", work / f"sync-profile-{n}"
    shutil.copytree(work / "sync-data", data)
    shutil.copytree(work / "sync-profile", profile)
    try:
        with serving(["bakso", "--data", str(data), "--dist", str(dist)]) as server:
            proxy.retarget(server.port)
            proxy.reset_counts()
            with proxy.lock:
                proxy.drop_at = dict(drops)
            context = browser.launch(pw, profile)
            started = time.monotonic()
            try:
                page = browser.first_page(context)
                page.goto(proxy.url + "/#/antrean")
                seen_cuts = 0
                while True:
                    if proxy.counts.uploads_cut > seen_cuts:
                        # The device notices the drop: offline for the outage, then online
                        # again, which wakes the outbox at once (the 'online' event).
                        seen_cuts = proxy.counts.uploads_cut
                        context.set_offline(True)
                        time.sleep(proxy.outage)
                        context.set_offline(False)
                    state = page.evaluate(LOCAL_SCANS)
                    if state["requests"] == 0:
                        break
                    if time.monotonic() - started > 300:
                        raise RuntimeError(f"outbox not empty after 300 s: {state['states']}")
                    time.sleep(0.25)
                seconds = time.monotonic() - started
            finally:
                context.close()
            counts = proxy.counts
            problem = arrived(server.url, count)  # straight to the server, not counted
        if problem:
            raise RuntimeError(problem)
        if counts.uploads_cut != len(drops):
            raise RuntimeError(f"{counts.uploads_cut} uploads cut, {len(drops)} planned")
        return {
            "up": counts.up,
            "body": counts.body,
            "down": counts.down,
            "uploads": counts.uploads_started,
            "attempts": counts.attempts,
            "requests": counts.requests,
            "seconds": seconds,
        }
    finally:
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


def run(
    work: Path, *, count: int, runs: int, clean_runs: int = 1, scale: float = 0.45
) -> list[Figure]:
    ratio = Figure(
        "sync.ratio",
        SECTION,
        f"bytes sent ÷ compressed scans, {count} requests × 3 scans, network cut twice mid-upload",
        "x",
        budget=1.05,
        baseline_label="the same without cuts",
        baseline_unit="x",
    )
    took = Figure(
        "sync.seconds",
        SECTION,
        "  time until the outbox was empty",
        "s",
        baseline_label="without cuts",
    )
    figures = [ratio, took]
    why = browser.missing()
    if why:
        return unmeasured(figures, why)
    dist = browser.dist_copy(work / "sync-dist")
    uploads = count * len(DOCS)
    # Cut the 2nd upload, and one two thirds of the way through, each half way through its body.
    drops = {2: 0.5, max(4, uploads * 2 // 3): 0.5}
    proxy = Proxy(0)
    try:
        with browser.playwright() as pw:
            scans = prepare(work, pw, proxy, dist, count, scale)
            cut = [one_run(work, pw, proxy, dist, count, drops, n) for n in range(runs)]
            clean = [one_run(work, pw, proxy, dist, count, {}, runs + n) for n in range(clean_runs)]
    finally:
        proxy.close()
    ratio.runs = [r["up"] / scans for r in cut]
    ratio.value = median(ratio.runs)
    ratio.baseline = median([r["up"] / scans for r in clean]) if clean else None
    typical = sorted(cut, key=lambda r: r["up"])[len(cut) // 2]
    short = [(got, total) for total, got in typical["attempts"] if got < total]
    wasted = sum(got for got, _ in short)
    ratio.note = (
        f"{scans / 1024 / 1024:.2f} MB of scans; the median run sent {typical['up'] / 1024:.0f} KB"
        f" in {typical['requests']} HTTP requests, {len(typical['attempts'])} upload attempts"
        f" for {uploads} scans, of which {len(short)} cut short"
        f" ({', '.join(f'{got / total:.0%}' for got, total in short)} of their bodies,"
        f" {wasted / 1024:.0f} KB in vain); request bodies alone"
        f" {median([r['body'] / scans for r in cut]):.3f}×; all arrived once, checked on the server"
    )
    took.runs = [r["seconds"] for r in cut]
    took.value = median(took.runs)
    took.baseline = median([r["seconds"] for r in clean]) if clean else None
    took.note = f"each cut: connections reset, {proxy.outage:.0f} s offline, then online again"
    return figures
