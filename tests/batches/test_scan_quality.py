"""Review #17 finding 8: a page the operator kept despite the photo check says so where
Dukcapil reads it offline: berkas.pdf's caption of that page and manifest.json's file list."""

from __future__ import annotations

import io
import json
from typing import Any

from pypdf import PdfReader

from batches.test_batches import build_batch, download_zip
from helpers import draft, fake_jpeg

KEPT = "(Foto gelap, kabur - dipertahankan operator)"


def test_kept_flags_reach_the_berkas_caption_and_the_manifest(
    api_factory: Any, services: Any
) -> None:
    from bakso.workers.handlers import drain_once

    op = api_factory("op.a")
    created = op.create(draft())
    op.attach(created["id"], "F201", fake_jpeg("gelap"), quality=["blurred", "dark"])
    for requirement in ("SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
        op.attach(created["id"], requirement, fake_jpeg(requirement))
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    drain_once(services)
    dk = api_factory("dukcapil")
    archive = download_zip(dk, build_batch(dk, services)["id"])
    code = created["code"]

    pages = [
        p.extract_text() for p in PdfReader(io.BytesIO(archive.read(f"{code}/berkas.pdf"))).pages
    ]
    captions = [text.split("\n", 1)[0] for text in pages[-5:]]  # the five photo pages
    assert captions[0] == f"{code} - Formulir F-2.01 (halaman 1) {KEPT}", captions
    assert all("dipertahankan" not in c for c in captions[1:]), captions

    [row] = [r for r in json.loads(archive.read("manifest.json"))["requests"] if r["code"] == code]
    flags = {f["requirement"]: f["quality"] for f in row["files"] if "requirement" in f}
    assert flags == {
        "F201": ["dark", "blurred"],
        "SURAT_KET_LAHIR": [],
        "BUKU_NIKAH": [],
        "KK_ORTU": [],
        "KTP_ORTU": [],
    }
