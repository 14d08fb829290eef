"""The Records contract for bulk returns: runs, line results (first stored wins), chunk counts,
and requests read by code in one call (on SQLite and on DynamoDB/moto)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from bakso.domain.lifecycle import Status
from bakso.domain.model import Event, Request
from bakso.domain.returns import ReturnFile, ReturnLine, ReturnRun
from bakso.ports import RETURN_LINES_PER_WRITE, Records

AT = "2026-01-05T08:00:00.000+00:00"
TABLE = ReturnFile("hasil.csv", "a" * 64, 120, "text/csv")
PDFS = ReturnFile("terbit.zip", "b" * 64, 9_000, "application/zip")


def run(**changes: object) -> ReturnRun:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "created_by": "dukcapil",
        "role": "dukcapil",
        "created_at": AT,
        "table": TABLE,
        "pdfs": PDFS,
    }
    values.update(changes)
    return ReturnRun(**values)  # type: ignore[arg-type]


def line(return_id: str, seq: int, outcome: str = "applied", detail: str = "ok") -> ReturnLine:
    return ReturnLine(return_id, seq, seq, f"LT-{seq:04d}-AAAA", outcome, detail)


def test_return_run_is_created_once_and_saved(records: Records) -> None:
    first = run()
    assert records.create_return(first) is True
    assert records.create_return(replace(first, created_by="lain")) is False
    assert records.get_return(first.id) == first

    first.status, first.rows_total, first.chunks_total = "RUNNING", 250, 3
    records.save_return(first)
    stored = records.get_return(first.id)
    assert stored is not None and (stored.status, stored.rows_total) == ("RUNNING", 250)
    assert stored.pdfs == PDFS and stored.table == TABLE

    assert records.get_return(str(uuid.uuid4())) is None
    records.save_return(run())  # saving an unknown run changes nothing
    without_zip = run(pdfs=None)
    assert records.create_return(without_zip)
    stored = records.get_return(without_zip.id)
    assert stored is not None and stored.pdfs is None


def test_line_results_keep_the_first_result_and_page_in_seq_order(records: Records) -> None:
    current = run()
    records.create_return(current)
    records.add_return_lines(current.id, [line(current.id, s) for s in (2, 3, 5, 8)])
    # A redelivered chunk: what is stored stays, what is new is added.
    records.add_return_lines(
        current.id,
        [line(current.id, 3, "unchanged", "again"), line(current.id, 9, "refused", "x")],
    )

    lines = records.return_lines(current.id, after=0, limit=10)
    assert [(x.seq, x.outcome) for x in lines] == [
        (2, "applied"),
        (3, "applied"),
        (5, "applied"),
        (8, "applied"),
        (9, "refused"),
    ]
    assert [x.seq for x in records.return_lines(current.id, after=3, limit=2)] == [5, 8]
    assert records.return_lines(current.id, after=9, limit=5) == []
    assert records.return_lines(current.id, after=0, limit=0) == []
    other = run()
    records.create_return(other)
    assert records.return_lines(other.id, after=0, limit=10) == []


def test_a_full_write_of_lines_is_stored_whole(records: Records) -> None:
    current = run()
    records.create_return(current)
    lines = [line(current.id, s) for s in range(2, 2 + RETURN_LINES_PER_WRITE)]
    records.add_return_lines(current.id, lines[:40])
    records.add_return_lines(current.id, lines)

    stored = records.return_lines(current.id, after=0, limit=1000)
    assert stored == lines


def test_chunk_counts_are_set_not_added(records: Records) -> None:
    current = run()
    records.create_return(current)
    records.record_return_chunk(current.id, 0, {"applied": 90, "unchanged": 0, "refused": 10})
    records.record_return_chunk(current.id, 1, {"applied": 5, "unchanged": 1, "refused": 0})
    records.record_return_chunk(current.id, 0, {"applied": 90, "unchanged": 0, "refused": 10})

    assert records.return_chunk_counts(current.id) == {
        0: {"applied": 90, "unchanged": 0, "refused": 10},
        1: {"applied": 5, "unchanged": 1, "refused": 0},
    }
    assert records.return_chunk_counts(str(uuid.uuid4())) == {}


def _request(code: str) -> Request:
    request_id = str(uuid.uuid4())
    return Request(
        id=request_id,
        code=code,
        service="AKTA_LAHIR",
        desa="52.03.01.2001",
        applicant={"nik": "5203015708900001", "name": "Siti"},
        subject=None,
        notes="",
        status=Status.DIPROSES,
        version=1,
        created_by="op.a",
        created_at=AT,
        updated_at=AT,
        status_since=AT,
    )


def test_requests_are_read_by_their_codes_at_once(records: Records) -> None:
    made = [_request(f"LT-{i:04d}-BBBB") for i in range(130)]  # more than one BatchGet call
    for request in made:
        event = Event(request.id, AT, "op.a", None, Status.DRAF, "", "request.create")
        assert records.create_request(request, event)

    wanted = [r.code for r in made[::2]] + ["LT-0000-ZZZZ", made[0].code]
    found = records.get_requests_by_codes(wanted)

    assert set(found) == {r.code for r in made[::2]}
    assert found[made[2].code] == made[2]
    assert records.get_requests_by_codes([]) == {}
