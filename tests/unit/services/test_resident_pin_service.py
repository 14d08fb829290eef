"""The download PIN at submit (#18): kept as a hash from the first submission bringing one,
and the DIAJUKAN message queued with it sealed, only with the resident's consent."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from typing import Any

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.model import Actor, Request
from bakso.messages import NotifyResident
from bakso.services.resident_pin import pin_matches, unseal
from fakes import FakeSet
from helpers import valid_fields
from unit.services.support import DUKCAPIL, OPERATOR, ktp_draft, upload_scan

SECRET = "test-secret-key"  # fakes.build_services' SECRET_KEY
PIN = "314159"


def _draft_id(fakes: FakeSet, notify: bool) -> str:
    """A printable document's draft (a card gets no PIN): one mandatory document."""
    request_id = str(uuid.uuid4())
    draft = replace(ktp_draft(), service="PINDAH_DATANG", fields=valid_fields("PINDAH_DATANG"))
    if notify:
        draft = replace(draft, applicant={**draft.applicant, "notify": True})
    fakes.services.requests.upsert_draft(OPERATOR, request_id, draft)
    upload_scan(fakes, OPERATOR, request_id, requirement="SKPWNI")
    return request_id


def _notices(fakes: FakeSet) -> list[dict[str, Any]]:
    # The DIAJUKAN ones: the other statuses are the notification service's (helper B).
    return [
        m
        for m in fakes.queue.pending()
        if m["type"] == NotifyResident.TYPE and m["status"] == "DIAJUKAN"
    ]


def _move(fakes: FakeSet, request_id: str, *steps: tuple[str, str]) -> Request:
    requests = fakes.services.requests
    current = fakes.records.get_request(request_id)
    assert current is not None
    for to, note in steps:
        current = requests.transition(
            DUKCAPIL, request_id, to=to, note=note, version=current.version
        )
    return current


@pytest.fixture
def secret(fakes: FakeSet) -> str:
    return fakes.services.requests.settings.search_secret


def test_with_consent_diajukan_is_queued_with_the_pin_sealed(fakes: FakeSet, secret) -> None:
    request_id = _draft_id(fakes, notify=True)

    sent = fakes.services.requests.submit(OPERATOR, request_id, PIN)

    assert pin_matches(secret, request_id, PIN, sent.pin_hash)
    [notice] = _notices(fakes)
    message = NotifyResident.from_body(notice)
    assert (message.request_id, message.version, message.status) == (
        request_id,
        sent.version,
        "DIAJUKAN",
    )
    assert message.pin_sealed is not None and message.pin_sealed != PIN
    assert unseal(secret, request_id, sent.version, message.pin_sealed) == PIN


def test_without_consent_nothing_is_queued_but_the_pin_is_kept(fakes: FakeSet, secret) -> None:
    request_id = _draft_id(fakes, notify=False)

    sent = fakes.services.requests.submit(OPERATOR, request_id, PIN)

    assert _notices(fakes) == []
    assert pin_matches(secret, request_id, PIN, sent.pin_hash)


def test_a_resubmission_keeps_the_first_pin_and_seals_none_it_does_not_hold(
    fakes: FakeSet, secret
) -> None:
    request_id = _draft_id(fakes, notify=True)
    first = fakes.services.requests.submit(OPERATOR, request_id, PIN)
    back = _move(fakes, request_id, ("DITERIMA", ""), ("PERLU_PERBAIKAN", "foto KK buram"))
    assert back.status is Status.PERLU_PERBAIKAN

    again = fakes.services.requests.submit(OPERATOR, request_id, "271828")

    assert again.pin_hash == first.pin_hash
    assert pin_matches(secret, request_id, PIN, again.pin_hash)
    assert [NotifyResident.from_body(m).pin_sealed is None for m in _notices(fakes)] == [
        False,
        True,
    ]


def test_a_failed_enqueue_never_fails_the_submit(
    fakes: FakeSet, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = _draft_id(fakes, notify=True)
    send = fakes.queue.send

    def failing(body: dict[str, Any], **kw: Any) -> None:
        if body["type"] == NotifyResident.TYPE:
            raise RuntimeError("queue down")
        send(body, **kw)

    monkeypatch.setattr(fakes.queue, "send", failing)

    sent = fakes.services.requests.submit(OPERATOR, request_id, PIN)

    assert sent.status is Status.DIAJUKAN
    assert fakes.records.get_request(request_id).status is Status.DIAJUKAN  # type: ignore[union-attr]
    assert "DIAJUKAN message not queued" in caplog.text and PIN not in caplog.text


def test_a_new_pin_only_for_a_running_submitted_request_of_the_desa(fakes: FakeSet) -> None:
    requests = fakes.services.requests
    draft_id = str(uuid.uuid4())
    requests.upsert_draft(OPERATOR, draft_id, ktp_draft())
    with pytest.raises(Conflict):
        requests.new_pin(OPERATOR, draft_id)  # never submitted: no receipt, no PIN

    request_id = _draft_id(fakes, notify=False)
    sent = requests.submit(OPERATOR, request_id, PIN)
    new = requests.new_pin(OPERATOR, request_id)
    stored = fakes.records.get_request(request_id)
    assert stored is not None and stored.version == sent.version  # no new version
    assert pin_matches(requests.settings.search_secret, request_id, new, stored.pin_hash)
    assert not pin_matches(requests.settings.search_secret, request_id, PIN, stored.pin_hash)

    _move(fakes, request_id, ("DITERIMA", ""), ("DIPROSES", ""), ("DITOLAK", "data ganda"))
    with pytest.raises(Conflict):
        requests.new_pin(OPERATOR, request_id)
    other_desa = Actor("op.x", OPERATOR.role, "52.03.02.2002")
    with pytest.raises(Exception) as caught:
        requests.new_pin(other_desa, request_id)
    assert type(caught.value).__name__ == "NotFound"


def test_nothing_logged_carries_the_pin(fakes: FakeSet, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    request_id = _draft_id(fakes, notify=True)
    fakes.services.requests.submit(OPERATOR, request_id, PIN)
    new = fakes.services.requests.new_pin(OPERATOR, request_id)
    assert PIN not in caplog.text and new not in caplog.text
