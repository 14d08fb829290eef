"""The NIK search index (domain.search): every records adapter finds, orders and forgets alike."""

from __future__ import annotations

import dataclasses

from bakso.domain.retention import erased
from bakso.domain.search import nik_index_key
from bakso.ports import Records
from contract.test_records import DESA_B, created, make_request

KEY_A = nik_index_key("5203014101900001", "test-secret")
KEY_B = nik_index_key("5203014101900002", "test-secret")


def test_requests_by_nik_finds_only_that_key_newest_first(records: Records) -> None:
    old = dataclasses.replace(make_request(created_at="2026-01-05T08:00:00Z"), nik_key=KEY_A)
    new = dataclasses.replace(
        make_request(desa=DESA_B, created_at="2026-01-06T08:00:00Z"), nik_key=KEY_A
    )
    other = dataclasses.replace(make_request(created_at="2026-01-07T08:00:00Z"), nik_key=KEY_B)
    unindexed = make_request(created_at="2026-01-08T08:00:00Z")
    for request in (old, new, other, unindexed):
        assert records.create_request(request, created(request))

    assert [r.id for r in records.requests_by_nik(KEY_A, limit=10)] == [new.id, old.id]
    assert [r.id for r in records.requests_by_nik(KEY_A, limit=1)] == [new.id]
    assert [r.id for r in records.requests_by_nik(KEY_B, limit=10)] == [other.id]
    assert records.requests_by_nik(nik_index_key("0" * 16, "test-secret"), limit=10) == []


def test_an_erased_request_leaves_the_nik_index(records: Records) -> None:
    request = dataclasses.replace(make_request(), nik_key=KEY_A)
    assert records.create_request(request, created(request))
    assert [r.id for r in records.requests_by_nik(KEY_A, limit=10)] == [request.id]

    purged = dataclasses.replace(
        erased(request, "2026-05-01T00:00:00Z"), version=request.version + 1
    )
    records.save_request(purged, request.version, None)

    assert records.requests_by_nik(KEY_A, limit=10) == []
    stored = records.get_request(request.id)
    assert stored is not None and stored.nik_key is None and stored.applicant == {}


def test_a_changed_nik_moves_the_request_in_the_index(records: Records) -> None:
    request = dataclasses.replace(make_request(), nik_key=KEY_A)
    assert records.create_request(request, created(request))
    records.save_request(dataclasses.replace(request, nik_key=KEY_B, version=2), 1, None)

    assert records.requests_by_nik(KEY_A, limit=10) == []
    assert [r.id for r in records.requests_by_nik(KEY_B, limit=10)] == [request.id]
