"""Submitted, verified requests written straight into the stores: volume tests at real sizes.

Going through the API costs ~50 ms a request (five uploads, verification,
berkas.pdf); these are the same records, each with its scans and a berkas.pdf
blob, made in a fraction of that.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from datetime import UTC, datetime, timedelta

from bakso.bootstrap import Services
from bakso.domain.lifecycle import Status
from bakso.domain.model import Event, Request, Scan, request_code
from helpers import valid_fields

REQUIREMENTS = ("SURAT_KEHILANGAN", "KK", "KK", "KK")


def jpeg_like(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(max(size - 6, 0)) + b"\xff\xd9"


def seed_requests(
    services: Services,
    count: int,
    *,
    scans: int = 3,
    scan_bytes: int = 200 * 1024,
    berkas_bytes: int | None = None,
    desa: str = "52.03.01.2001",
) -> list[Request]:
    """`count` DIAJUKAN requests, ready for a batch, each with `scans` scans and a berkas.pdf."""
    start = datetime(2026, 11, 27, 8, tzinfo=UTC)
    made = []
    for index in range(count):
        rid = str(uuid.uuid4())
        at = (start + timedelta(milliseconds=index)).isoformat(timespec="milliseconds")
        berkas_key = f"berkas/{rid}/1.pdf"
        berkas = b"%PDF-1.4\n" + os.urandom(berkas_bytes or scans * scan_bytes) + b"\n%%EOF\n"
        services.blobs.put(berkas_key, io.BytesIO(berkas), "application/pdf")
        request = Request(
            id=rid,
            code=request_code(rid),
            service="KTP_HILANG",
            desa=desa,
            applicant={"nik": "5203015708900001", "name": "Siti Aminah"},
            subject=None,
            fields=valid_fields("KTP_HILANG"),  # as submit requires (docs/forms.md)
            notes="",
            status=Status.DIAJUKAN,
            version=1,
            created_by="op.a",
            created_at=at,
            updated_at=at,
            status_since=at,
            submission=1,
            ready_submission=1,
            berkas_key=berkas_key,
        )
        services.records.create_request(request, Event(rid, at, "op.a", None, Status.DIAJUKAN))
        for n in range(scans):
            data = jpeg_like(scan_bytes)
            key = f"scans/{rid}/{n}"
            services.blobs.put(key, io.BytesIO(data), "image/jpeg")
            services.records.add_scan(
                Scan(
                    f"s{n}",
                    rid,
                    REQUIREMENTS[n % len(REQUIREMENTS)],
                    hashlib.sha256(data).hexdigest(),
                    len(data),
                    "image/jpeg",
                    key,
                    "ok",
                    at,
                )
            )
        made.append(request)
    return made
