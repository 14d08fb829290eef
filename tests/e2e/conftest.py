"""Browser tests: Debian's Chromium, headless, driven by Playwright, against a real server.

They need /usr/bin/chromium (`make browser`) and a built PWA (`make pwa`); without either
they fail and say so, never skip. Run them with `make e2e` (or `pytest tests/e2e -m e2e`):
the plain `pytest` run deselects them (pyproject's addopts) to stay fast.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import BrowserContext, Playwright, sync_playwright
from werkzeug.serving import make_server

from helpers import PASSWORD, USERS, close_app, make_app, services_of

CHROMIUM = os.environ.get("BAKSO_CHROMIUM", "/usr/bin/chromium")
DIST = Path(__file__).resolve().parents[2] / "pwa" / "dist"
# DESIGN §8: as root Chromium needs --no-sandbox; the rest silences background traffic on a
# closed network.
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


@pytest.fixture(scope="session", autouse=True)
def _prerequisites() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium).")
    if not (DIST / "index.html").is_file():
        pytest.fail(f"{DIST} is missing: run `make pwa` to build the PWA.")


class Server:
    def __init__(self, app: Flask, url: str, dist: Path) -> None:
        self.app = app
        self.url = url
        self.dist = dist

    @property
    def services(self) -> Any:
        return services_of(self.app)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A fresh app (own data folder, own copy of the PWA build) behind a real HTTP server."""
    dist = tmp_path / "dist"
    shutil.copytree(DIST, dist)
    app = make_app(tmp_path / "data", PWA_DIST=str(dist))
    accounts = services_of(app).accounts
    for username, role, desa in USERS:
        accounts.create_user(username, role, desa, PASSWORD)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield Server(app, f"http://127.0.0.1:{http.server_port}", dist)
    http.shutdown()
    thread.join()
    http.server_close()
    close_app(app)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


Launcher = Callable[..., BrowserContext]


@pytest.fixture
def launch(playwright: Playwright, tmp_path: Path) -> Iterator[Launcher]:
    """`launch()` opens Chromium on a persistent profile (the same one each call in a test),
    so closing and launching again is "the browser was closed and reopened"."""
    opened: list[BrowserContext] = []
    profile = tmp_path / "profile"

    def open_context(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {
            "executable_path": CHROMIUM,
            "headless": True,
            "args": FLAGS,
            "viewport": PHONE,
            "locale": "id-ID",
            "service_workers": "allow",
        }
        settings.update(options)
        context = playwright.chromium.launch_persistent_context(str(profile), **settings)
        context.set_default_timeout(15_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            context.close()
