"""What an operator does in the loket PWA, as steps for the browser tests."""

from __future__ import annotations

import hashlib
import json
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from bench.form_fields import fill_fields, valid_fields
from helpers import KK, NIK_WOMAN, PASSWORD

# Every browser test carries these: the e2e marker (deselected by plain `pytest`), and no
# failure for files the dev server leaves open when Chromium drops a connection mid-response.
E2E = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

PROBES = Path(__file__).parent / "probes"

# KK perubahan data: exactly three mandatory documents.
SERVICE = "KK_UBAH"
SERVICE_LABEL = "KK perubahan data"
DOCS = ("F101", "KK_LAMA", "BUKTI_PERISTIWA")


def photo(path: Path, seed: str, width: int = 2000, height: int = 1500) -> Path:
    """A PNG "photo" whose pixels depend on `seed`: a gradient, shifted a little per row."""
    key = hashlib.sha256(seed.encode()).digest()
    base = bytearray()
    for x in range(2 * width):
        base += bytes(
            ((x * 255 // width + key[0]) % 256, (x * 7 + key[1]) % 256, (key[2] + x // 3) % 256)
        )
    rows = []
    for y in range(height):
        start = (y // 4 + key[3]) % width * 3
        rows.append(b"\x00" + bytes(base[start : start + width * 3]))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 1))
        + chunk(b"IEND", b"")
    )
    return path


def probe(name: str) -> str:
    """A JavaScript function (tests/e2e/probes/<name>.js) that reads the PWA's IndexedDB."""
    return (PROBES / f"{name}.js").read_text(encoding="utf-8").split("\n", 1)[1]


def sign_in(page: Page, base: str, username: str) -> None:
    """Open the app and log in as `username`, waiting for nothing after "Masuk"."""
    page.goto(base + "/")
    expect(page.locator("#username")).to_be_visible(timeout=30_000)  # a cold profile is slow
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def login(page: Page, base: str, username: str = "op.a") -> None:
    sign_in(page, base, username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Halo")
    # The catalog is cached before the home screen shows: the new-request screen lists it.
    page.wait_for_function(probe("catalog_cached"))


def wait_for_service_worker(page: Page) -> None:
    """Until a service worker controls the page (raced against a timeout: DESIGN §8)."""
    ready = page.evaluate(
        """() => Promise.race([
          navigator.serviceWorker.ready.then(() => true),
          new Promise((ok) => setTimeout(() => ok(false), 10000)),
        ])"""
    )
    assert ready, "no service worker became active"
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)


def fill_request(
    page: Page,
    name: str,
    files: dict[str, list[Path]],
    service_label: str = SERVICE_LABEL,
    fields: dict[str, Any] | None = None,
) -> None:
    """New request up to the review step: service, applicant data, the service's form (its
    valid vector unless `fields` is given), documents."""
    page.goto(page.url.split("#")[0] + "#/baru")
    page.get_by_text(service_label, exact=True).click()
    page.get_by_role("button", name="Lanjut").click()
    page.fill("#nik", NIK_WOMAN)
    page.fill("#name", name)
    page.fill("#kk", KK)
    fill_fields(page, valid_fields(SERVICE) if fields is None else fields)
    page.get_by_role("button", name="Lanjut").click()
    for requirement, paths in files.items():
        page.set_input_files(
            f'input[data-req="{requirement}"][data-mode="file"]', [str(p) for p in paths]
        )
        section = page.locator(f'section[aria-labelledby="req-{requirement}"]')
        expect(section.locator(".thumb")).to_have_count(len(paths), timeout=20_000)
    page.get_by_role("button", name="Lanjut").click()
    expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_enabled()


def send_request(page: Page, name: str, files: dict[str, list[Path]]) -> None:
    fill_request(page, name, files)
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.get_by_role("heading", name="Antrean kirim")).to_be_visible()


def local_scans(page: Page) -> list[dict[str, Any]]:
    """Every scan stored in the PWA's IndexedDB, with the SHA-256 of its stored bytes."""
    return list(page.evaluate(probe("local_scans")))


def local_requests(page: Page) -> list[dict[str, Any]]:
    return list(page.evaluate(probe("local_requests")))


class Dukcapil:
    """The server's view, through the API as a Dukcapil officer (not through the PWA)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        answer = self.http.post(
            f"{base}/api/v1/auth/login",
            json={"username": "dukcapil", "password": PASSWORD},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def requests(self) -> list[dict[str, Any]]:
        answer = self.http.get(f"{self.base}/api/v1/requests?limit=100", timeout=10)
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])

    def detail(self, request_id: str) -> dict[str, Any]:
        answer = self.http.get(f"{self.base}/api/v1/requests/{request_id}", timeout=10)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def scan_bytes(self, request_id: str, scan_id: str) -> bytes:
        answer = self.http.get(
            f"{self.base}/api/v1/requests/{request_id}/scans/{scan_id}", timeout=10
        )
        assert answer.status_code == 200, answer.text
        return answer.content

    def transition(self, request_id: str, to: str, note: str, version: int) -> dict[str, Any]:
        csrf = self.http.get(f"{self.base}/api/v1/auth/me", timeout=10).json()["csrf_token"]
        answer = self.http.post(
            f"{self.base}/api/v1/requests/{request_id}/transition",
            json={"to": to, "note": note, "version": version},
            headers={"X-CSRF-Token": csrf},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def held_scans(self, request_id: str) -> list[dict[str, Any]]:
        """Each scan of the request with the SHA-256 of the bytes the server actually holds."""
        detail = self.detail(request_id)
        out = []
        for scan in detail["scans"]:
            data = self.scan_bytes(request_id, scan["id"])
            out.append(
                {**scan, "actual": hashlib.sha256(data).hexdigest(), "dims": jpeg_size(data)}
            )
        return out


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame marker; None if it is not a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def new_id() -> str:
    return str(uuid.uuid4())


def dump(value: Any) -> str:
    return json.dumps(value, indent=1, default=str)
