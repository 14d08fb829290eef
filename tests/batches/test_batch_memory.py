"""A large batch is streamed: peak memory stays far below the 150 MB budget."""

from __future__ import annotations

import io
import os
import tempfile
import tracemalloc
import uuid
from dataclasses import replace

from bakso.domain.lifecycle import Status
from bakso.domain.model import Batch, Event, Request, Scan, request_code

SCAN_BYTES = 200 * 1024


def _seed(services, count: int) -> list[Request]:
    requests = []
    now = "2026-11-27T08:00:00.000+00:00"
    for _ in range(count):
        rid = str(uuid.uuid4())
        request = Request(
            id=rid,
            code=request_code(rid),
            service="KTP_HILANG",
            desa="52.03.01.2001",
            applicant={"nik": "5203015708900001", "name": "Siti Aminah"},
            subject=None,
            notes="",
            status=Status.DIAJUKAN,
            version=1,
            created_by="op.a",
            created_at=now,
            updated_at=now,
            status_since=now,
            submission=1,
            ready_submission=1,
            batch_id="big",
        )
        services.records.create_request(request, Event(rid, now, "op.a", None, Status.DIAJUKAN))
        for n, requirement in enumerate(("SURAT_KEHILANGAN", "KK", "KK")):
            data = b"\xff\xd8\xff\xe0" + os.urandom(SCAN_BYTES - 6) + b"\xff\xd9"
            key = f"scans/{rid}/{n}"
            services.blobs.put(key, io.BytesIO(data), "image/jpeg")
            services.records.add_scan(
                Scan(f"s{n}", rid, requirement, "0" * 64, len(data), "image/jpeg", key, "ok", now)
            )
        requests.append(replace(request))
    return requests


def test_batch_of_300_requests_with_3_scans_each_peaks_under_150_mb(services) -> None:
    requests = _seed(services, 300)
    batch = Batch(id="big", created_by="dukcapil", created_at="2026-11-27T09:00:00Z", filters={})
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as out:
            services.batches.write_zip(batch, requests, out)
            written = out.tell()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written > 300 * 3 * SCAN_BYTES  # the scans really went in
    assert peak < 150 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    # Flat, not merely under budget: far below the size of the data itself.
    assert peak < written / 10, f"peak {peak / 1e6:.1f} MB for {written / 1e6:.0f} MB of zip"
