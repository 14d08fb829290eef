"""domain/retention.py: which clock runs, when it runs out, the warning window, the skeleton."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.domain.retention import (
    ABANDONED_CLOCK,
    FINAL_CLOCK,
    UNCOLLECTED_CLOCK,
    RetentionPolicy,
    blob_prefixes,
    erased,
    is_due,
    purge_due,
    purge_warning,
    retention_clock,
)

NOW = datetime(2026, 6, 1, 8, tzinfo=UTC)
POLICY = RetentionPolicy(retention_days=90, uncollected_days=365, abandoned_days=60)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def request(status: Status, *, since_days: float = 0, updated_days: float = 0) -> Request:
    created = iso(NOW - timedelta(days=400))
    return Request(
        id="req-1",
        code="LT-2345-6789",
        service="KTP_BARU",
        desa="52.03.01.2001",
        applicant={"nik": "5203015708900001", "name": "Siti Aminah", "phone": "0812"},
        subject={"name": "Bayi", "birth_date": "2026-01-01", "birth_place": "Selong"},
        notes="rumah dekat masjid",
        status=status,
        version=7,
        created_by="op.a",
        created_at=created,
        updated_at=iso(NOW - timedelta(days=updated_days)),
        status_since=iso(NOW - timedelta(days=since_days)),
        token="tok",
        submission=2,
        berkas_key="berkas/req-1/2.pdf",
        issued={"key": "issued/req-1/ab", "sha256": "ab", "size": 5, "state": "ok", "at": created},
        handover={"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"},
    )


@pytest.mark.parametrize(
    ("status", "clock"),
    [
        (Status.DITOLAK, FINAL_CLOCK),
        (Status.DISERAHKAN, FINAL_CLOCK),
        (Status.DIBATALKAN, FINAL_CLOCK),
        (Status.SELESAI, UNCOLLECTED_CLOCK),
        (Status.DRAF, ABANDONED_CLOCK),
        (Status.PERLU_PERBAIKAN, ABANDONED_CLOCK),
    ],
)
def test_each_kept_status_runs_its_clock(status: Status, clock: str) -> None:
    running = retention_clock(request(status, since_days=3, updated_days=1))
    assert running is not None and running.name == clock


@pytest.mark.parametrize("status", [Status.DIAJUKAN, Status.DITERIMA, Status.DIPROSES])
def test_work_in_hand_at_dukcapil_runs_no_clock(status: Status) -> None:
    assert retention_clock(request(status, since_days=900)) is None
    assert purge_due(request(status, since_days=900), POLICY) is None


def test_final_is_due_retention_days_after_its_status() -> None:
    assert not is_due(request(Status.DISERAHKAN, since_days=89), POLICY, NOW)
    assert is_due(request(Status.DISERAHKAN, since_days=90), POLICY, NOW)
    due = purge_due(request(Status.DITOLAK, since_days=10), POLICY)
    assert due == NOW + timedelta(days=80)


def test_selesai_never_collected_is_due_after_uncollected_days() -> None:
    assert not is_due(request(Status.SELESAI, since_days=364), POLICY, NOW)
    assert is_due(request(Status.SELESAI, since_days=365), POLICY, NOW)


def test_an_abandoned_draft_counts_from_its_last_change_not_its_status() -> None:
    touched = request(Status.DRAF, since_days=200, updated_days=59)
    assert not is_due(touched, POLICY, NOW)
    assert is_due(replace(touched, updated_at=iso(NOW - timedelta(days=60))), POLICY, NOW)


def test_the_desa_is_warned_from_seven_days_before_an_abandoned_request_goes() -> None:
    assert not purge_warning(request(Status.PERLU_PERBAIKAN, updated_days=52.9), POLICY, NOW)
    assert purge_warning(request(Status.PERLU_PERBAIKAN, updated_days=53), POLICY, NOW)
    assert purge_warning(request(Status.DRAF, updated_days=59), POLICY, NOW)
    # Only abandoned drafts are announced: a final request simply goes.
    assert not purge_warning(request(Status.DITOLAK, since_days=89), POLICY, NOW)


def test_the_skeleton_keeps_no_personal_value_and_stops_the_clock() -> None:
    final = request(Status.DISERAHKAN, since_days=100)
    at = iso(NOW)
    skeleton = erased(final, at)
    assert skeleton.applicant == {} and skeleton.subject is None and skeleton.notes == ""
    assert skeleton.token is None and skeleton.berkas_key is None
    assert skeleton.handover == {"relation": "PEMOHON", "via": "LOKET"}
    assert skeleton.issued == {"at": final.created_at}
    kept = ("id", "code", "service", "desa", "status", "status_since", "created_at", "submission")
    assert all(getattr(skeleton, name) == getattr(final, name) for name in kept)
    assert "Siti" not in repr(skeleton) and "5203015708900001" not in repr(skeleton)
    assert retention_clock(skeleton) is None
    assert not is_due(skeleton, RetentionPolicy(0, 0, 0), NOW + timedelta(days=999))


def test_a_request_only_stripped_of_files_by_an_older_version_is_still_due() -> None:
    legacy = replace(request(Status.DISERAHKAN, since_days=100), purged_at=iso(NOW))
    running = retention_clock(legacy)
    assert running is not None and running.name == FINAL_CLOCK


def test_an_erased_selesai_handed_over_later_runs_the_final_clock_again() -> None:
    skeleton = erased(request(Status.SELESAI, since_days=400), iso(NOW))
    later = iso(NOW + timedelta(days=2))
    handed = replace(
        skeleton, status=Status.DISERAHKAN, status_since=later, handover={"received_by": "X"}
    )
    running = retention_clock(handed)
    assert running is not None and (running.name, running.since) == (FINAL_CLOCK, later)


def test_blob_prefixes_cover_every_kind_of_request_blob() -> None:
    assert blob_prefixes("r1") == ["scans/r1/", "berkas/r1/", "issued/r1/"]
