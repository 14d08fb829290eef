"""The real build (`make pwa`): its br/gz copies, and a precache that holds the operator's
offline app and none of the online-only screens (pwa/vite.config.ts, onlineOnlyChunks).

Here rather than in tests/public because only `make e2e` builds the PWA first."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import brotli
from playwright.sync_api import expect

from e2e.conftest import DIST, Launcher, Server
from e2e.ui import E2E, login, wait_for_service_worker
from helpers import PASSWORD

pytestmark = E2E

TEXT = (".js", ".css", ".html", ".webmanifest", ".svg", ".json")
# Dukcapil's screens (an office PC), the coverage figures (from the API) and the overseer's
# reports (#19): online only.
ONLINE_ONLY = (
    "src/screens/dukcapil/index.tsx",
    "src/screens/coverage.tsx",
    "src/screens/reports.tsx",
)
# The operator's screens past home: a lazy chunk, precached (DESIGN §6: not on the login screen).
OPERATOR_SCREENS = "src/screens/operator.tsx"


def precached() -> set[str]:
    sw = (DIST / "sw.js").read_text(encoding="utf-8")
    urls = set(re.findall(r"""["']?url["']?\s*:\s*["']([^"']+)["']""", sw))
    assert urls, "no precache manifest found in dist/sw.js"
    return urls


def vite_manifest() -> dict[str, Any]:
    path = DIST / ".vite" / "manifest.json"
    assert path.is_file(), f"{path} is missing: rebuild with `make pwa`"
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def files_of(entry: dict[str, Any]) -> set[str]:
    return {entry["file"], *entry.get("css", [])}


def reached(
    manifest: dict[str, Any], start: str, *, lazy: bool, skip: tuple[str, ...] = ()
) -> set[str]:
    """The files of `start` and of what it imports (with `lazy`, also through import())."""
    files: set[str] = set()
    todo, seen = [start], set()
    while todo:
        key = todo.pop()
        if key in seen or key in skip:
            continue
        seen.add(key)
        files |= files_of(manifest[key])
        todo += manifest[key].get("imports", [])
        if lazy:
            todo += manifest[key].get("dynamicImports", [])
            files |= set(manifest[key].get("assets", []))  # the compression worker
    return files


def test_every_text_file_of_the_build_has_br_and_gz_copies_that_decode_to_it() -> None:
    built = [
        p for p in DIST.rglob("*") if p.suffix in TEXT and ".vite" not in p.relative_to(DIST).parts
    ]
    assert {p.suffix for p in built} >= {".js", ".css", ".html", ".webmanifest"}
    for path in built:
        data = path.read_bytes()
        assert brotli.decompress((path.parent / f"{path.name}.br").read_bytes()) == data, path
        assert gzip.decompress((path.parent / f"{path.name}.gz").read_bytes()) == data, path


def test_the_precache_holds_the_operators_chunks_and_no_online_only_one() -> None:
    manifest = vite_manifest()
    urls = precached()
    # The operator's screens (their own chunk), the QR encoder, the compression worker.
    operator = reached(manifest, "index.html", lazy=True, skip=ONLINE_ONLY)
    online_only = set().union(*(files_of(manifest[source]) for source in ONLINE_ONLY))

    assert files_of(manifest[OPERATOR_SCREENS]) <= operator
    assert operator - urls == set(), "operator chunks missing from the precache"
    assert online_only & urls == set(), "online-only chunks precached"
    assert {"index.html", "manifest.webmanifest"} <= urls
    assert [u for u in urls if u.endswith((".br", ".gz"))] == []
    assert [u for u in urls if "512" in u] == []  # the install icons are fetched online


def test_the_browser_gets_brotli_and_the_worker_caches_no_dukcapil_code(
    server: Server, launch: Launcher
) -> None:
    dukcapil = {Path(f).name for f in files_of(vite_manifest()["src/screens/dukcapil/index.tsx"])}
    context = launch()
    page = context.new_page()
    codings: dict[str, str | None] = {}
    page.on(
        "response",
        lambda r: (
            codings.__setitem__(r.url, r.headers.get("content-encoding"))
            if "/assets/" in r.url
            else None
        ),
    )
    login(page, server.url)
    wait_for_service_worker(page)
    scripts = {url: coding for url, coding in codings.items() if url.endswith(".js")}
    assert scripts and set(scripts.values()) == {"br"}, scripts
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
          }
          return urls;
        }"""
    )
    names = {url.split("?")[0].rsplit("/", 1)[-1] for url in cached}
    assert any(n.startswith("index-") and n.endswith(".js") for n in names), names
    assert names & dukcapil == set(), names
    page.close()

    # An officer still gets the Dukcapil screens, from the network.
    officer = context.new_page()
    officer.goto(server.url + "/#/masuk")
    expect(officer.locator("#username")).to_be_visible(timeout=30_000)
    officer.fill("#username", "dukcapil")
    officer.fill("#password", PASSWORD)
    officer.get_by_role("button", name="Masuk").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Paket berkas")


def test_the_login_screen_fetches_only_the_core_and_the_worker_the_rest_at_once(
    server: Server, launch: Launcher
) -> None:
    """A first visit: the page fetches the entry chunk, what it imports and the CSS, no more
    (no operator screen, no photo worker: DESIGN §6); the service worker, registered before
    the app reads IndexedDB, precaches the rest, so every screen opens offline next time."""
    manifest = vite_manifest()
    login_files = reached(manifest, "index.html", lazy=False)
    assert not files_of(manifest[OPERATOR_SCREENS]) & login_files
    context = launch()
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url.split(server.url + "/", 1)[-1]))
    page.goto(server.url + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)
    wait_for_service_worker(page)
    code = {url for url in fetched if url.endswith((".js", ".css"))}
    assert code == login_files, code
    cached = page.evaluate(
        """async () => {
          const urls = [];
          for (const name of await caches.keys()) {
            for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
          }
          return urls;
        }"""
    )
    names = {url.split("?")[0].split(server.url + "/", 1)[-1] for url in cached}
    assert precached() <= names, precached() - names
