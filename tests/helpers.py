"""Helpers shared by the API tests: officers, sample drafts, scans, an API client."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import random
import struct
import threading
import uuid
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

import bakso
from bakso import create_app
from bakso.bootstrap import Services
from bench.form_fields import valid_fields  # one reading of the vectors for tests and bench

PASSWORD = "kata-sandi-uji-123"
DESA_A = "52.03.01.2001"  # Tanjung Luar, Keruak
DESA_B = "52.03.02.2002"  # Sakra, Sakra
NIK_WOMAN = "5203015708900001"
KK = "5203011203180002"
# Cheap hashing in tests only: argon2's production cost would make the suite slow.
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}

USERS = [
    ("op.a", "operator", DESA_A),
    ("op.b", "operator", DESA_B),
    ("dukcapil", "dukcapil", None),
    ("admin", "admin", None),
]


# A second kabupaten on the same deployment (#16): Sumbawa (52.04), regions from the
# nationwide list. `make_app(data_dir, KABUPATEN_DIRS=(SUMBAWA_DIR,))` serves both.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SUMBAWA_DIR = str(FIXTURES / "kabupaten" / "52.04")
PANGANDARAN_DIR = str(FIXTURES / "kabupaten" / "32.18")  # WIB, created in 2012
SUMBAWA = "52.04"
DESA_SUMBAWA = "52.04.02.2001"  # Lunyuk Rea, kecamatan Lunyuk


def make_app(data_dir: Path, **overrides: Any) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "test-secret-key",
        "SESSION_COOKIE_SECURE": False,
        "ARGON2_PARAMS": FAST_ARGON2,
    }
    config.update(overrides)
    return create_app(config)


def services_of(app: Flask) -> Services:
    svc: Services = app.extensions["bakso"]
    return svc


def close_app(app: Flask) -> None:
    svc = services_of(app)
    for adapter in (svc.records, svc.queue):
        close = getattr(adapter, "close", None)
        if close:
            close()


FORM_VECTORS = Path(bakso.__file__).resolve().parent / "data" / "form_vectors.json"


FORMS_FILE = FORM_VECTORS.with_name("forms.json")
SUBJECT_KEYS = ("name", "nik", "birth_date", "birth_place", "sex")


def subject_section(service: str) -> tuple[str, set[str]] | None:
    """The key and field keys of the service's subject section (`"subject": true`), if any."""
    services = json.loads(FORMS_FILE.read_text(encoding="utf-8"))["services"]
    for section in services.get(service, {}).get("sections", []):
        if section.get("subject"):
            return section["key"], {f["key"] for f in section["fields"]}
    return None


def draft(desa: str = DESA_A, service: str = "AKTA_LAHIR", **changes: Any) -> dict[str, Any]:
    """A draft body that can be submitted once its documents are in: the service's valid
    form fields included (`fields=` overrides them).

    Where the form has a subject section, the subject and that section agree as the server
    requires (docs/forms.md): a `subject=` given alone goes into the section, `fields=`
    given alone (or neither) give the subject; both given are sent as they are.
    """
    body: dict[str, Any] = {
        "service": service,
        "desa": desa,
        "applicant": {"nik": NIK_WOMAN, "name": "Siti Aminah", "kk": KK, "phone": "081234567890"},
        "subject": {
            "name": "Bayi Aminah",
            "birth_date": "2026-11-20",
            "birth_place": "Selong",
            "sex": "P",
            "nik": None,
        },
        "notes": "",
        "version": 0,
        "fields": valid_fields(service),
    }
    body.update(changes)
    section = subject_section(service)
    if section is None or not body["fields"] or ("subject" in changes and "fields" in changes):
        return body
    key, defined = section
    if "subject" in changes and body["subject"] is not None:
        given = {k: v for k, v in body["subject"].items() if k in defined and v is not None}
        body["fields"] = {**body["fields"], key: {**body["fields"].get(key, {}), **given}}
    if "subject" not in changes or body["subject"] is not None:
        typed = body["fields"].get(key, {})
        body["subject"] = {k: typed.get(k) for k in SUBJECT_KEYS}
    return body


