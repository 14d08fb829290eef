"""§1 PWA weight and §2 load on slow 3G, in Chromium against the real server.

Weight: a first visit on a fresh profile, until the service worker is active (its precache
done) and the wire is quiet. The bytes are counted by a TCP proxy in front of the server
(bench.proxy), so they include everything the device downloads on that visit: the page, its
scripts, the compression worker, the service worker and its precache. The JS and CSS among
those requests are then gzipped (level 9) from the build, as a CDN or API Gateway would serve
them; the local server itself sends them uncompressed.

Load: Chromium with CDP network emulation (400 kbit/s, 400 ms RTT) and a 4× CPU slowdown;
the time from the start of the navigation until the login form is usable (measured in the page
by a MutationObserver, bench.browser.INTERACTIVE_PROBE). First visit on a fresh profile; then
a repeat visit in a new tab while offline. Baseline: a static page with the same form and no
script, served by the same server, loaded the same way.
"""

from __future__ import annotations

import gzip
import shutil
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import browser
from .common import KB, Figure, median, serving, unmeasured
from .proxy import Proxy

SECTION_WEIGHT = "1 PWA weight"
SECTION_LOAD = "2 Load, slow 3G, CPU 4×"


def wait_quiet(proxy: Proxy, quiet: float = 1.0, limit: float = 60.0) -> None:
    end = time.monotonic() + limit
    last = (proxy.counts.up, proxy.counts.down)
    still_since = time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.1)
        now = (proxy.counts.up, proxy.counts.down)
        if now != last:
            last, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return


def first_visit_weight(
    pw: Any, proxy: Proxy, dist: Path, profile: Path, path: str
) -> dict[str, Any]:
    """One first visit; the bytes on the wire and the JS/CSS it fetched (raw and gzipped)."""
    context = browser.launch(pw, profile)
    urls: set[str] = set()
    context.on("request", lambda request: urls.add(request.url))
    try:
        proxy.reset_counts()
        page = browser.first_page(context)
        page.goto(proxy.url + path)
        if path == "/" and not page.evaluate(browser.SW_READY, 60_000):
            raise RuntimeError("no service worker became active on the first visit")
        wait_quiet(proxy)
        counts = proxy.counts
    finally:
        context.close()
    code: dict[str, tuple[int, int]] = {}
    for url in urls:
        name = urlsplit(url).path
        if not name.endswith((".js", ".css")):
            continue
        file = dist / name.lstrip("/")
        if file.is_file():
            raw = file.read_bytes()
            code[name] = (len(raw), len(gzip.compress(raw, compresslevel=9)))
    return {"down": counts.down, "up": counts.up, "requests": counts.requests, "code": code}


def run_weight(work: Path, *, runs: int) -> list[Figure]:
    gz = Figure(
        "pwa.js_css_gzip",
        SECTION_WEIGHT,
        "JS+CSS fetched on the first visit, gzipped (-9)",
        "bytes",
        budget=100 * KB,
        baseline_label="the same, not compressed",
    )
    total = Figure(
        "pwa.first_load_transfer",
        SECTION_WEIGHT,
        "first visit, all bytes received (incl. service worker precache)",
        "bytes",
        baseline_label="bare HTML page with the same form",
    )
    figures = [gz, total]
    why = browser.missing()
    if why:
        return unmeasured(figures, why)
    dist = browser.dist_copy(work / "weight-dist")
    visits: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    with serving(["bakso", "--data", str(work / "weight-data"), "--dist", str(dist)]) as server:
        proxy = Proxy(server.port)
        try:
            with browser.playwright() as pw:
                for n in range(runs):
                    visits.append(first_visit_weight(pw, proxy, dist, work / f"wp{n}", "/"))
                    bares.append(
                        first_visit_weight(pw, proxy, dist, work / f"wb{n}", "/assets/bare.html")
                    )
                    shutil.rmtree(work / f"wp{n}", ignore_errors=True)
                    shutil.rmtree(work / f"wb{n}", ignore_errors=True)
        finally:
            proxy.close()
    gz.runs = [sum(g for _, g in v["code"].values()) for v in visits]
    gz.value = median(gz.runs)
    gz.baseline = median([sum(r for r, _ in v["code"].values()) for v in visits])
    files = sorted(visits[-1]["code"].items())
    gz.note = "; ".join(f"{name.rsplit('/', 1)[-1]} {g / KB:.1f} KB" for name, (_, g) in files)
    total.runs = [v["down"] for v in visits]
    total.value = median(total.runs)
    total.baseline = median([b["down"] for b in bares])
    total.note = (
        f"as the local server sends it (no compression), {visits[-1]['requests']} requests;"
        " counted on the wire by a proxy"
    )
    return figures


