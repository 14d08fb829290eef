"""Review #17 finding 8: a photo kept despite the PWA's photo check ("Tetap pakai") carries
its flags to Dukcapil: sent with the scan's registration, stored with the scan (both
adapter sets), returned in the scan JSON and the request's detail; unknown codes are
refused, and a replay with other flags is not the same registration."""

from __future__ import annotations

from typing import Any

from helpers import draft, fake_jpeg, sha


def _scans(op: Any, request_id: str) -> dict[str, dict[str, Any]]:
    detail = op.get(f"/api/v1/requests/{request_id}").get_json()
    return {s["requirement"]: s for s in detail["scans"]}


def test_kept_flags_are_stored_and_shown_with_the_scan(api_factory: Any) -> None:
    op = api_factory("op.a")
    created = op.create(draft())
    dark = fake_jpeg("gelap")
    # As the PWA's outbox sends them; the order it came in does not matter.
    registered = op.register(created["id"], "F201", dark, quality=["small", "dark"])
    assert registered.status_code == 201, registered.get_json()
    body = registered.get_json()
    assert op.upload(body["upload"], dark).status_code == 200
    done = op.post(f"/api/v1/requests/{created['id']}/scans/{body['scan_id']}/complete")
    assert done.get_json()["scan"]["quality"] == ["dark", "small"]
    for requirement in ("SURAT_KET_LAHIR", "BUKU_NIKAH", "KK_ORTU", "KTP_ORTU"):
        op.attach(created["id"], requirement, fake_jpeg(requirement))

    scans = _scans(op, created["id"])
    assert scans["F201"]["quality"] == ["dark", "small"]
    assert scans["KK_ORTU"]["quality"] == []  # a page without flags, as before

    # Dukcapil's officer reads them in the submitted request's detail.
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    seen = api_factory("dukcapil").get(f"/api/v1/requests/{created['id']}").get_json()
    shown = {s["requirement"]: s for s in seen["scans"]}
    assert shown["F201"]["quality"] == ["dark", "small"]
    assert shown["BUKU_NIKAH"]["quality"] == []


def test_an_unknown_flag_is_refused_and_registers_nothing(api_factory: Any) -> None:
    op = api_factory("op.a")
    created = op.create(draft())
    photo = fake_jpeg("miring")
    refused = op.register(created["id"], "F201", photo, quality=["dark", "tilted"])
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert [e["field"] for e in problem["errors"]] == ["quality.1"]
    assert "harus salah satu dari" in problem["errors"][0]["message"]
    assert _scans(op, created["id"]) == {}


def test_a_replay_compares_the_flags(api_factory: Any) -> None:
    op = api_factory("op.a")
    created = op.create(draft())
    photo = fake_jpeg("kabur")
    first = op.register(created["id"], "F201", photo, quality=["blurred"])
    assert first.status_code == 201
    # The same registration again (a lost answer): the same scan.
    again = op.register(created["id"], "F201", photo, quality=["blurred", "blurred"])
    assert again.status_code == 201
    assert again.get_json()["scan_id"] == first.get_json()["scan_id"]
    # The same bytes said to be flagged otherwise: not a replay.
    other = op.register(created["id"], "F201", photo, quality=[])
    assert other.status_code == 409
    assert other.mimetype == "application/problem+json"
    assert "tanda mutu foto" in other.get_json()["detail"]
    scans = _scans(op, created["id"])
    assert scans["F201"]["quality"] == ["blurred"]
    assert scans["F201"]["sha256"] == sha(photo)
