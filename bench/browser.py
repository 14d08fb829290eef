"""Chromium for the browser figures: Debian's build through Playwright, as tests/e2e launch it
(DESIGN §8), on a throwaway persistent profile so service workers and IndexedDB behave as on
a device. CDP gives the network and CPU emulation."""

from __future__ import annotations

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

# Records when the login form is usable: both fields and an enabled submit button in the DOM.
# Installed before any page script, so the time is the page's own (performance.now(), i.e.
# from the start of the navigation), not when Playwright's polling happened to look.
INTERACTIVE_PROBE = """
(() => {
  const ready = () => {
    const form = document.querySelector('form');
    const button = form && form.querySelector('button[type=submit]:not([disabled])');
    return !!(document.querySelector('#username') && document.querySelector('#password') && button);
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
})();
"""

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


def launch(pw: Any, profile: Path, **options: Any) -> Any:
    settings: dict[str, Any] = {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": FLAGS,
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
