"""The loket PWA's build, served by Flask at / on the API's origin."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from bakso.security_headers import shell_csp
from helpers import close_app, make_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_text("<!doctype html><title>BAKSO</title>")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "manifest.webmanifest").write_text('{"name": "BAKSO"}')
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


class Client:
    """Reads each file response whole and closes it (send_file keeps the file open)."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()

    def get(self, path: str) -> TestResponse:
        response = self.client.get(path)
        response.get_data()
        response.close()
        return response


def client_for(tmp_path: Path, dist: Path) -> tuple[Flask, Client]:
    app = make_app(tmp_path / "data", PWA_DIST=str(dist))
    return app, Client(app)


def test_index_is_the_built_app_and_always_revalidated(tmp_path: Path, dist: Path) -> None:
    app, client = client_for(tmp_path, dist)
    try:
        for path in ("/", "/index.html"):
            response = client.get(path)
            assert response.status_code == 200
            assert b"<title>BAKSO</title>" in response.data
            assert response.headers["Cache-Control"] == "no-cache"
    finally:
        close_app(app)


def test_service_worker_is_served_at_the_root_scope_uncached(tmp_path: Path, dist: Path) -> None:
    app, client = client_for(tmp_path, dist)
    try:
        response = client.get("/sw.js")
        assert response.status_code == 200
        assert response.mimetype in ("text/javascript", "application/javascript")
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"
        manifest = client.get("/manifest.webmanifest")
        assert manifest.mimetype == "application/manifest+json"
        assert manifest.headers["Cache-Control"] == "no-cache"
    finally:
        close_app(app)


def test_hashed_assets_are_immutable_and_unknown_files_are_404(tmp_path: Path, dist: Path) -> None:
    app, client = client_for(tmp_path, dist)
    try:
        asset = client.get("/assets/index-abc123.js")
        assert asset.status_code == 200
        assert "immutable" in asset.headers["Cache-Control"]
        assert client.get("/icons/icon-192.png").status_code == 200
        assert client.get("/assets/missing.js").status_code == 404
        assert client.get("/assets/../index.html").status_code == 404
        assert client.get("/icons/secret.txt").status_code == 404
    finally:
        close_app(app)


def test_missing_build_explains_how_to_build_instead_of_failing(tmp_path: Path) -> None:
    app, client = client_for(tmp_path, tmp_path / "no-dist")
    try:
        response = client.get("/")
        assert response.status_code == 503
        assert "make pwa" in response.get_data(as_text=True)
        assert "GRATIS" in response.get_data(as_text=True)
    finally:
        close_app(app)


def directives(response: TestResponse) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parsed}


def test_the_shell_and_its_service_worker_carry_a_strict_csp(tmp_path: Path, dist: Path) -> None:
    app, client = client_for(tmp_path, dist)
    try:
        for path in ("/", "/index.html", "/sw.js"):
            response = client.get(path)
            assert directives(response) == {
                "default-src": ["'self'"],
                "script-src": ["'self'"],
                "style-src": ["'self'"],
                "img-src": ["'self'", "blob:", "data:"],
                "connect-src": ["'self'"],  # the local set's signed URLs are on this server
                "worker-src": ["'self'"],
                "object-src": ["'none'"],
                "frame-ancestors": ["'none'"],
                "base-uri": ["'none'"],
                "form-action": ["'self'"],
            }, path
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "strict-origin"
        for path in ("/assets/index-abc123.js", "/manifest.webmanifest", "/icons/icon-192.png"):
            assert client.get(path).headers["X-Content-Type-Options"] == "nosniff", path
    finally:
        close_app(app)


def test_on_aws_the_shell_may_send_uploads_to_its_bucket_only() -> None:
    settings = {"ADAPTERS": "aws", "BUCKET_NAME": "bakso-blobs", "AWS_REGION": "ap-southeast-3"}
    assert "connect-src 'self' https://bakso-blobs.s3.ap-southeast-3.amazonaws.com;" in (
        shell_csp(settings)
    )
    moved = shell_csp({**settings, "BLOB_ORIGIN": "https://blobs.example.org"})
    assert "connect-src 'self' https://blobs.example.org;" in moved


def test_the_shell_source_needs_nothing_the_csp_refuses() -> None:
    # Inline scripts, inline style attributes and <style> blocks would all be blocked.
    for index in (REPO / "pwa" / "index.html", REPO / "pwa" / "dist" / "index.html"):
        if not index.is_file():
            continue
        html = index.read_text(encoding="utf-8")
        assert " style=" not in html and "<style" not in html, index
        for script in re.findall(r"<script[^>]*>", html):
            assert "src=" in script, (index, script)


def test_the_fallback_page_is_styled_under_its_own_policy(tmp_path: Path) -> None:
    app, client = client_for(tmp_path, tmp_path / "no-dist")
    try:
        response = client.get("/")
        style = re.search(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S)
        assert style is not None
        digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
        assert directives(response)["style-src"] == [f"'sha256-{digest}'"]
        assert directives(response)["frame-ancestors"] == ["'none'"]
    finally:
        close_app(app)
