"""A small bulk return through the service on the fakes: upload, start, chunks, report."""

from __future__ import annotations

import hashlib
import uuid

from bakso.domain.lifecycle import Status
from bakso.domain.model import Event, Request
from bakso.domain.returns import RETURN_DONE, ReturnFile
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from unit.services.support import DUKCAPIL

AT = "2026-01-05T08:00:00.000+00:00"


def processing(fakes: FakeSet, count: int) -> list[Request]:
    made = []
    for i in range(count):
        request_id = str(uuid.uuid4())
        request = Request(
            id=request_id,
            code=f"LT-{i:04d}-RTRN",
            service="KTP_BARU",
            desa="52.03.01.2001",
            applicant={"nik": "5203015708900001", "name": f"Warga {i}"},
            subject=None,
            notes="",
            status=Status.DIPROSES,
            version=4,
            created_by="op.a",
            created_at=AT,
            updated_at=AT,
            status_since=AT,
            submission=1,
            ready_submission=1,
        )
        event = Event(request_id, AT, "op.a", None, Status.DIPROSES, "", "request.create")
        assert fakes.records.create_request(request, event)
        made.append(request)
    return made


def test_a_table_of_results_is_applied_in_chunks_and_reported_per_line(fakes: FakeSet) -> None:
    done, rejected, *_ = made = processing(fakes, 3)
    lines = [
        "kode,status,catatan",
        f"{done.code},SELESAI,",
        f"{rejected.code},DITOLAK,NIK tidak sesuai",
        "LT-9999-ZZZZ,SELESAI,",
        f"{made[2].code},SELESAI,",
    ]
    table = ("\n".join(lines) + "\n").encode()
    returns = fakes.services.returns
    run, target, no_zip = returns.create(
        DUKCAPIL,
        return_id=None,
        table=ReturnFile("hasil.csv", hashlib.sha256(table).hexdigest(), len(table), "text/csv"),
        pdfs=None,
    )
    assert target is not None and no_zip is None
    fakes.blobs.accept_upload(target.url, "text/csv", table)

    returns.start(DUKCAPIL, run.id)
    drain_until_idle(fakes.services)

    summary = returns.get(DUKCAPIL, run.id)
    assert summary.run.status == RETURN_DONE
    assert summary.counts["applied"] == 3 and summary.counts["refused"] == 1
    assert fakes.records.get_request(done.id).status is Status.SELESAI  # type: ignore[union-attr]
    assert fakes.records.get_request(rejected.id).status is Status.DITOLAK  # type: ignore[union-attr]
    rows = fakes.records.return_lines(run.id, after=0, limit=10)
    assert [(r.code, r.outcome) for r in rows] == [
        (done.code, "applied"),
        (rejected.code, "applied"),
        ("LT-9999-ZZZZ", "refused"),
        (made[2].code, "applied"),
    ]
    assert len(fakes.records.return_chunk_counts(run.id)) == 2  # RETURN_CHUNK_ROWS=2
