"""Chromium for the browser figures: Debian's build through Playwright, as tests/e2e launch it
(DESIGN §8), on a throwaway persistent profile so service workers and IndexedDB behave as on
a device. CDP gives the network and CPU emulation."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import REPO

CHROMIUM = os.environ.get("BAKSO_CHROMIUM", "/usr/bin/chromium")
DIST = REPO / "pwa" / "dist"
FLAGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
if os.geteuid() == 0:
    FLAGS.append("--no-sandbox")
PHONE = {"width": 360, "height": 640}

# Slow 3G as the issue puts it: 400 kbit/s both ways, 400 ms round trip; a 4× slower CPU.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1000 / 8,
    "uploadThroughput": 400 * 1000 / 8,
}
CPU_SLOWDOWN = 4

# Records when the login form is usable: both fields and the submit button rendered, visible
# (laid out, not hidden) and enabled. Installed before any page script, so the time is the
# page's own (performance.now(), i.e. from the start of the navigation), not when Playwright's
# polling happened to look.
INTERACTIVE_PROBE = """
(() => {
  const usable = (el) => !!el && !el.disabled && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const ready = () => {
    const user = document.querySelector('#username');
    const form = user && user.form;
    const button = form && form.querySelector('button[type=submit]');
    return usable(user) && usable(document.querySelector('#password')) && usable(button);
  };
  const mark = () => {
    if (window.__benchInteractive === undefined && ready()) {
      window.__benchInteractive = performance.now();
      return true;
    }
    return false;
  };
  const watch = () => {
    if (mark()) return;
    new MutationObserver((_, observer) => { if (mark()) observer.disconnect(); })
      .observe(document, { childList: true, subtree: true, attributes: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
  watch();
  // A stylesheet arriving changes no DOM: look now and then as well.
  const timer = setInterval(() => {
    if (mark() || window.__benchInteractive !== undefined) clearInterval(timer);
  }, 50);
})();
"""

# Records when the app is offline-capable: its service worker activated and every URL of the
# precache manifest (MANIFEST, from the built sw.js) in Cache Storage. Workbox keys a
# revisioned entry as url?__WB_REVISION__=…; that parameter is ignored here.
OFFLINE_PROBE = """
(() => {
  if (!location.protocol.startsWith('http') || !navigator.serviceWorker) return;
  const wanted = MANIFEST.map((url) => new URL(url, location.origin).href);
  const missing = async () => {
    const have = new Set();
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) {
        const url = new URL(request.url);
        url.searchParams.delete('__WB_REVISION__');
        have.add(url.href);
      }
    }
    return wanted.filter((url) => !have.has(url));
  };
  navigator.serviceWorker.ready.then(async (registration) => {
    for (;;) {
      if (registration.active && registration.active.state === 'activated') {
        const left = await missing();
        if (!left.length) { window.__benchOffline = performance.now(); return; }
        window.__benchMissing = left;
      }
      await new Promise((ok) => setTimeout(ok, 50));
    }
  });
})();
"""


def offline_probe(manifest: list[str]) -> str:
    return OFFLINE_PROBE.replace("MANIFEST", json.dumps(manifest))


SW_READY = """
(ms) => Promise.race([
  navigator.serviceWorker ? navigator.serviceWorker.ready.then((r) => !!r.active) : false,
  new Promise((ok) => setTimeout(() => ok(false), ms)),
])
"""


def missing() -> str | None:
    """Why the browser figures cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (make browser)"
    if not (DIST / "index.html").is_file():
        return "pwa/dist is missing (make pwa)"
    return None


def dist_copy(target: Path) -> Path:
    """A copy of the PWA build with the baseline page beside the app's assets."""
    shutil.copytree(DIST, target)
    (target / "assets" / "bare.html").write_text(BARE_PAGE)
    return target


# The baseline of the load figures: a static page with the same form and no script at all.
BARE_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Masuk</title></head>
<body><form><label for="username">Nama pengguna</label><input id="username">
<label for="password">Kata sandi</label><input id="password" type="password">
<button type="submit">Masuk</button></form></body></html>
"""


@contextmanager
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


def launch(pw: Any, profile: Path, cdp: bool = False, **options: Any) -> Any:
    """Chromium on `profile`; with `cdp`, also listening for bench.cdp's own connection."""
    settings: dict[str, Any] = {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [*FLAGS, "--remote-debugging-port=0"] if cdp else FLAGS,
        "viewport": PHONE,
        "locale": "id-ID",
        "service_workers": "allow",
    }
    settings.update(options)
    context = pw.chromium.launch_persistent_context(str(profile), **settings)
    context.set_default_timeout(60_000)
    return context


def throttle(page: Any, network: dict[str, Any] | None, cpu: float | None) -> Any:
    """Emulate a slow network and CPU on this page through CDP; returns the CDP session."""
    cdp = page.context.new_cdp_session(page)
    if network is not None:
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", network)
    if cpu is not None:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
    return cdp


def first_page(context: Any) -> Any:
    return context.pages[0] if context.pages else context.new_page()
