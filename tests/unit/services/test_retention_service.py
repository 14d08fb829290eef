"""Retention on the fakes: files of requests final for longer than RETENTION_DAYS are deleted."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bakso.domain.lifecycle import Status
from bakso.services.retention import RetentionService
from fakes import FakeSet
from seeding import seed_requests

NOW = datetime(2026, 6, 1, 8, tzinfo=UTC)


def aged(fakes: FakeSet, status: Status, days: int) -> str:
    (request,) = seed_requests(fakes.services, 1, scans=1, scan_bytes=300, berkas_bytes=300)
    since = (NOW - timedelta(days=days)).isoformat(timespec="milliseconds")
    final = replace(request, status=status, status_since=since, version=request.version + 1)
    fakes.records.save_request(final, request.version, None)
    return request.id


def test_only_requests_final_for_longer_than_the_period_lose_their_files(fakes: FakeSet) -> None:
    old = aged(fakes, Status.DISERAHKAN, days=91)
    recent = aged(fakes, Status.DISERAHKAN, days=89)
    open_ = aged(fakes, Status.DIPROSES, days=200)
    fakes.blobs.put(f"issued/{old}.pdf", io.BytesIO(b"%PDF-"), "application/pdf")
    stored = fakes.records.get_request(old)
    assert stored is not None
    issued = replace(stored, issued={"key": f"issued/{old}.pdf"})
    fakes.records.save_request(issued, stored.version, None)
    retention = RetentionService(fakes.records, fakes.blobs, lambda: NOW, days=90)

    report = retention.purge()

    assert (report.requests, report.blobs) == (1, 3)  # a scan, berkas.pdf, the issued PDF
    purged = fakes.records.get_request(old)
    assert purged is not None and purged.purged_at == NOW.isoformat(timespec="milliseconds")
    assert all(fakes.blobs.size(s.key) is None for s in fakes.records.list_scans(old))
    assert fakes.blobs.size(f"issued/{old}.pdf") is None
    for kept in (recent, open_):
        (scan,) = fakes.records.list_scans(kept)
        assert fakes.blobs.size(scan.key) is not None
        assert fakes.records.get_request(kept).purged_at is None  # type: ignore[union-attr]
    assert fakes.records.audit_entries()[-1].action == "request.purged"
    assert retention.purge().requests == 0  # a second run finds nothing more
