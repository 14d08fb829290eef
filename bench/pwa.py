"""§1 PWA weight and §2 load on slow 3G, in Chromium against the real server: what a phone
receives and waits for.

Weight: a first visit on a fresh profile, counted by Chromium itself through a browser-level
CDP connection (bench.cdp) that sees the page, its dedicated workers and the service worker:
each response's `encodedDataLength` (headers and body, compressed as served). The visit lasts
until the service worker is active with its whole precache and the wire is quiet. The login
screen's figure is the JS and CSS the page and its workers fetched (not the service worker's
precache); the operator's first screen is every byte from pressing "Masuk" until the home
screen shows and the wire is quiet. The browser talks to a counting proxy (bench.proxy) as its
origin. The whole visit's figure is the proxy's count of the bytes it delivered: it holds
what no CDP target reports (Chromium's own update check of `sw.js` after the install);
Chromium's own sum is printed beside it.

Load: the same proxy shapes every byte at slow 3G (400 kbit/s each way, 400 ms round trip; the
service worker's traffic too), and the page's CPU is slowed 4× (CDP). Times run from the start
of the navigation (`performance.now()` in the page): until the login form is usable, and until
the app is offline-capable (the service worker activated and every URL of its precache
manifest in Cache Storage). Then a repeat visit in a new tab while offline. Baseline: a static
page with the same form and no script, served and shaped the same way.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

from . import browser
from .cdp import NetworkLog, Response, wire_bytes
from .common import KB, Figure, median, serving, unmeasured
from .proxy import Proxy, Shape
from .serve import PASSWORD, USERS

SECTION_WEIGHT = "1 PWA weight"
SECTION_LOAD = "2 Load, slow 3G, CPU 4×"
SLOW_3G = Shape(kbit=400, rtt=0.4)


def wait_quiet(proxy: Proxy, quiet: float = 1.5, limit: float = 60.0) -> None:
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


def precache_urls(dist: Path) -> list[str]:
    """The URLs of the precache manifest injected into the built sw.js."""
    text = (dist / "sw.js").read_text()
    found = re.findall(r'\{"revision":(?:"[0-9a-f]+"|null),"url":"([^"]+)"\}', text)
    if not found:
        raise RuntimeError("no precache manifest found in sw.js")
    return list(dict.fromkeys(found))


def is_code(response: Response) -> bool:
    return response.kind in ("Script", "Stylesheet") or response.path.endswith((".js", ".css"))


def login(page: Any) -> None:
    page.fill("#username", USERS[0][0])
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("heading", level=1).filter(has_text="Halo").wait_for()


def first_visit_weight(
    pw: Any, proxy: Proxy, profile: Path, path: str, manifest: list[str]
) -> dict[str, Any]:
    """One first visit on a fresh profile, and for the app the operator's first screen."""
    context = browser.launch(pw, profile, cdp=True)
    context.add_init_script(browser.offline_probe(manifest))
    log = NetworkLog(profile)
    try:
        proxy.reset_counts()
        page = browser.first_page(context)
        log.wait_enabled()
        start = time.monotonic()
        page.goto(proxy.url + path)
        if path == "/":
            wait_offline(page, 60_000)
        wait_quiet(proxy)
        visit = log.since(start)
        result: dict[str, Any] = {
            "wire": wire_bytes(visit),
            "proxy": proxy.counts.down,
            "proxy_requests": proxy.counts.requests,
            "code": sorted(
                (r.path, r.encoded)
                for r in visit
                if r.target != "service_worker" and is_code(r) and not r.from_service_worker
            ),
            "precache": wire_bytes([r for r in visit if r.target == "service_worker"]),
        }
        if path == "/":
            clicked = time.monotonic()
            login(page)
            wait_quiet(proxy)
            screen = log.since(clicked)
            result["operator"] = wire_bytes(screen)
            result["operator_requests"] = len([r for r in screen if r.encoded])
        return result
    finally:
        log.close()
        context.close()


