"""The loket PWA (pwa/, built by `make pwa` into pwa/dist), served at / on the API's origin.

Hashed assets are cached for a year; everything whose name does not change between
versions (index.html, sw.js, the manifest) must be revalidated, or a device could keep an
old service worker for a day. The service worker itself decides when a new version takes
over (only when the operator presses "Muat ulang").
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, render_template, send_from_directory

from .. import __version__

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_DIST = REPO_ROOT / "pwa" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

mimetypes.add_type("application/manifest+json", ".webmanifest")


def init_pwa(app: Flask) -> None:
    dist = Path(app.config.get("PWA_DIST") or DEFAULT_DIST)  # BAKSO_PWA_DIST, read by config.load()

    @app.get("/")
    def pwa_index() -> Response:
        index = dist / "index.html"
        if not index.is_file():
            # A fresh clone before `make pwa`: say how to build rather than fail.
            response = Response(
                render_template("index.html", version=__version__, dist=str(dist)), status=503
            )
        else:
            response = send_from_directory(dist, "index.html", max_age=0)
        response.headers["Cache-Control"] = REVALIDATE
        return response

    # The service worker precaches index.html by that name.
    @app.get("/<any('index.html', 'sw.js', 'manifest.webmanifest'):name>")
    def pwa_root_file(name: str) -> Response:
        response = send_from_directory(dist, name, max_age=0)
        response.headers["Cache-Control"] = REVALIDATE
        if name == "sw.js":
            response.headers["Service-Worker-Allowed"] = "/"
        return response

    @app.get("/assets/<path:name>")
    def pwa_asset(name: str) -> Response:
        response = send_from_directory(dist / "assets", name)
        response.headers["Cache-Control"] = IMMUTABLE
        return response

    @app.get("/icons/<path:name>")
    def pwa_icon(name: str) -> Response:
        if not name.endswith(".png"):
            abort(404)
        response = send_from_directory(dist / "icons", name, max_age=86400)
        return response
