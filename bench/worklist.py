"""§9 Worklist sync: the bytes an operator's phone receives to bring its copy of a large
desa worklist up to date after one change made elsewhere in the desa (DESIGN §6, #15).

A real server child (bench.serve: waitress, the in-process worker) gets `rows` residents
imported for one desa through the API, as Dukcapil uploads them. One operator device
downloads the whole list (every page), then a second device of the same desa records a
follow-up on one row, and the first device syncs with `?since=<revision>`. Bytes are
counted as they arrive on the socket: status line, headers and the body as encoded, with
`Accept-Encoding: br, gzip` as Chromium sends it. The baseline is the full download.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from .common import KB, Figure, fmt_bytes, serving
from .serve import DESA, PASSWORD

SECTION = "9 Worklist sync"
HEADER = "nik,nama,kode_desa,alamat,dokumen,kategori_rentan,keterangan"
ACCEPT = {"Accept-Encoding": "br, gzip", "Accept": "application/json"}


class Device:
    """One logged-in officer's client, counting every byte it is sent."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.headers.update(ACCEPT)
        login = self.http.post(
            f"{base}/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        self.http.headers["X-CSRF-Token"] = login.json()["csrf_token"]

    def get(self, path: str) -> tuple[dict[str, Any], int]:
        """The decoded JSON and the bytes on the wire (headers + encoded body)."""
        response = self.http.get(self.base + path, stream=True, timeout=60)
        raw = response.raw.read(decode_content=False)
        head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n") + sum(
            len(f"{k}: {v}\r\n") for k, v in response.headers.items()
        )
        response.raise_for_status()
        # The body was read raw to count its bytes, so it is decoded here, once.
        return json.loads(_decoded(response, raw)), head + 2 + len(raw)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(self.base + path, json=body, timeout=60)
        response.raise_for_status()
        return dict(response.json())


def _decoded(response: requests.Response, raw: bytes) -> bytes:
    coding = response.headers.get("Content-Encoding", "")
    if coding == "br":
        import brotli

        return bytes(brotli.decompress(raw))
    if coding == "gzip":
        import gzip

        return gzip.decompress(raw)
    return raw


def _import(dukcapil: Device, rows: int) -> None:
    lines = [f",Warga {i:05d},{DESA},Dusun {i % 40} RT {i % 9:02d},KK,," for i in range(rows)]
    data = ("\n".join([HEADER, *lines]) + "\n").encode()
    registered = dukcapil.post(
        "/api/v1/sasaran/import",
        {
            "id": str(uuid.uuid4()),
            "filename": "sasaran.csv",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "content_type": "text/csv",
        },
    )
    upload = registered["upload"]
    url = upload["url"] if "://" in upload["url"] else dukcapil.base + upload["url"]
    sent = dukcapil.http.request(
        upload["method"], url, data=data, headers=upload.get("headers", {}), timeout=60
    )
    sent.raise_for_status()
    import_id = registered["import"]["id"]
    dukcapil.post(f"/api/v1/sasaran/import/{import_id}/start")
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state, _ = dukcapil.get(f"/api/v1/sasaran/import/{import_id}")
        if state["status"] in ("DONE", "FAILED"):
            if state["status"] == "FAILED":
                raise RuntimeError(f"bench import failed: {state}")
            return
        time.sleep(0.2)
    raise RuntimeError("bench import did not finish in 10 minutes")


def _full_download(device: Device) -> tuple[int, int, int]:
    """(bytes on the wire, rows, revision) of the whole list, page by page."""
    total = rows = 0
    page, wire = device.get("/api/v1/sasaran?limit=500")
    revision = int(page["revision"])
    while True:
        total += wire
        rows += len(page["items"])
        if not page.get("cursor"):
            return total, rows, revision
        page, wire = device.get(f"/api/v1/sasaran?limit=500&cursor={page['cursor']}")


def run(data: Path, *, rows: int) -> list[Figure]:
    figure = Figure(
        "worklist.delta",
        SECTION,
        f"worklist of {rows:,} rows after one change elsewhere in the desa, on the wire",
        "KB",
        budget=5,
        baseline_label="the full download",
    )
    folder = data / "worklist"  # its own server's data, apart from the other sections'
    folder.mkdir(parents=True, exist_ok=True)
    with serving(["bakso", "--data", str(folder)]) as server:
        _import(Device(server.url, "dukcapil.bench"), rows)
        phone = Device(server.url, "op.bench")
        full, listed, revision = _full_download(phone)
        other = Device(server.url, "op.bench")  # a second device at the same desa office
        first, _ = other.get("/api/v1/sasaran?limit=1")
        other.post(
            f"/api/v1/sasaran/{first['items'][0]['id']}/followup",
            {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": "ada di rumah"},
        )
        delta, wire = phone.get(f"/api/v1/sasaran?since={revision}&limit=500")
    if listed != rows or delta.get("full") or len(delta["items"]) != 1:
        figure.note = f"unexpected answer: {listed} rows listed, delta {delta.get('full')!r}"
        return [figure]
    figure.value = wire / KB
    figure.baseline = full / KB
    figure.runs = [figure.value]
    figure.note = (
        f"delta {fmt_bytes(wire)} (1 row) vs full download {fmt_bytes(full)}"
        f" ({listed:,} rows), br/gzip as served, headers included"
    )
    return [figure]