def fake_jpeg(seed: str, size: int = 64) -> bytes:
    """A real, small JPEG photo whose pixels depend on `seed` (so each seed has its own hash)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))] * (size * size))
    for _ in range(size):
        image.putpixel((rng.randrange(size), rng.randrange(size)), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Api:
    """An officer's view of the API through Flask's test client: logs in, sends CSRF."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def login(self, username: str, password: str = PASSWORD) -> Any:
        response = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        if response.status_code == 200:
            self.csrf = response.get_json()["csrf_token"]
        return response

    def _headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(path, **kw)

    def put(self, path: str, **kw: Any) -> Any:
        return self.client.put(path, headers=self._headers(), **kw)

    def post(self, path: str, **kw: Any) -> Any:
        return self.client.post(path, headers=self._headers(), **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(path, headers=self._headers(), **kw)

    # Composite steps ----------------------------------------------------------
    def create(
        self, body: dict[str, Any] | None = None, request_id: str | None = None
    ) -> dict[str, Any]:
        request_id = request_id or str(uuid.uuid4())
        response = self.put(f"/api/v1/requests/{request_id}", json=body or draft())
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())

    def register(
        self,
        request_id: str,
        requirement: str,
        data: bytes,
        content_type: str = "image/jpeg",
        quality: list[str] | None = None,
    ) -> Any:
        body: dict[str, Any] = {
            "requirement": requirement,
            "sha256": sha(data),
            "size": len(data),
            "content_type": content_type,
        }
        if quality is not None:
            body["quality"] = quality  # the photo check's flags kept (docs/pwa.md)
        return self.post(f"/api/v1/requests/{request_id}/scans", json=body)

    def upload(self, upload: dict[str, Any], data: bytes) -> Any:
        """Send the bytes where the upload target says, as the device would.

        The local store is a route of this app (reached through the test
        client); any other host is the real store, e.g. S3, reached over HTTP
        (moto intercepts it in-process). Presigned POSTs send their fields.
        """
        url = urlsplit(upload["url"])
        if url.netloc and url.hostname not in {"localhost", "127.0.0.1"}:
            if upload["method"] == "POST":
                return requests.post(
                    upload["url"], data=upload.get("fields", {}), files={"file": data}, timeout=30
                )
            return requests.request(
                upload["method"], upload["url"], data=data, headers=upload["headers"], timeout=30
            )
        path = url.path + (f"?{url.query}" if url.query else "")
        return self.client.open(
            path, method=upload["method"], data=data, headers=upload.get("headers", {})
        )

    def attach(
        self, request_id: str, requirement: str, data: bytes, quality: list[str] | None = None
    ) -> dict[str, Any]:
        registered = self.register(request_id, requirement, data, quality=quality)
        assert registered.status_code == 201, registered.get_json()
        body = registered.get_json()
        assert self.upload(body["upload"], data).status_code == 200
        done = self.post(f"/api/v1/requests/{request_id}/scans/{body['scan_id']}/complete")
        assert done.status_code == 200, done.get_json()
        return dict(body)

    def attach_mandatory(self, request_id: str) -> None:
        for requirement in ("F201", "SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
            self.attach(request_id, requirement, fake_jpeg(request_id + requirement))


def submit_ready(
    api: Api, services: Services, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A submitted request the worker has verified: ready for a Dukcapil batch."""
    from bakso.workers.handlers import drain_once

    created = api.create(body or draft())
    api.attach_mandatory(created["id"])
    submitted = dict(api.post(f"/api/v1/requests/{created['id']}/submit").get_json())
    drain_once(services)
    return submitted


@functools.cache
def bomb_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid black-and-white PNG of width × height: a few hundred KB on disk, never in memory.

    Made by hand (Pillow would allocate the whole image): the IHDR claims the
    size, the IDAT is the zlib stream of every all-zero row, compressed a block
    of rows at a time. 50000×50000 is 2.5 G pixels (~300 KB, ~1 s to make).
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the row's bits
    compressor = zlib.compressobj(9)
    rows_per_block = max(1, (4 << 20) // len(row))
    parts = [
        compressor.compress(row * min(rows_per_block, height - done))
        for done in range(0, height, rows_per_block)
    ]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


class CountingHasher(PasswordHasher):
    """Counts password checks: what a guess costs the attacker is one of these."""

    def __init__(self) -> None:
        super().__init__(**FAST_ARGON2)
        self.verified = 0
        self._count_lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._count_lock:
            self.verified += 1
        return bool(super().verify(hash, password))


def attach_issued(dk: Api, request_id: str, pdf: bytes = b"%PDF-1.4\n% akta\n%%EOF\n") -> None:
    """Dukcapil attaches the issued PDF: register (sha256, size), PUT the bytes, complete."""
    registered = dk.post(
        f"/api/v1/requests/{request_id}/issued",
        json={"sha256": sha(pdf), "size": len(pdf), "content_type": "application/pdf"},
    )
    assert registered.status_code == 201, registered.get_json()
    assert dk.upload(registered.get_json()["upload"], pdf).status_code == 200
    done = dk.post(f"/api/v1/requests/{request_id}/issued/complete")
    assert done.status_code == 200, done.get_json()