def run_weight(work: Path, *, runs: int) -> list[Figure]:
    login_code = Figure(
        "pwa.login_js_css",
        SECTION_WEIGHT,
        "login screen: JS+CSS on the wire (page and its workers)",
        "bytes",
        budget=50 * KB,
        baseline_label="the same files as built, uncompressed",
    )
    total = Figure(
        "pwa.first_visit_wire",
        SECTION_WEIGHT,
        "first visit: all bytes on the wire, service worker precache included",
        "bytes",
        budget=100 * KB,
        baseline_label="bare HTML page with the same form",
    )
    operator = Figure(
        "pwa.operator_first_screen",
        SECTION_WEIGHT,
        "operator's first screen after login: bytes on the wire",
        "bytes",
    )
    figures = [login_code, total, operator]
    why = browser.missing()
    if why:
        return unmeasured(figures, why)
    dist = browser.dist_copy(work / "weight-dist")
    manifest = precache_urls(dist)
    visits: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    with serving(["bakso", "--data", str(work / "weight-data"), "--dist", str(dist)]) as server:
        proxy = Proxy(server.port)
        try:
            with browser.playwright() as pw:
                for n in range(runs):
                    visits.append(first_visit_weight(pw, proxy, work / f"wp{n}", "/", manifest))
                    bares.append(
                        first_visit_weight(
                            pw, proxy, work / f"wb{n}", "/assets/bare.html", manifest
                        )
                    )
                    shutil.rmtree(work / f"wp{n}", ignore_errors=True)
                    shutil.rmtree(work / f"wb{n}", ignore_errors=True)
        finally:
            proxy.close()
    last = visits[-1]
    login_code.runs = [float(sum(size for _, size in v["code"])) for v in visits]
    login_code.value = median(login_code.runs)
    built = [dist / name.lstrip("/") for name, _ in last["code"]]
    login_code.baseline = float(sum(file.stat().st_size for file in built if file.is_file()))
    login_code.note = "; ".join(
        f"{name.rsplit('/', 1)[-1]} {size / KB:.1f} KB" for name, size in last["code"]
    )
    # The proxy's count is the figure: it also holds what no CDP target reports (the browser's
    # own update check of sw.js); Chromium's sum is printed beside it.
    total.runs = [float(v["proxy"]) for v in visits]
    total.value = median(total.runs)
    total.baseline = median([float(b["proxy"]) for b in bares])
    total.note = (
        f"bytes received through the proxy, {last['proxy_requests']} responses; Chromium's own"
        f" count (CDP encodedDataLength, every target) {last['wire'] / KB:.1f} KB, of which the"
        f" service worker's {last['precache'] / KB:.1f} KB"
    )
    operator.runs = [float(v["operator"]) for v in visits]
    operator.value = median(operator.runs)
    operator.note = (
        f"{last['operator_requests']} responses from pressing Masuk until the home screen"
        " and a quiet wire"
    )
    return figures


def visit_times(page: Any, url: str, offline_ready: bool, timeout: float) -> tuple[float, float]:
    """Navigate; (ms until the login form is usable, ms until offline-capable or 0)."""
    page.goto(url, wait_until="commit", timeout=timeout)
    # Functions, not expressions: Playwright evaluates an expression string with eval,
    # which the app's CSP (no 'unsafe-eval') refuses.
    page.wait_for_function("() => window.__benchInteractive !== undefined", timeout=timeout)
    usable = float(page.evaluate("() => window.__benchInteractive"))
    if not offline_ready:
        return usable, 0.0
    return usable, wait_offline(page, timeout)


def wait_offline(page: Any, timeout: float) -> float:
    """Ms from the navigation's start until the page saw the app offline-capable."""
    try:
        page.wait_for_function("() => window.__benchOffline !== undefined", timeout=timeout)
    except Exception as exc:
        missing = page.evaluate("() => window.__benchMissing || 'no active service worker'")
        raise RuntimeError(f"not offline-capable; missing from the caches: {missing}") from exc
    return float(page.evaluate("() => window.__benchOffline"))


