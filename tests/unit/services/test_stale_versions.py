"""Writes based on an old version are refused with the current request attached."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.services.requests import StaleRequest
from fakes import FakeSet
from unit.services.support import DUKCAPIL, OPERATOR, OTHER_OPERATOR, ktp_draft, submitted


def test_an_edit_from_an_old_version_is_refused_with_the_current_one(fakes: FakeSet) -> None:
    request_id = str(uuid.uuid4())
    requests = fakes.services.requests
    first, _ = requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    edited, _ = requests.upsert_draft(
        OPERATOR, request_id, ktp_draft(notes="lahir di rumah", version=first.version)
    )

    with pytest.raises(StaleRequest) as caught:
        requests.upsert_draft(
            OTHER_OPERATOR, request_id, ktp_draft(notes="lain", version=first.version)
        )

    assert caught.value.current == edited
    assert fakes.records.get_request(request_id) == edited


def test_a_transition_from_an_old_version_is_refused_with_the_current_one(
    fakes: FakeSet,
) -> None:
    sent = submitted(fakes, OPERATOR)
    requests = fakes.services.requests
    seen = requests.transition(
        DUKCAPIL, sent.id, to=Status.DITERIMA.value, note="", version=sent.version
    )
    processing = requests.transition(
        DUKCAPIL, sent.id, to=Status.DIPROSES.value, note="", version=seen.version
    )

    with pytest.raises(StaleRequest) as caught:  # an officer still looking at DITERIMA
        requests.transition(
            DUKCAPIL, sent.id, to=Status.DITOLAK.value, note="tidak lengkap", version=seen.version
        )

    assert caught.value.current == processing
    assert fakes.records.get_request(sent.id) == processing


def test_the_store_refuses_a_stale_save_and_names_the_current_version(fakes: FakeSet) -> None:
    sent = submitted(fakes, OPERATOR)
    moved = replace(sent, notes="x", version=sent.version + 1)
    fakes.records.save_request(moved, sent.version, None)

    with pytest.raises(Conflict) as caught:
        fakes.records.save_request(replace(sent, notes="y"), sent.version, None)

    assert caught.value.extra["current_version"] == moved.version
