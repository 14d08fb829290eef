"""The handover on the fakes: the photo of the signed receipt, a date other than now."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.lifecycle import Status
from bakso.domain.localtime import zone
from fakes import FakeSet
from helpers import fake_jpeg
from unit.services.support import OPERATOR
from unit.services.test_retention_service import blobs_of, later, move, retention, selesai

HANDOVER = {"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"}


def _issued_days_ago(fakes: FakeSet, request_id: str, days: int) -> None:
    request = fakes.records.get_request(request_id)
    assert request is not None and request.status is Status.SELESAI
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
    fakes.records.save_request(replace(request, status_since=since), request.version, None)


def _local_day(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).astimezone(zone()).date().isoformat()


def _receipt_photo(fakes: FakeSet, request_id: str) -> tuple[str, bytes]:
    data = fake_jpeg(f"{request_id}:tanda terima", size=24)
    sha = hashlib.sha256(data).hexdigest()
    target = fakes.services.requests.register_handover_photo(
        OPERATOR, request_id, sha256=sha, size=len(data), content_type="image/jpeg"
    )
    assert target is not None
    fakes.blobs.accept_upload(target.url, "image/jpeg", data)
    return sha, data


def test_the_handover_carries_the_receipt_photo_and_an_earlier_date(fakes: FakeSet) -> None:
    request_id = selesai(fakes)
    _issued_days_ago(fakes, request_id, 3)
    sha, data = _receipt_photo(fakes, request_id)

    done = move(
        fakes,
        OPERATOR,
        request_id,
        Status.DISERAHKAN,
        handover={**HANDOVER, "date": _local_day(2), "photo_sha256": sha},
    )

    assert done.handover is not None and done.handover["date"] == _local_day(2)
    assert done.handover["photo"]["sha256"] == sha
    note = fakes.records.timeline(request_id)[-1].note
    assert "Diserahkan pada" in note and "Foto tanda terima dilampirkan." in note
    url = fakes.services.requests.handover_photo_url(OPERATOR, request_id)
    assert fakes.blobs.resolve_download(url)[0] == data
    assert fakes.blobs.download_is_inline(url)


@pytest.mark.parametrize(
    ("days_ago", "refusal"), [(-1, "masa depan"), (4, "sebelum dokumen terbit")]
)
def test_a_date_in_the_future_or_before_selesai_is_refused(
    fakes: FakeSet, days_ago: int, refusal: str
) -> None:
    request_id = selesai(fakes)
    _issued_days_ago(fakes, request_id, 3)

    with pytest.raises(InvalidInput, match=refusal):
        move(
            fakes,
            OPERATOR,
            request_id,
            Status.DISERAHKAN,
            handover={**HANDOVER, "date": _local_day(days_ago)},
        )
    request = fakes.records.get_request(request_id)
    assert request is not None and request.status is Status.SELESAI


def test_a_photo_never_uploaded_is_refused(fakes: FakeSet) -> None:
    request_id = selesai(fakes)

    with pytest.raises(InvalidInput, match="belum diunggah"):
        move(
            fakes,
            OPERATOR,
            request_id,
            Status.DISERAHKAN,
            handover={**HANDOVER, "photo_sha256": "a" * 64},
        )


def test_retention_erases_the_receipt_photo_with_the_request(fakes: FakeSet) -> None:
    request_id = selesai(fakes)
    sha, _ = _receipt_photo(fakes, request_id)
    move(fakes, OPERATOR, request_id, Status.DISERAHKAN, handover={**HANDOVER, "photo_sha256": sha})
    assert any("handover" in key for key in blobs_of(fakes, request_id))

    retention(fakes, later(91)).purge()

    assert blobs_of(fakes, request_id) == []
    erased = fakes.records.get_request(request_id)
    assert erased is not None and "photo" not in (erased.handover or {})
