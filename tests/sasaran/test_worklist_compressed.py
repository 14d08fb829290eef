"""The worklist sent compressed keeps its conditional GET (bakso/compression.py)."""

from __future__ import annotations

import brotli

from helpers import DESA_A
from sasaran.support import csv_file

COMPRESSED = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_compressed_worklist_answers_304_to_the_etag_the_device_holds(
    importer, api_factory
) -> None:
    importer.run(csv_file(*(f",Warga {i:02d},{DESA_A},Dusun {i},KK,," for i in range(30))))
    op_a = api_factory("op.a")
    plain = op_a.get("/api/v1/sasaran")

    first = op_a.get("/api/v1/sasaran", headers=COMPRESSED)
    assert first.headers["Content-Encoding"] == "br"
    assert brotli.decompress(first.data) == plain.data
    held = first.headers["ETag"]

    again = op_a.get("/api/v1/sasaran", headers={**COMPRESSED, "If-None-Match": held})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == held
    stale = op_a.get("/api/v1/sasaran", headers={**COMPRESSED, "If-None-Match": '"x-0:br"'})
    assert stale.status_code == 200
    assert brotli.decompress(stale.data) == plain.data
