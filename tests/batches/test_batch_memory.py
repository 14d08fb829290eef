"""A large batch is streamed: the build's peak memory is flat from 100 to 1,000 requests.

Each request carries a KK_BARU form (form_vectors.json's, three members), so the
manifest's labelled fields, its member CSV and sheet are measured too. With 20 members a
request (the most the form allows) the peak was the same (10.7 MB → 9.2 MB, docs/batches.md),
but openpyxl takes ~13 s a volume for the 5,000 member rows: too slow for every run.
"""

from __future__ import annotations

import json
import tracemalloc
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bakso.bootstrap import Services
from bakso.domain.model import Batch
from seeding import seed_requests

SCAN_BYTES = 16 * 1024
VECTORS = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"


def _family(members: int = 3) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(VECTORS.read_text())["valid"]["KK_BARU"]
    child = fields["members"][-1]
    more = members - len(fields["members"])
    fields["members"] += [{**child, "name": f"Anak {n}"} for n in range(more)]
    return fields


def _build_peak(services: Services, count: int) -> tuple[int, Batch]:
    """Seed `count` requests in a batch, build it step by step; the traced peak and the batch."""
    batch_id = uuid.uuid4().hex
    family = _family()
    for request in seed_requests(services, count, scans=3, scan_bytes=SCAN_BYTES):
        services.records.save_request(
            replace(request, batch_id=batch_id, service="KK_BARU", fields=family),
            request.version,
            None,
        )
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    services.records.create_batch(
        Batch(
            id=batch_id,
            created_by="dukcapil",
            created_at=now,
            filters={},
            progress_at=now,
        )
    )
    # The seeded requests already carry the batch: start at the plan.
    stored = services.records.get_batch(batch_id)
    assert stored is not None
    services.records.save_batch(
        replace(stored, phase="plan", claimed=count, version=1), stored.version
    )
    tracemalloc.start()
    try:
        batch = services.records.get_batch(batch_id)
        while batch is not None and batch.status == "BUILDING":
            services.batches.build_step(batch_id, batch.step)
            batch = services.records.get_batch(batch_id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert batch is not None and batch.status == "READY" and batch.count == count
    return peak, batch


def test_peak_memory_of_a_build_is_flat_from_100_to_1000_requests(services) -> None:
    small, small_batch = _build_peak(services, 100)
    large, large_batch = _build_peak(services, 1000)

    zipped = sum(v.size for v in large_batch.volumes)
    assert all(v.count == 250 for v in large_batch.volumes)  # each member went into its CSV
    assert zipped > 1000 * 4 * SCAN_BYTES  # scans and berkas.pdf really went in
    assert len(large_batch.volumes) == 4  # 250 requests a volume
    # Ten times the requests and the bytes, not ten times the memory: what grows
    # is bounded by one volume (its manifest), not by the batch.
    assert large < small * 2 + 4 * 1024 * 1024, f"{small / 1e6:.1f} MB → {large / 1e6:.1f} MB"
    assert large < zipped / 10, f"peak {large / 1e6:.1f} MB for {zipped / 1e6:.0f} MB zipped"
    assert small_batch.count == 100
    print(f"peak {small / 1e6:.1f} MB (100 requests), {large / 1e6:.1f} MB (1000)")
