"""A page Dukcapil sent back is replaced: the new photo takes its place, the old one goes."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from pypdf import PdfReader

from bakso.domain.errors import InvalidInput
from bakso.domain.lifecycle import Status
from bakso.domain.model import Actor, Scan
from bakso.services.berkas import ordered_scans
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from helpers import fake_jpeg
from unit.services.support import OPERATOR, ktp_draft


def _scan(
    fakes: FakeSet, actor: Actor, request_id: str, seed: str, replaces: str | None = None
) -> Scan:
    """Register, upload and complete one KK photo, as the device does (twice: a replay)."""
    data = fake_jpeg(seed, size=16)
    requests = fakes.services.requests
    scan, target = requests.register_scan(
        actor,
        request_id,
        requirement="KK",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/jpeg",
        replaces=replaces,
    )
    assert target is not None
    fakes.blobs.accept_upload(target.url, "image/jpeg", data)
    return requests.complete_scan(actor, request_id, scan.id)


def _sent_back(fakes: FakeSet) -> tuple[str, list[Scan]]:
    """A request with two KK pages, submitted, verified, then sent back to the desa."""
    request_id = str(uuid.uuid4())
    requests = fakes.services.requests
    requests.upsert_draft(OPERATOR, request_id, ktp_draft())
    pages = [_scan(fakes, OPERATOR, request_id, seed) for seed in ("page-1", "page-2")]
    requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    assert requests.send_back_for_repair(request_id, "Mohon foto ulang KK (halaman 1).")
    return request_id, pages


def test_a_replacing_photo_takes_the_old_pages_place_and_the_old_one_is_gone(
    fakes: FakeSet,
) -> None:
    request_id, (first, second) = _sent_back(fakes)

    new = _scan(fakes, OPERATOR, request_id, "page-1-again", replaces=first.id)

    scans = fakes.records.list_scans(request_id)
    assert {s.id for s in scans} == {new.id, second.id}
    assert fakes.blobs.size(first.key) is None  # the old bytes go at once
    assert new.replaces == first.id and new.submission == 2
    # Resubmitted: berkas.pdf has as many pages as the first one, the new photo first.
    fakes.services.requests.submit(OPERATOR, request_id)
    drain_until_idle(fakes.services)
    request = fakes.records.get_request(request_id)
    assert request is not None and request.ready and request.status is Status.DIAJUKAN
    detail = fakes.services.requests.describe(request)
    assert [s.id for s in ordered_scans(detail.service, detail.scans)] == [new.id, second.id]
    assert _pages(fakes, f"berkas/{request_id}/2.pdf") == _pages(
        fakes, f"berkas/{request_id}/1.pdf"
    )


def _pages(fakes: FakeSet, key: str) -> int:
    return len(PdfReader(io.BytesIO(b"".join(fakes.blobs.iter_chunks(key)))).pages)


def test_replaying_the_replacement_changes_nothing(fakes: FakeSet) -> None:
    request_id, (first, second) = _sent_back(fakes)
    new = _scan(fakes, OPERATOR, request_id, "page-1-again", replaces=first.id)
    data = fake_jpeg("page-1-again", size=16)

    again, target = fakes.services.requests.register_scan(
        OPERATOR,
        request_id,
        requirement="KK",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content_type="image/jpeg",
        replaces=first.id,
    )
    fakes.services.requests.complete_scan(OPERATOR, request_id, again.id)

    assert again.id == new.id and target is None
    assert {s.id for s in fakes.records.list_scans(request_id)} == {new.id, second.id}


def test_a_replacement_for_another_document_or_the_same_bytes_is_refused(
    fakes: FakeSet,
) -> None:
    request_id, (first, _) = _sent_back(fakes)
    data = fake_jpeg("page-1", size=16)

    with pytest.raises(InvalidInput, match="sama dengan foto lama"):
        fakes.services.requests.register_scan(
            OPERATOR,
            request_id,
            requirement="KK",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            content_type="image/jpeg",
            replaces=first.id,
        )
    with pytest.raises(InvalidInput, match="dokumen yang sama"):
        fakes.services.requests.register_scan(
            OPERATOR,
            request_id,
            requirement="AKTA_LAHIR",
            sha256=hashlib.sha256(b"other").hexdigest(),
            size=10,
            content_type="image/jpeg",
            replaces=first.id,
        )
    assert first.id in {s.id for s in fakes.records.list_scans(request_id)}
