"""Requests started from one worklist row, one per document it lacks (#14).

A resident lacking KK and akta gets two requests; a DITOLAK or DIBATALKAN
request frees its document for a new one; the row (and the coverage counters)
count as served only when every document it lacks is issued.
"""

from __future__ import annotations

import dataclasses
import uuid

from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.domain.sasaran import SasaranRow, link_request, row_counters
from helpers import DESA_A
from sasaran.support import csv_file, worklist


def _row(**extra: object) -> SasaranRow:
    return SasaranRow(
        id="s1", desa=DESA_A, name="Amaq", address="Dusun", documents=["KK", "AKTA_LAHIR"], **extra
    )


def _link(row: SasaranRow, rid: str, service: str, status: str, version: int) -> SasaranRow:
    after = link_request(
        row,
        request_id=rid,
        service=service,
        status=status,
        version=version,
        at=f"2026-03-0{version}",
    )
    return row if after is None else after


def test_a_row_is_served_only_when_every_document_it_lacks_is_issued() -> None:
    row = _link(_row(), "r-kk", "KK_BARU", "SELESAI", 5)
    assert set(row.requests) == {"KK"} and not row.served
    assert row_counters(row).get("served", 0) == 0
    row = _link(row, "r-akta", "AKTA_LAHIR", "DIAJUKAN", 2)
    assert set(row.requests) == {"KK", "AKTA_LAHIR"} and not row.served
    row = _link(row, "r-akta", "AKTA_LAHIR", "DISERAHKAN", 6)
    assert row.served and row.served_at == "2026-03-06"
    assert row_counters(row)["served"] == 1
    row = _link(row, "r-kk", "KK_BARU", "DIBATALKAN", 7)
    assert not row.served and row.served_at is None


def test_a_refused_request_frees_its_document_and_a_live_one_keeps_it() -> None:
    row = _link(_row(), "r1", "KK_BARU", "DIAJUKAN", 2)
    assert _link(row, "r2", "KK_BARU", "DIAJUKAN", 2).requests["KK"]["id"] == "r1"
    row = _link(row, "r1", "KK_BARU", "DITOLAK", 3)
    row = _link(row, "r2", "KK_BARU", "DRAF", 1)
    assert row.requests["KK"] == {"id": "r2", "status": "DRAF", "version": 1}
    # A late change of the refused request does not take the document back.
    assert _link(row, "r1", "KK_BARU", "DITOLAK", 3).requests["KK"]["id"] == "r2"
    # An older change of the linked request arriving late is ignored.
    row = _link(row, "r2", "KK_BARU", "DIAJUKAN", 3)
    assert _link(row, "r2", "KK_BARU", "DRAF", 2).requests["KK"]["status"] == "DIAJUKAN"


def test_a_row_stored_with_one_request_id_is_read_as_a_per_document_link() -> None:
    old = {
        **_row().to_record(),
        "documents": ["KK"],
        "request_id": "r1",
        "request_status": "SELESAI",
        "request_version": 5,
        "served_request_id": "r1",
        "served_at": "2026-03-05",
    }
    del old["requests"]
    row = SasaranRow.from_record(old)
    assert row.requests == {"KK": {"id": "r1", "status": "SELESAI", "version": 5}}
    assert row.served and row_counters(row)["served"] == 1
    # Two documents: which one is unknown until that request changes again.
    two = SasaranRow.from_record({**old, "documents": ["KK", "AKTA_LAHIR"]})
    assert set(two.requests) == {"?"} and two.served  # as counted before
    moved = _link(two, "r1", "KK_BARU", "DISERAHKAN", 6)
    assert set(moved.requests) == {"KK"} and not moved.served  # the akta is still lacking


def _request(sasaran_id: str, service: str) -> Request:
    return Request(
        id=str(uuid.uuid4()),
        code="LT-TEST-0001",
        service=service,
        desa=DESA_A,
        applicant={},
        subject=None,
        notes="",
        status=Status.DRAF,
        version=1,
        created_by="op",
        created_at="2026-03-02T01:00:00.000+00:00",
        updated_at="",
        status_since="2026-03-02T01:00:00.000+00:00",
        sasaran_id=sasaran_id,
    )


def test_two_documents_two_requests_and_the_counters_follow(
    importer, api_factory, services
) -> None:
    importer.run(csv_file(f",Amaq Saleh,{DESA_A},Dusun Lendang,KK;AKTA_LAHIR,LANSIA,"))
    op = api_factory("op.a")
    row_id = worklist(op)[0]["id"]

    def move(request: Request, to: Status, day: int) -> Request:
        when = f"2026-03-{day:02d}T01:00:00.000+00:00"
        after = dataclasses.replace(request, status=to, version=request.version + 1)
        after = dataclasses.replace(after, status_since=when, updated_at=when)
        services.sasaran.on_request_change(request, after, when)
        return after

    kk, akta = _request(row_id, "KK_BARU"), _request(row_id, "AKTA_LAHIR")
    for request in (kk, akta):
        services.sasaran.on_request_change(None, request, request.created_at)
    kk = move(kk, Status.SELESAI, 3)
    shown = op.get(f"/api/v1/sasaran/{row_id}").get_json()
    assert {r["document"]: r["status"] for r in shown["requests"]} == {
        "KK": "SELESAI",
        "AKTA_LAHIR": "DRAF",
    }
    assert shown["served"] is False
    assert op.get("/api/v1/stats/coverage").get_json()["total"]["served"] == 0

    akta = move(akta, Status.DITOLAK, 4)
    again = move(_request(row_id, "AKTA_LAHIR"), Status.DISERAHKAN, 5)
    shown = op.get(f"/api/v1/sasaran/{row_id}").get_json()
    assert {r["document"]: (r["id"], r["live"]) for r in shown["requests"]} == {
        "KK": (kk.id, True),
        "AKTA_LAHIR": (again.id, True),
    }
    assert shown["served"] is True
    total = op.get("/api/v1/stats/coverage").get_json()["total"]
    assert total["served"] == 1
    assert next(r for r in total["rentan"] if r["category"] == "LANSIA")["served"] == 1


def test_an_import_adding_a_document_takes_a_served_row_out_of_served(
    importer, api_factory, services
) -> None:
    importer.run(csv_file(f"5203015708900001,Inaq Rah,{DESA_A},Dusun Baru,KK,,"))
    op = api_factory("op.a")
    row_id = worklist(op)[0]["id"]
    kk = _request(row_id, "KK_BARU")
    services.sasaran.on_request_change(None, kk, kk.created_at)
    done = dataclasses.replace(kk, status=Status.SELESAI, version=2)
    services.sasaran.on_request_change(kk, done, "2026-03-03T01:00:00.000+00:00")
    assert op.get("/api/v1/stats/coverage").get_json()["total"]["served"] == 1

    importer.run(csv_file(f"5203015708900001,Inaq Rah,{DESA_A},Dusun Baru,KK;AKTA_LAHIR,,"))
    assert op.get(f"/api/v1/sasaran/{row_id}").get_json()["served"] is False
    assert op.get("/api/v1/stats/coverage").get_json()["total"]["served"] == 0
