"""File retention on the fakes: batches, unfinished uploads and closed sasaran rows go in time."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.errors import NotFound
from bakso.domain.model import BATCH_READY
from bakso.domain.returns import RETURN_FAILED, ReturnFile
from bakso.domain.sasaran import IMPORT_FAILED, SasaranRow, row_deltas
from bakso.ports import RowWrite
from bakso.services.batches import BatchFilters
from bakso.services.retention_files import FileRetentionReport
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from helpers import fake_jpeg
from seeding import seed_requests
from unit.services.support import DESA_A, DUKCAPIL, OPERATOR, ktp_draft


def run_at(fakes: FakeSet, days: float) -> FileRetentionReport:
    later = datetime.now(UTC) + timedelta(days=days)
    retention = fakes.services.retention_files
    retention.clock = lambda: later
    return retention.purge()


def test_a_scan_never_completed_goes_after_a_day_with_its_bytes(fakes: FakeSet) -> None:
    request_id = str(uuid.uuid4())
    requests = fakes.services.requests
    requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    done, half = fake_jpeg("done", size=16), fake_jpeg("half", size=16)
    for requirement, data in (("KK", done), ("AKTA_LAHIR", half)):
        scan, target = requests.register_scan(
            OPERATOR,
            request_id,
            requirement=requirement,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content_type="image/jpeg",
        )
        assert target is not None
        fakes.blobs.accept_upload(target.url, "image/jpeg", data)
        if requirement == "KK":
            requests.complete_scan(OPERATOR, request_id, scan.id)
    (kept,) = [s for s in fakes.records.list_scans(request_id) if s.state == "ok"]
    (pending,) = [s for s in fakes.records.list_scans(request_id) if s.state == "pending"]

    assert run_at(fakes, 0.5).uploads == 0  # not a day old yet
    report = run_at(fakes, 2)

    assert report.uploads == 1
    assert fakes.records.list_scans(request_id) == [kept]
    assert fakes.blobs.size(pending.key) is None
    assert fakes.blobs.size(kept.key) == len(done)
    assert run_at(fakes, 2) == FileRetentionReport()  # a rerun changes nothing


def test_batch_volumes_go_after_the_batch_period_and_the_batch_is_marked(fakes: FakeSet) -> None:
    seed_requests(fakes.services, 2, scans=1, scan_bytes=300, berkas_bytes=300)
    created = fakes.services.batches.create(DUKCAPIL, BatchFilters())
    drain_until_idle(fakes.services)
    batch = fakes.records.get_batch(created.id)
    assert batch is not None and batch.status == BATCH_READY
    keys = [v.key for v in batch.volumes if v.key]
    assert keys and all(fakes.blobs.size(k) for k in keys)

    assert run_at(fakes, 29).batches == 0
    assert run_at(fakes, 31).batches == 1

    assert all(fakes.blobs.size(k) is None for k in keys)
    purged = fakes.records.get_batch(created.id)
    assert purged is not None and purged.purged_at is not None
    assert run_at(fakes, 31).batches == 0


def test_unfinished_return_and_import_lose_their_files_and_read_failed(fakes: FakeSet) -> None:
    table = b"kode,status,catatan\nLT-AAAA-BBBB,SELESAI,\n"
    run, target, _ = fakes.services.returns.create(
        DUKCAPIL,
        return_id=None,
        table=ReturnFile("hasil.csv", hashlib.sha256(table).hexdigest(), len(table), "text/csv"),
        pdfs=None,
    )
    assert target is not None
    fakes.blobs.accept_upload(target.url, "text/csv", table)
    listing = b"nama,desa,alamat,dokumen,nik\nBaiq Nur,52.03.01.2001,Dusun Timur,KTP_EL,\n"
    imported, upload = fakes.services.sasaran.start_import(
        DUKCAPIL,
        import_id=None,
        filename="sasaran.csv",
        sha256=hashlib.sha256(listing).hexdigest(),
        size=len(listing),
        content_type="text/csv",
    )
    assert upload is not None
    fakes.blobs.accept_upload(upload.url, "text/csv", listing)
    stored = list(fakes.blobs._blobs)  # what the fake holds

    report = run_at(fakes, 2)

    assert (report.returns, report.imports) == (1, 1)
    assert stored and all(fakes.blobs.size(key) is None for key in stored)
    failed = fakes.records.get_return(run.id)
    assert failed is not None and failed.status == RETURN_FAILED and failed.error
    gone = fakes.sasaran.get_import(imported.id)
    assert gone is not None and gone.status == IMPORT_FAILED and "unggah ulang" in str(gone.error)
    assert run_at(fakes, 2) == FileRetentionReport()


def closed_row(fakes: FakeSet, outcome: str, note: str) -> SasaranRow:
    row = SasaranRow(
        id=str(uuid.uuid4()),
        desa=DESA_A,
        name=f"Baiq {outcome}",
        address="Dusun Timur",
        documents=["KTP_EL"],
        nik=f"520301570890{len(outcome):04d}",
        category="LANSIA",
        name_key=f"baiq {outcome.lower()}|dusun timur",
        created_at="2026-01-01T00:00:00.000+00:00",
    )
    fakes.sasaran.save_row(RowWrite(row, 0, row_deltas(None, row)))
    fakes.services.sasaran.record_followup(
        OPERATOR, row.id, followup_id=str(uuid.uuid4()), outcome=outcome, note=note, at=None
    )
    return row


def test_a_closed_row_loses_its_personal_values_after_the_period_and_still_counts(
    fakes: FakeSet,
) -> None:
    moved = closed_row(fakes, "PINDAH", "pindah ke rumah anaknya")
    found = closed_row(fakes, "DITEMUKAN", "ada di rumah")
    before = fakes.sasaran.counters("desa", DESA_A)

    assert run_at(fakes, 89).sasaran_rows == 0
    assert run_at(fakes, 91).sasaran_rows == 1

    row = fakes.sasaran.get_row(moved.id)
    assert row is not None and row.purged_at
    assert (row.name, row.nik, row.address, row.name_key) == ("", None, "", "")
    assert row.followup is not None and row.followup["outcome"] == "PINDAH"
    assert [f.note for f in fakes.sasaran.list_followups(moved.id)] == [""]
    assert fakes.sasaran.find_by_niks([moved.nik or ""]) == {}
    listed = fakes.sasaran.list_rows(DESA_A, cursor=None, limit=10).items
    assert [r.id for r in listed] == [found.id]  # the open one stays, whole
    after = fakes.sasaran.counters("desa", DESA_A)
    assert {k: v for k, v in after.items() if k != "revision"} == {
        k: v for k, v in before.items() if k != "revision"
    }
    # A follow-up replayed from a device's outbox finds nothing to write to.
    with pytest.raises(NotFound):
        fakes.services.sasaran.record_followup(
            OPERATOR, moved.id, followup_id=str(uuid.uuid4()), outcome="PINDAH", note="x", at=None
        )
    assert run_at(fakes, 91) == FileRetentionReport()
