"""Submitting a request: draft → scans → submit → the worker verifies and marks it ready."""

from __future__ import annotations

import uuid

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.lifecycle import Status
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from unit.services.support import OPERATOR, ktp_draft, submitted, upload_scan


def test_a_complete_draft_is_submitted_and_the_worker_marks_it_ready(fakes: FakeSet) -> None:
    request_id = str(uuid.uuid4())
    draft, created = fakes.services.requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    assert created and draft.status is Status.DRAF
    upload_scan(fakes, OPERATOR, request_id)

    sent = fakes.services.requests.submit(OPERATOR, request_id)

    assert sent.status is Status.DIAJUKAN and sent.token and not sent.ready
    assert len(fakes.queue.pending()) == 1
    assert drain_until_idle(fakes.services) == 1
    ready = fakes.records.get_request(request_id)
    assert ready is not None and ready.ready and ready.version == sent.version
    assert ready.berkas_key is not None
    assert fakes.blobs.read_head(ready.berkas_key, 5) == b"%PDF-"
    assert [e.to_status for e in fakes.records.timeline(request_id)] == [
        Status.DRAF,
        Status.DIAJUKAN,
    ]
    assert fakes.records.audit_entries()[-1].action == "request.verified"


def test_submit_without_a_mandatory_document_names_it(fakes: FakeSet) -> None:
    request_id = str(uuid.uuid4())
    fakes.services.requests.upsert_draft(OPERATOR, request_id, ktp_draft())

    with pytest.raises(InvalidInput) as caught:
        fakes.services.requests.submit(OPERATOR, request_id)

    assert [m["code"] for m in caught.value.extra["missing"]] == ["KK"]
    assert fakes.queue.pending() == []


def test_a_replayed_submit_changes_nothing_and_resends_a_lost_verification(
    fakes: FakeSet,
) -> None:
    sent = submitted(fakes, OPERATOR)
    (lost,) = fakes.queue.receive()
    fakes.queue.ack(lost)  # the message was lost before the worker did anything

    again = fakes.services.requests.submit(OPERATOR, sent.id)

    assert again == sent
    assert len(fakes.queue.pending()) == 1
    drain_until_idle(fakes.services)
    assert fakes.records.get_request(sent.id).ready  # type: ignore[union-attr]


def test_a_scan_lost_after_submit_sends_the_request_back_to_the_desa(fakes: FakeSet) -> None:
    sent = submitted(fakes, OPERATOR)
    (scan,) = fakes.records.list_scans(sent.id)
    fakes.blobs.delete(scan.key)

    drain_until_idle(fakes.services)

    back = fakes.records.get_request(sent.id)
    assert back is not None and back.status is Status.PERLU_PERBAIKAN
    last = fakes.records.timeline(sent.id)[-1]
    assert last.by == "sistem" and "tidak ditemukan" in last.note
