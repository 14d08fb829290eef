"""What goes over the wire: the build's br/gz copies and API answers compressed on the fly.

A fake build in tmp_path, precompressed here as pwa/scripts/compress.mjs does, so these run
without npm; tests/e2e/test_build.py checks the real build.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest
from flask import Flask, Response, jsonify, request
from werkzeug.test import TestResponse

from helpers import PASSWORD, USERS, Api, close_app, make_app, services_of

# Big enough to be worth compressing, and text as a build file is.
SCRIPT = "".join(f"export const label{i} = 'Permohonan nomor {i}';\n" for i in range(300))
SHELL = "<!doctype html><title>BAKSO</title>" + "<p>Memuat BAKSO…</p>" * 100
BOTH = {"Accept-Encoding": "gzip, deflate, br"}


def precompress(root: Path) -> None:
    for path in list(root.rglob("*")):
        if path.suffix in {".js", ".css", ".html", ".webmanifest", ".svg", ".json"}:
            data = path.read_bytes()
            path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, 9))


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "icons").mkdir()
    (root / "index.html").write_text(SHELL)
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});\n" * 40)
    (root / "manifest.webmanifest").write_text(json.dumps({"name": "BAKSO", "pad": "x" * 900}))
    (root / "assets" / "index-abc123.js").write_text(SCRIPT)
    (root / "assets" / "index-abc123.css").write_text("body { margin: 0 }\n" * 80)
    (root / "icons" / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    precompress(root)
    return root


@pytest.fixture
def app(tmp_path: Path, dist: Path) -> Iterator[Flask]:
    app = make_app(tmp_path / "data", PWA_DIST=str(dist))
    for username, role, desa in USERS:
        services_of(app).accounts.create_user(username, role, desa, PASSWORD)
    yield app
    close_app(app)


def fetch(app: Flask, path: str, headers: dict[str, str] | None = None) -> TestResponse:
    response = app.test_client().get(path, headers=headers or {})
    response.get_data()
    response.close()
    return response


def decoded(response: TestResponse) -> bytes:
    coding = response.headers.get("Content-Encoding")
    if coding == "br":
        return bytes(brotli.decompress(response.data))
    if coding == "gzip":
        return gzip.decompress(response.data)
    assert coding is None, coding
    return response.data


def vary(response: TestResponse) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br", "br"),
        ("br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0, *", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("*", "br"),
        ("br;q=0, gzip;q=0", None),
        ("identity", None),
        ("deflate", None),
        ("", None),
    ],
)
def test_an_asset_comes_in_the_coding_asked_for_and_decodes_to_the_file(
    app: Flask, dist: Path, accept: str, coding: str | None
) -> None:
    response = fetch(app, "/assets/index-abc123.js", {"Accept-Encoding": accept} if accept else {})

    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == coding
    assert decoded(response) == SCRIPT.encode()
    assert response.mimetype == "text/javascript"
    assert "accept-encoding" in vary(response)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert int(response.headers["Content-Length"]) == len(response.data)
    if coding:
        assert len(response.data) < len(SCRIPT) / 3


def test_each_build_file_kind_keeps_its_type_and_cache_policy_when_compressed(
    app: Flask, dist: Path
) -> None:
    kinds = {
        "/": ("text/html", "no-cache", dist / "index.html"),
        "/index.html": ("text/html", "no-cache", dist / "index.html"),
        "/sw.js": ("text/javascript", "no-cache", dist / "sw.js"),
        "/manifest.webmanifest": (
            "application/manifest+json",
            "no-cache",
            dist / "manifest.webmanifest",
        ),
        "/assets/index-abc123.css": (
            "text/css",
            "public, max-age=31536000, immutable",
            dist / "assets" / "index-abc123.css",
        ),
    }
    for path, (mimetype, cache, file) in kinds.items():
        response = fetch(app, path, BOTH)
        assert response.headers["Content-Encoding"] == "br", path
        assert response.mimetype == mimetype, path
        assert response.headers["Cache-Control"] == cache, path
        assert decoded(response) == file.read_bytes(), path
        assert "accept-encoding" in vary(response), path
    assert fetch(app, "/sw.js", BOTH).headers["Service-Worker-Allowed"] == "/"
    # The shell's CSP is still the shell's when it is sent compressed.
    assert "script-src 'self'" in fetch(app, "/", BOTH).headers["Content-Security-Policy"]
    icon = fetch(app, "/icons/icon-192.png", BOTH)
    assert "Content-Encoding" not in icon.headers  # a PNG is compressed already
    assert icon.headers["Cache-Control"] == "public, max-age=86400"
    assert icon.data == (dist / "icons" / "icon-192.png").read_bytes()


def test_the_copies_are_not_files_of_their_own(app: Flask) -> None:
    # Sent raw they would be brotli bytes labelled JavaScript.
    for path in ("/assets/index-abc123.js.br", "/assets/index-abc123.js.gz"):
        assert fetch(app, path, BOTH).status_code == 404, path


def test_a_file_the_build_did_not_compress_is_sent_as_it_is(app: Flask, dist: Path) -> None:
    (dist / "assets" / "late-xyz.js").write_text("console.log(2)")

    response = fetch(app, "/assets/late-xyz.js", BOTH)

    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers  # under 1 KB: not compressed on the fly
    assert response.data == b"console.log(2)"
    assert "accept-encoding" in vary(response)


def test_a_file_rewritten_after_the_build_is_not_sent_as_its_old_copy(
    app: Flask, dist: Path
) -> None:
    """A new sw.js beside the build's old sw.js.br would keep every device on the old
    service worker: the copy is used only when it is at least as new as the file."""
    sw = dist / "sw.js"
    copy = sw.with_name("sw.js.br")
    old = copy.stat().st_mtime
    sw.write_text("// versi 2\n" + "self.x = 1;\n" * 200)
    os.utime(sw, (old + 10, old + 10))

    response = fetch(app, "/sw.js", {"Accept-Encoding": "br"})

    assert response.headers.get("Content-Encoding") != "br"
    assert decoded(response).startswith(b"// versi 2")


def test_etags_differ_per_coding_and_each_revalidates_only_itself(app: Flask) -> None:
    path = "/assets/index-abc123.js"
    tags = {
        accept: fetch(app, path, {"Accept-Encoding": accept}).headers["ETag"]
        for accept in ("br", "gzip", "identity")
    }
    assert len(set(tags.values())) == 3, tags

    for accept, tag in tags.items():
        again = fetch(app, path, {"Accept-Encoding": accept, "If-None-Match": tag})
        assert again.status_code == 304, accept
        assert again.headers["ETag"] == tag
        assert again.data == b""
    # A br copy is no proof that the gzip one is current.
    other = fetch(app, path, {"Accept-Encoding": "gzip", "If-None-Match": tags["br"]})
    assert other.status_code == 200
    assert other.headers["Content-Encoding"] == "gzip"


def test_a_json_answer_over_1_kb_is_compressed_when_asked(app: Flask) -> None:
    identity = fetch(app, "/api/openapi.json")
    assert len(identity.data) > 1024
    assert "Content-Encoding" not in identity.headers
    asked = (("gzip, br", "br"), ("gzip", "gzip"), ("br;q=0, gzip", "gzip"), ("br;q=0, *", "gzip"))
    for accept, coding in asked:
        response = fetch(app, "/api/openapi.json", {"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == coding, accept
        assert decoded(response) == identity.data
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert len(response.data) < len(identity.data) / 2
        assert response.mimetype == "application/json"
        assert "accept-encoding" in vary(response)
        assert response.headers["Cache-Control"] == identity.headers["Cache-Control"]
    for accept in ("br;q=0, gzip;q=0", "br;q=0", "identity", "deflate"):
        refused = fetch(app, "/api/openapi.json", {"Accept-Encoding": accept})
        assert "Content-Encoding" not in refused.headers, accept
        assert refused.data == identity.data, accept
        assert "accept-encoding" in vary(refused), accept


def test_a_small_json_answer_is_sent_as_it_is(app: Flask) -> None:
    response = fetch(app, "/healthz", BOTH)

    assert len(response.data) < 1024
    assert "Content-Encoding" not in response.headers
    assert json.loads(response.data)
    assert "accept-encoding" in vary(response)


def test_a_signed_in_list_is_compressed_too(app: Flask) -> None:
    api = Api(app.test_client())
    assert api.login("op.a").status_code == 200
    identity = api.get("/api/v1/regions")
    response = api.get("/api/v1/regions", headers=BOTH)

    assert response.headers["Content-Encoding"] == "br"
    assert decoded(response) == identity.data


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("berkas.txt", "Akta kelahiran " * 500)
    return buffer.getvalue()


def test_blob_downloads_are_never_compressed_again(app: Flask) -> None:
    # The same client gets the API compressed, so it is the blobs that are left alone.
    assert fetch(app, "/api/openapi.json", BOTH).headers["Content-Encoding"] == "br"
    blobs = services_of(app).blobs
    pdf = b"%PDF-1.7\n" + b"stream " * 2000 + b"\n%%EOF\n"
    table = ("nik,nama\n" + "5203010101010001,Amaq Saleh\n" * 200).encode()
    for key, data, content_type, name in (
        ("tests/berkas.pdf", pdf, "application/pdf", "berkas.pdf"),
        ("tests/kembali.zip", _zip(), "application/zip", "kembali.zip"),
        ("tests/sasaran.csv", table, "text/csv", "sasaran.csv"),
    ):
        blobs.put(key, io.BytesIO(data), content_type)
        url = blobs.download_url(key, expires_in=60, filename=name)

        response = fetch(app, url, BOTH)
        assert response.status_code == 200, name
        assert "Content-Encoding" not in response.headers, name
        assert response.data == data, name

        ranged = fetch(app, url, {**BOTH, "Range": "bytes=0-99"})
        assert ranged.status_code == 206, name
        assert "Content-Encoding" not in ranged.headers, name
        assert ranged.data == data[:100], name


def test_a_views_own_etag_still_answers_304_through_compression(tmp_path: Path, dist: Path) -> None:
    app = make_app(tmp_path / "data", PWA_DIST=str(dist))
    built: list[int] = []

    # The shape of the sasaran worklist's conditional GET: the view compares its own ETag.
    @app.get("/test/listed")
    def listed() -> Response:
        if "rev-7" in request.if_none_match:
            response = Response(status=304)
        else:
            built.append(1)
            response = jsonify({"items": [{"nama": f"Warga {i}"} for i in range(200)]})
        response.set_etag("rev-7")
        return response

    try:
        first = fetch(app, "/test/listed", BOTH)
        assert first.headers["Content-Encoding"] == "br"
        tag = first.headers["ETag"]
        assert tag != '"rev-7"'  # the compressed bytes are another representation

        again = fetch(app, "/test/listed", {**BOTH, "If-None-Match": tag})
        assert again.status_code == 304
        assert again.headers["ETag"] == tag  # what the client holds stays current
        assert built == [1]  # the view answered 304 itself, without building the list

        plain = fetch(app, "/test/listed", {"If-None-Match": '"rev-7"'})
        assert plain.status_code == 304
        assert plain.headers["ETag"] == '"rev-7"'
        changed = fetch(app, "/test/listed", {**BOTH, "If-None-Match": '"rev-6:br"'})
        assert changed.status_code == 200
        assert json.loads(decoded(changed))["items"][0] == {"nama": "Warga 0"}
    finally:
        close_app(app)
