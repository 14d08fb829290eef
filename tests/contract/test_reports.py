"""The report store (ports.reports) on every adapter set: SQLite, DynamoDB on moto, memory."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.reports import Report, ReportKind, ReportStatus, erased_report, followed_up
from bakso.ports import Records


def _report(n: int, kabupaten: str = "5203", request_id: str = "req-1") -> Report:
    return Report(
        id=f"LPR-{n:08d}",
        request_id=request_id,
        desa=f"{kabupaten}010001",
        kabupaten=kabupaten,
        service="AKTA_LAHIR",
        kind=ReportKind.DIMINTA_MEMBAYAR,
        text=f"Diminta Rp50.000 untuk map, laporan {n}",
        amount=50_000,
        happened_on="2026-01-02",
        by_whom="petugas loket",
        contact="0812-0000-1111",
        status=ReportStatus.DITERIMA,
        created_at=f"2026-01-0{1 + n % 9}T08:00:0{n % 10}.000+00:00",
    )


def test_a_form_sent_twice_stores_one_report(records: Records) -> None:
    store = records
    first = store.add_report(_report(1), "form-aaaaaaaaaaaaaaaa")
    again = store.add_report(replace(_report(2), text="lain"), "form-aaaaaaaaaaaaaaaa")
    assert again == first
    assert store.get_report(_report(2).id) is None
    assert [r.id for r in store.reports_of_request("req-1", 10)] == [first.id]
    assert store.report_counts("5203") == {"diterima": 1}


def test_the_kabupaten_list_is_newest_first_paged_and_its_own(records: Records) -> None:
    store = records
    for n in range(1, 6):
        store.add_report(_report(n), f"form-{n:016d}")
    store.add_report(_report(9, kabupaten="5204", request_id="req-9"), "form-other-kabupaten")
    page = store.reports_of_kabupaten("5203", 2)
    seen = [r.id for r in page.items]
    while page.cursor:
        page = store.reports_of_kabupaten("5203", 2, page.cursor)
        seen += [r.id for r in page.items]
    expected = sorted(range(1, 6), key=lambda n: _report(n).created_at, reverse=True)
    assert seen == [f"LPR-{n:08d}" for n in expected]
    assert [r.id for r in store.reports_of_kabupaten("5204", 10).items] == ["LPR-00000009"]


def test_follow_ups_move_the_counts_and_a_stale_version_is_refused(
    records: Records,
) -> None:
    store = records
    report = store.add_report(_report(1), "form-bbbbbbbbbbbbbbbb")
    moved = followed_up(
        report, "2026-01-03T00:00:00.000+00:00", "inspektur", "Dicek.", ReportStatus.DITINDAKLANJUTI
    )
    store.save_report(moved, report.version)
    with pytest.raises(Conflict):
        store.save_report(followed_up(report, "x", "y", "z", None), report.version)
    closed = followed_up(
        moved, "2026-01-04T00:00:00.000+00:00", "inspektur", "Selesai.", ReportStatus.SELESAI
    )
    store.save_report(closed, moved.version)
    stored = store.get_report(report.id)
    assert stored is not None and stored.status is ReportStatus.SELESAI
    assert [f.note for f in stored.followups] == ["Dicek.", "Selesai."]
    assert store.report_counts("5203").get("selesai") == 1
    assert store.report_counts("5203").get("diterima", 0) == 0


def test_an_erased_report_keeps_ids_and_status_only(records: Records) -> None:
    store = records
    report = store.add_report(_report(1), "form-cccccccccccccccc")
    store.save_report(erased_report(report, "2027-01-01T00:00:00.000+00:00"), report.version)
    stored = store.get_report(report.id)
    assert stored is not None
    assert (stored.text, stored.contact, stored.by_whom, stored.amount) == ("", "", "", None)
    assert (stored.request_id, stored.status) == ("req-1", ReportStatus.DITERIMA)
