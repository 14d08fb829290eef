"""The loket PWA (pwa/, built by `make pwa` into pwa/dist), served at / on the API's origin.

Hashed assets are cached for a year; everything whose name does not change between
versions (index.html, sw.js, the manifest) must be revalidated, or a device could keep an
old service worker for a day. The service worker itself decides when a new version takes
over (only when the operator presses "Muat ulang").
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, render_template, request, send_from_directory
from werkzeug.security import safe_join

from .. import __version__
from ..compression import encoding_for
from .kabupaten_texts import listed

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIST = REPO_ROOT / "pwa" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# What the build precompresses (pwa/scripts/compress.mjs lists the same).
COMPRESSIBLE = frozenset({".js", ".css", ".html", ".webmanifest", ".svg", ".json"})
CODED_SUFFIX = {"br": ".br", "gzip": ".gz"}

mimetypes.add_type("application/manifest+json", ".webmanifest")

_FALLBACK_STYLE = re.search(
    r"<style>(.*?)</style>",
    (Path(__file__).parent / "templates" / "index.html").read_text(encoding="utf-8"),
    re.S,
)
FALLBACK_CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(
        hashlib.sha256((_FALLBACK_STYLE.group(1) if _FALLBACK_STYLE else "").encode()).digest()
    ).decode()
    + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _fresh_copy(original: Path, copy: Path) -> bool:
    """A compressed copy made from this original: one older than it (the original rewritten
    after the build, by hand or by a partial deploy) would send the old bytes, e.g. an old
    sw.js that keeps every device on the old version."""
    try:
        return copy.stat().st_mtime >= original.stat().st_mtime
    except FileNotFoundError:
        return False


def send_built(directory: Path, name: str, **options: Any) -> Response:
    """A build file, in the coding the client prefers when the build made a copy in it."""
    found = safe_join(str(directory), name)
    if found is None or not Path(found).is_file() or name.endswith((".br", ".gz")):
        abort(404)  # the copies are sent only as their original, with Content-Encoding
    coding = encoding_for(request) if Path(name).suffix in COMPRESSIBLE else None
    coded = f"{name}{CODED_SUFFIX[coding]}" if coding else None
    if coding and coded and _fresh_copy(Path(found), directory / coded):
        mimetype = mimetypes.guess_type(name)[0]
        response = send_from_directory(directory, coded, mimetype=mimetype, **options)
        if response.status_code != 304:  # a 304 carries no content headers
            response.headers["Content-Encoding"] = coding
    else:
        response = send_from_directory(directory, name, **options)
    response.vary.add("Accept-Encoding")
    return response


def init_pwa(app: Flask) -> None:
    dist = Path(app.config.get("PWA_DIST") or DEFAULT_DIST)  # BAKSO_PWA_DIST, read by config.load()

    @app.get("/")
    def pwa_index() -> Response:
        index = dist / "index.html"
        if not index.is_file():
            # A fresh clone before `make pwa`: say how to build rather than fail.
            response = Response(
                render_template(
                    "index.html",
                    version=__version__,
                    dist=str(dist),
                    kabupaten_short=listed([k.short_name for k in app.extensions["bakso"].tenants]),
                ),
                status=503,
            )
            # Its one inline <style>, which the shell's policy (security_headers) would block.
            response.headers["Content-Security-Policy"] = FALLBACK_CSP
        else:
            response = send_built(dist, "index.html", max_age=0)
        response.headers["Cache-Control"] = REVALIDATE
        return response

    # The service worker precaches index.html by that name.
    @app.get("/<any('index.html', 'sw.js', 'manifest.webmanifest'):name>")
    def pwa_root_file(name: str) -> Response:
        response = send_built(dist, name, max_age=0)
        response.headers["Cache-Control"] = REVALIDATE
        if name == "sw.js":
            response.headers["Service-Worker-Allowed"] = "/"
        return response

    @app.get("/assets/<path:name>")
    def pwa_asset(name: str) -> Response:
        response = send_built(dist / "assets", name)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    @app.get("/icons/<path:name>")
    def pwa_icon(name: str) -> Response:
        if not name.endswith(".png"):
            abort(404)
        response = send_from_directory(dist / "icons", name, max_age=86400)
        return response
