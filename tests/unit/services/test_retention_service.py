"""Retention on the fakes: what is due is erased whole, nothing else is read or touched."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bakso.domain.lifecycle import Status
from bakso.domain.model import Actor, Draft, Request
from bakso.domain.retention import RetentionPolicy
from bakso.ports import Page
from bakso.services.retention import RetentionService
from bakso.workers.handlers import drain_until_idle
from fakes import FakeRecords, FakeSet, build_services
from helpers import DESA_A, KK, NIK_WOMAN, fake_jpeg, valid_fields
from unit.services.support import DUKCAPIL, OPERATOR, upload_scan

POLICY = RetentionPolicy(retention_days=90, uncollected_days=365, abandoned_days=60)
PERSONAL = (NIK_WOMAN, KK, "Siti Aminah", "081234567890", "Jalan Kenari 7", "Bayi Kenari")


def later(days: float) -> Callable[[], datetime]:
    moment = datetime.now(UTC) + timedelta(days=days)
    return lambda: moment


def retention(fakes: FakeSet, clock: Callable[[], datetime]) -> RetentionService:
    services = fakes.services
    return RetentionService(
        fakes.records,
        fakes.blobs,
        services.regions,
        clock,
        POLICY,
        services.requests.cancel_abandoned,
    )


def new_draft(fakes: FakeSet) -> str:
    request_id = str(uuid.uuid4())
    applicant = {
        "nik": NIK_WOMAN,
        "name": "Siti Aminah",
        "kk": KK,
        "phone": "081234567890",
        "address": "Jalan Kenari 7",
    }
    subject = {"name": "Bayi Kenari", "birth_date": "2026-01-02", "birth_place": "Selong"}
    draft = Draft(
        service="KTP_BARU",
        desa=DESA_A,
        applicant=applicant,
        subject=subject,
        notes="Siti Aminah, dekat pasar",
        fields=valid_fields("KTP_BARU"),  # submit requires the form (docs/forms.md)
    )
    fakes.services.requests.upsert_draft(OPERATOR, request_id, draft)
    upload_scan(fakes, OPERATOR, request_id)
    return request_id


def move(fakes: FakeSet, actor: Actor, request_id: str, to: Status, **kw: Any) -> Request:
    requests = fakes.services.requests
    current = requests.get(actor, request_id)
    return requests.transition(
        actor, request_id, to=to.value, note=kw.pop("note", ""), version=current.version, **kw
    )


def selesai(fakes: FakeSet) -> str:
    """Submitted twice (two berkas.pdf), a superseded issued PDF, then SELESAI."""
    requests = fakes.services.requests
    request_id = new_draft(fakes)
    requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    move(fakes, DUKCAPIL, request_id, Status.DITERIMA)
    move(fakes, DUKCAPIL, request_id, Status.PERLU_PERBAIKAN, note="Foto KK Siti Aminah buram")
    upload(fakes, request_id, "sharper photo")  # the repair: a new scan of the KK
    requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    move(fakes, DUKCAPIL, request_id, Status.DITERIMA)
    move(fakes, DUKCAPIL, request_id, Status.DIPROSES)
    for text in (b"first", b"second"):
        current = requests.get(DUKCAPIL, request_id)
        requests.attach_issued_bytes(DUKCAPIL, current, b"%PDF-1.4 " + text + NIK_WOMAN.encode())
    move(fakes, DUKCAPIL, request_id, Status.SELESAI)
    return request_id


def handed_over(fakes: FakeSet) -> str:
    request_id = selesai(fakes)
    handover = {"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"}
    move(fakes, OPERATOR, request_id, Status.DISERAHKAN, handover=handover)
    return request_id


def upload(fakes: FakeSet, request_id: str, seed: str) -> None:
    data = fake_jpeg(f"{request_id}:{seed}", size=16)
    requests = fakes.services.requests
    scan, target = requests.register_scan(
        OPERATOR,
        request_id,
        requirement="KK",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/jpeg",
    )
    assert target is not None
    fakes.blobs.accept_upload(target.url, "image/jpeg", data)
    requests.complete_scan(OPERATOR, request_id, scan.id)


def blobs_of(fakes: FakeSet, request_id: str) -> list[str]:
    return [key for key in fakes.blobs._blobs if request_id in key]


def stored_text(fakes: FakeSet) -> str:
    """Everything the fakes hold about requests, as text to search."""
    records = fakes.records
    return repr((records._requests, records._timelines, records._audit, records._scans))


def test_a_request_final_past_retention_days_is_erased_whole(fakes: FakeSet) -> None:
    old = handed_over(fakes)
    keys = blobs_of(fakes, old)
    # Two scans, two berkas.pdf, two issued PDFs: nothing recorded names the old ones.
    assert sum(k.startswith(("berkas/", "issued/")) for k in keys) == 4
    assert all(value in stored_text(fakes) for value in PERSONAL)

    report = retention(fakes, later(91)).purge()

    assert (report.requests, report.blobs, report.cancelled) == (1, len(keys), 0)
    assert blobs_of(fakes, old) == []
    assert fakes.records.list_scans(old) == []
    text = stored_text(fakes)
    assert [value for value in PERSONAL if value in text] == []
    erased = fakes.records.get_request(old)
    assert erased is not None and erased.purged_at is not None
    assert (erased.status, erased.service, erased.desa) == (
        Status.DISERAHKAN,
        "KTP_BARU",
        OPERATOR.desa,
    )
    timeline = fakes.records.timeline(old)
    assert [e.to_status for e in timeline][-1] is Status.DISERAHKAN
    assert all(e.note == "" for e in timeline)
    assert fakes.records.audit_entries()[-1].action == "request.purged"


def test_nothing_is_erased_before_its_time(fakes: FakeSet) -> None:
    final = handed_over(fakes)
    uncollected = selesai(fakes)
    draft = new_draft(fakes)
    before = stored_text(fakes), sorted(fakes.blobs._blobs)

    report = retention(fakes, later(59)).purge()

    assert report.to_dict() == {"requests": 0, "blobs": 0, "cancelled": 0}
    assert (stored_text(fakes), sorted(fakes.blobs._blobs)) == before
    assert all(blobs_of(fakes, r) for r in (final, uncollected, draft))


def test_selesai_never_handed_over_is_erased_after_uncollected_days(fakes: FakeSet) -> None:
    request_id = selesai(fakes)
    assert retention(fakes, later(364)).purge().requests == 0

    assert retention(fakes, later(366)).purge().requests == 1

    erased = fakes.records.get_request(request_id)
    assert erased is not None and erased.status is Status.SELESAI and erased.applicant == {}
    assert blobs_of(fakes, request_id) == []


def test_an_abandoned_draft_is_announced_then_cancelled_by_the_system_and_erased(
    fakes: FakeSet,
) -> None:
    request_id = new_draft(fakes)
    stored = fakes.records.get_request(request_id)
    assert stored is not None
    assert not retention(fakes, later(52)).note(stored).purge_warning
    warned = retention(fakes, later(54)).note(stored)
    assert warned.purge_warning and warned.purge_due is not None
    assert retention(fakes, later(54)).purge().requests == 0  # announced, not yet deleted

    report = retention(fakes, later(61)).purge()

    assert (report.requests, report.cancelled) == (1, 1)
    erased = fakes.records.get_request(request_id)
    assert erased is not None and erased.status is Status.DIBATALKAN
    assert erased.applicant == {} and erased.purged_at is not None
    last = fakes.records.timeline(request_id)[-1]
    assert (last.by, last.from_status, last.to_status) == ("sistem", Status.DRAF, Status.DIBATALKAN)
    assert blobs_of(fakes, request_id) == []


def test_an_abandoned_request_in_repair_is_cancelled_too(fakes: FakeSet) -> None:
    request_id = new_draft(fakes)
    fakes.services.requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    move(fakes, DUKCAPIL, request_id, Status.DITERIMA)
    move(fakes, DUKCAPIL, request_id, Status.PERLU_PERBAIKAN, note="KK buram")

    assert retention(fakes, later(61)).purge().cancelled == 1

    erased = fakes.records.get_request(request_id)
    assert erased is not None and erased.status is Status.DIBATALKAN and erased.applicant == {}


def test_a_draft_touched_while_the_job_runs_is_left_for_the_next_run(fakes: FakeSet) -> None:
    request_id = new_draft(fakes)
    job = retention(fakes, later(61))
    job.cancel = lambda request, note: None  # the desa saved it meanwhile: the move failed

    assert job.purge().to_dict() == {"requests": 0, "blobs": 0, "cancelled": 0}

    kept = fakes.records.get_request(request_id)
    assert kept is not None and kept.status is Status.DRAF and kept.applicant["nik"] == NIK_WOMAN
    assert blobs_of(fakes, request_id)


def test_a_second_run_changes_nothing(fakes: FakeSet) -> None:
    handed_over(fakes)
    selesai(fakes)
    new_draft(fakes)
    job = retention(fakes, later(400))
    assert job.purge().requests == 3
    after_first = stored_text(fakes), sorted(fakes.blobs._blobs)

    assert job.purge().to_dict() == {"requests": 0, "blobs": 0, "cancelled": 0}
    assert (stored_text(fakes), sorted(fakes.blobs._blobs)) == after_first


class CountingRecords(FakeRecords):
    """Records that note every request a read hands out."""

    def __init__(self) -> None:
        super().__init__()
        self.read: list[str] = []

    def _seen(self, page: Page) -> Page:
        self.read += [r.id for r in page.items]
        return page

    def get_request(self, request_id: str) -> Request | None:
        found = super().get_request(request_id)
        self.read += [found.id] if found else []
        return found

    def list_requests(self, **kw: Any) -> Page:
        return self._seen(super().list_requests(**kw))

    def list_retention_due(self, **kw: Any) -> Page:
        return self._seen(super().list_retention_due(**kw))


def test_the_job_reads_only_what_is_due() -> None:
    counting = CountingRecords()
    fakes = build_services_on(counting)
    due = new_draft(fakes)
    job = retention(fakes, later(61))
    for _ in range(5):  # drafts touched since: their clocks started later, not yet due
        fresh = counting.get_request(new_draft(fakes))
        assert fresh is not None
        touched = replace(fresh, updated_at=job.clock().isoformat(timespec="milliseconds"))
        counting.save_request(touched, fresh.version, None)
    handed_over(fakes)  # and a final request, not yet due either
    counting.read.clear()

    assert job.purge().requests == 1

    assert set(counting.read) == {due}


def build_services_on(records: FakeRecords) -> FakeSet:
    """tests/fakes.build_services, with `records` in place of a fresh FakeRecords."""
    return build_services(records)


def test_a_blob_outside_the_request_prefixes_is_deleted_by_its_recorded_key(
    fakes: FakeSet,
) -> None:
    request_id = handed_over(fakes)
    (scan, *_) = fakes.records.list_scans(request_id)
    moved_key = f"legacy/{request_id}.jpg"
    fakes.blobs.put(moved_key, io.BytesIO(b"\xff\xd8old"), "image/jpeg")
    fakes.records.delete_scan(request_id, scan.id)
    fakes.records.add_scan(replace(scan, key=moved_key))

    retention(fakes, later(91)).purge()

    assert fakes.blobs.size(moved_key) is None