def one_load(
    pw: Any, proxy: Proxy, path: str, profile: Path, manifest: list[str]
) -> tuple[float, float, float | None, str]:
    """(login usable ms, offline-capable ms, offline repeat ms or None, why it failed)."""
    context = browser.launch(pw, profile)
    context.add_init_script(browser.INTERACTIVE_PROBE)
    context.add_init_script(browser.offline_probe(manifest))
    try:
        page = browser.first_page(context)
        browser.throttle(page, None, browser.CPU_SLOWDOWN)
        usable, ready = visit_times(page, proxy.url + path, path == "/", 120_000)
        context.set_offline(True)
        again = context.new_page()
        browser.throttle(again, {**browser.SLOW_3G, "offline": True}, browser.CPU_SLOWDOWN)
        try:
            repeat: float | None = visit_times(again, proxy.url + path, False, 20_000)[0]
            why = ""
        except Exception as exc:  # the baseline page has no service worker to answer offline
            repeat, why = None, str(exc).splitlines()[0][:120]
        return usable, ready, repeat, why
    finally:
        context.close()


def run_load(work: Path, *, runs: int) -> list[Figure]:
    first = Figure(
        "load.first_visit",
        SECTION_LOAD,
        "first visit until the login form is usable",
        "s",
        budget=3.0,
        baseline_label="bare HTML page",
    )
    offline = Figure(
        "load.offline_capable",
        SECTION_LOAD,
        "first visit until offline-capable (service worker active, precache complete)",
        "s",
        budget=6.0,
        baseline_label="the login form usable, same runs",
    )
    repeat = Figure(
        "load.repeat_offline",
        SECTION_LOAD,
        "repeat visit, offline, until the login form is usable",
        "s",
        budget=1.0,
        baseline_label="bare HTML page",
    )
    figures = [first, offline, repeat]
    why = browser.missing()
    if why:
        return unmeasured(figures, why)
    dist = browser.dist_copy(work / "load-dist")
    manifest = precache_urls(dist)
    app: list[tuple[float, float, float | None, str]] = []
    bare: list[tuple[float, float, float | None, str]] = []
    downs: list[int] = []
    with (
        serving(["bakso", "--data", str(work / "load-data"), "--dist", str(dist)]) as server,
        browser.playwright() as pw,
    ):
        proxy = Proxy(server.port, shape=SLOW_3G)
        try:
            for n in range(runs):
                proxy.reset_counts()
                app.append(one_load(pw, proxy, "/", work / f"lp{n}", manifest))
                downs.append(proxy.counts.down)
                bare.append(one_load(pw, proxy, "/assets/bare.html", work / f"lb{n}", manifest))
                shutil.rmtree(work / f"lp{n}", ignore_errors=True)
                shutil.rmtree(work / f"lb{n}", ignore_errors=True)
        finally:
            proxy.close()
    first.runs = [a[0] / 1000 for a in app]
    first.value = median(first.runs)
    first.baseline = median([b[0] / 1000 for b in bare])
    first.note = (
        f"{SLOW_3G.kbit:.0f} kbit/s each way, {SLOW_3G.rtt * 1000:.0f} ms RTT on every byte (a"
        " shaping proxy, the service worker's traffic included); CPU 4× (CDP) on the page"
    )
    offline.runs = [a[1] / 1000 for a in app]
    offline.value = median(offline.runs)
    offline.baseline = first.value
    offline.note = (
        f"{len(manifest)} precache URLs checked in Cache Storage from the page;"
        f" {median([float(d) for d in downs]) / KB:.1f} KB through the shaper per visit"
    )
    if any(a[2] is None for a in app):
        repeat.note = f"the app did not load offline: {next(a[3] for a in app if a[2] is None)}"
        repeat.value = None
    else:
        repeat.runs = [float(a[2]) / 1000 for a in app if a[2] is not None]
        repeat.value = median(repeat.runs)
    bare_repeats = [b[2] / 1000 for b in bare if b[2] is not None]
    if bare_repeats:
        repeat.baseline = median(bare_repeats)
    else:
        repeat.note = (repeat.note + "; " if repeat.note else "") + (
            f"baseline page fails offline without a service worker ({bare[0][3]})"
        )
    return figures
