"""Messages to the resident (services/notifications.py) on the fakes: one per move told of,
only with consent, never twice for one key, retried on a transient failure, and never in
the way of a transition."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bakso.domain.model import Draft, Request
from bakso.messages import NotifyResident
from bakso.services.notifications import notification_key
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from helpers import DESA_A, KK, NIK_WOMAN, valid_fields
from unit.services.support import DUKCAPIL, OPERATOR, upload_scan

NAME = "Siti Aminah"
PIN = "482915"


def consenting(notify: bool = True, phone: str = "0812-3456-7890") -> Draft:
    applicant = {"nik": NIK_WOMAN, "name": NAME, "kk": KK, "phone": phone, "notify": notify}
    return Draft(
        service="KTP_BARU", desa=DESA_A, applicant=applicant, fields=valid_fields("KTP_BARU")
    )


def taken(fakes: FakeSet, draft: Draft | None = None) -> Request:
    """Created, its KK photographed, submitted with a PIN, verified by the worker."""
    request_id = str(uuid.uuid4())
    fakes.services.requests.upsert_draft(OPERATOR, request_id, draft or consenting())
    upload_scan(fakes, OPERATOR, request_id)
    fakes.services.requests.submit(OPERATOR, request_id, pin=PIN)
    drain_until_idle(fakes.services)
    return current(fakes, request_id)


def current(fakes: FakeSet, request_id: str) -> Request:
    request = fakes.records.get_request(request_id)
    assert request is not None
    return request


def move(fakes: FakeSet, request_id: str, to: str, note: str = "") -> Request:
    request = current(fakes, request_id)
    return fakes.services.requests.transition(
        DUKCAPIL, request_id, to=to, note=note, version=request.version
    )


def told(fakes: FakeSet, request_id: str) -> list[str]:
    """The texts the resident received, oldest first."""
    return [m.text for m in fakes.notifier.messages if m.request_id == request_id]


def to_selesai(fakes: FakeSet, request_id: str) -> None:
    for status in ("DITERIMA", "DIPROSES", "SELESAI"):
        move(fakes, request_id, status)
    drain_until_idle(fakes.services)


def test_a_request_taken_with_consent_is_told_once_of_each_notified_move(fakes: FakeSet) -> None:
    request = taken(fakes)
    to_selesai(fakes, request.id)

    texts = told(fakes, request.id)
    assert len(texts) == 2  # DIAJUKAN, SELESAI: DITERIMA and DIPROSES send nothing
    assert "sudah diajukan" in texts[0]
    assert "PIN" not in texts[0] and PIN not in texts[0]  # a card: never downloaded
    assert f"/cek/{request.token}" in texts[0]
    assert "selesai. Ambil di Dukcapil Lombok Timur atau UPT" in texts[1]  # a KTP-el card
    assert {m.to for m in fakes.notifier.messages} == {"+6281234567890"}
    for text in texts:
        assert NIK_WOMAN not in text and "Siti" not in text and "Aminah" not in text
    assert fakes.queue.pending() == []


def test_no_message_without_consent(fakes: FakeSet) -> None:
    request = taken(fakes, consenting(notify=False))
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "PERLU_PERBAIKAN", note="Foto KK buram")
    drain_until_idle(fakes.services)

    assert fakes.notifier.messages == []
    assert not any(b["type"] == NotifyResident.TYPE for b in fakes.queue.pending())


def test_a_second_repair_round_is_told_again_and_a_rejection_gives_the_reason(
    fakes: FakeSet,
) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "PERLU_PERBAIKAN", note=f"Foto KK {NAME} buram, NIK {NIK_WOMAN}")
    drain_until_idle(fakes.services)
    fakes.services.requests.submit(OPERATOR, request.id, pin=PIN)
    drain_until_idle(fakes.services)
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "PERLU_PERBAIKAN", note="Bawa KK asli")
    drain_until_idle(fakes.services)

    repairs = [t for t in told(fakes, request.id) if "perlu perbaikan" in t]
    assert len(repairs) == 2
    assert repairs[0].endswith("Bawa ke kantor desa: Foto KK *** buram, NIK ***")
    assert repairs[1].endswith("Bawa ke kantor desa: Bawa KK asli")


def test_a_redelivered_message_sends_nothing_more(fakes: FakeSet) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    moved = move(fakes, request.id, "PERLU_PERBAIKAN", note="Foto KK buram")
    body = fakes.queue.pending()[-1]
    assert body == NotifyResident(moved.id, moved.version, "PERLU_PERBAIKAN").to_body()
    fakes.queue.send(body)  # the same message twice on the queue, as SQS may deliver it
    drain_until_idle(fakes.services)
    fakes.services.notifications.deliver(NotifyResident(moved.id, moved.version, moved.status))

    assert len([t for t in told(fakes, request.id) if "perlu perbaikan" in t]) == 1
    assert fakes.records.notification_sent(notification_key(moved.id, moved.version), 0)


def test_a_transient_failure_is_retried_then_sent_once(fakes: FakeSet) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "DIPROSES")
    fakes.notifier.fail_next(2)
    move(fakes, request.id, "DITOLAK", note="Data tidak sesuai KK")

    for _ in range(3):  # two failures, then the queue's third delivery sends it
        drain_until_idle(fakes.services)
        fakes.clock.advance(600)  # past the visibility timeout

    rejected = [t for t in told(fakes, request.id) if "ditolak" in t]
    assert rejected == [rejected[0]] and rejected[0].endswith("Alasan: Data tidak sesuai KK")
    assert fakes.queue.pending() == [] and fakes.queue.dead_letters() == []


def test_a_permanent_failure_is_dropped_not_retried(fakes: FakeSet) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "DIPROSES")
    fakes.notifier.fail_next(1, transient=False)
    moved = move(fakes, request.id, "DITOLAK", note="Data tidak sesuai KK")
    drain_until_idle(fakes.services)

    assert not any("ditolak" in t for t in told(fakes, request.id))
    assert fakes.queue.pending() == [] and fakes.queue.dead_letters() == []
    assert not fakes.records.notification_sent(notification_key(moved.id, moved.version), 0)


def test_a_failed_enqueue_does_not_fail_the_transition(
    fakes: FakeSet, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    send = fakes.queue.send

    def refuse_notifications(body: dict[str, Any]) -> None:
        if body["type"] == NotifyResident.TYPE:
            raise RuntimeError(f"queue down for {NAME} +6281234567890")
        send(body)

    monkeypatch.setattr(fakes.queue, "send", refuse_notifications)
    moved = move(fakes, request.id, "PERLU_PERBAIKAN", note="Foto KK buram")

    assert moved.status == "PERLU_PERBAIKAN"
    assert current(fakes, request.id).status == "PERLU_PERBAIKAN"
    assert "not queued" in caplog.text
    assert NAME not in caplog.text and "6281234567890" not in caplog.text


def test_a_message_overtaken_by_a_later_move_is_not_sent(fakes: FakeSet) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    moved = move(fakes, request.id, "PERLU_PERBAIKAN", note="Foto KK buram")
    fakes.services.requests.submit(OPERATOR, request.id, pin=PIN)  # already resubmitted
    fakes.services.notifications.deliver(NotifyResident(moved.id, moved.version, moved.status))

    assert not any("perlu perbaikan" in t for t in told(fakes, request.id))


def test_nothing_is_sent_once_consent_is_erased_or_with_no_notifier(fakes: FakeSet) -> None:
    request = taken(fakes)
    move(fakes, request.id, "DITERIMA")
    move(fakes, request.id, "DIPROSES")
    moved = move(fakes, request.id, "SELESAI")
    message = NotifyResident(moved.id, moved.version, moved.status)
    fakes.services.notifications.notifier = None  # NOTIFIER=none
    drain_until_idle(fakes.services)
    assert len(told(fakes, request.id)) == 1  # DIAJUKAN's, before
    assert fakes.queue.pending() == []

    notifications = fakes.services.notifications
    notifications.notifier = fakes.notifier
    erased = current(fakes, request.id)
    fakes.records.save_request(
        Request.from_record({**erased.to_record(), "applicant": {}, "version": erased.version + 1}),
        erased.version,
        None,
    )
    notifications.deliver(message)
    assert len(told(fakes, request.id)) == 1


def test_the_developer_list_and_forget(fakes: FakeSet) -> None:
    request = taken(fakes)
    assert [m.request_id for m in fakes.services.notifications.sent()] == [request.id]
    fakes.services.notifications.forget(request.id)
    assert fakes.services.notifications.sent() == []