def time_to_form(page: Any, url: str, timeout: float = 60_000) -> float:
    """Navigate and return ms from the navigation's start until the login form is usable."""
    page.goto(url, wait_until="commit", timeout=timeout)
    # A function, not an expression: Playwright evaluates an expression string with eval,
    # which the app's CSP (no 'unsafe-eval') refuses.
    page.wait_for_function("() => window.__benchInteractive !== undefined", timeout=timeout)
    return float(page.evaluate("window.__benchInteractive"))


def one_load(pw: Any, base: str, path: str, profile: Path) -> tuple[float, float | None, str]:
    """(first visit ms, offline repeat ms or None, why the repeat failed)."""
    context = browser.launch(pw, profile)
    context.add_init_script(browser.INTERACTIVE_PROBE)
    try:
        page = browser.first_page(context)
        browser.throttle(page, browser.SLOW_3G, browser.CPU_SLOWDOWN)
        first = time_to_form(page, base + path)
        if path == "/" and not page.evaluate(browser.SW_READY, 120_000):
            raise RuntimeError("no service worker became active on the first visit")
        context.set_offline(True)
        again = context.new_page()
        browser.throttle(again, {**browser.SLOW_3G, "offline": True}, browser.CPU_SLOWDOWN)
        try:
            repeat: float | None = time_to_form(again, base + path, timeout=20_000)
            why = ""
        except Exception as exc:  # the baseline page has no service worker to answer offline
            repeat, why = None, str(exc).splitlines()[0][:120]
        return first, repeat, why
    finally:
        context.close()


def run_load(work: Path, *, runs: int) -> list[Figure]:
    first = Figure(
        "load.first_visit",
        SECTION_LOAD,
        "first visit until the login form is usable",
        "s",
        budget=5.0,
        baseline_label="bare HTML page",
    )
    repeat = Figure(
        "load.repeat_offline",
        SECTION_LOAD,
        "repeat visit, offline, until the login form is usable",
        "s",
        budget=1.0,
        baseline_label="bare HTML page",
    )
    figures = [first, repeat]
    why = browser.missing()
    if why:
        return unmeasured(figures, why)
    dist = browser.dist_copy(work / "load-dist")
    app: list[tuple[float, float | None, str]] = []
    bare: list[tuple[float, float | None, str]] = []
    with (
        serving(["bakso", "--data", str(work / "load-data"), "--dist", str(dist)]) as server,
        browser.playwright() as pw,
    ):
        for n in range(runs):
            app.append(one_load(pw, server.url, "/", work / f"lp{n}"))
            bare.append(one_load(pw, server.url, "/assets/bare.html", work / f"lb{n}"))
            shutil.rmtree(work / f"lp{n}", ignore_errors=True)
            shutil.rmtree(work / f"lb{n}", ignore_errors=True)
    first.runs = [a[0] / 1000 for a in app]
    first.value = median(first.runs)
    first.baseline = median([b[0] / 1000 for b in bare])
    first.note = "400 kbit/s, 400 ms RTT (CDP); service worker precache not throttled"
    if any(a[1] is None for a in app):
        repeat.note = f"the app did not load offline: {next(a[2] for a in app if a[1] is None)}"
        repeat.value = None
    else:
        repeat.runs = [float(a[1]) / 1000 for a in app if a[1] is not None]
        repeat.value = median(repeat.runs)
    bare_repeats = [b[1] / 1000 for b in bare if b[1] is not None]
    if bare_repeats:
        repeat.baseline = median(bare_repeats)
    else:
        repeat.note = (repeat.note + "; " if repeat.note else "") + (
            f"baseline page fails offline without a service worker ({bare[0][2]})"
        )
    return figures
