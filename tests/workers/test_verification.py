"""The worker re-verifies a submitted request's scans before Dukcapil sees it as ready."""

from __future__ import annotations

from bakso.workers.handlers import drain_once
from helpers import fake_jpeg


def _submitted(api_factory) -> dict:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    return op.post(f"/api/v1/requests/{created['id']}/submit").get_json()


def test_submit_enqueues_verification_and_the_worker_marks_the_request_ready(
    api_factory, services
) -> None:
    submitted = _submitted(api_factory)
    assert services.records.get_request(submitted["id"]).ready is False

    assert drain_once(services) == 1

    request = services.records.get_request(submitted["id"])
    assert request.ready is True
    assert request.version == submitted["version"]  # no reload needed for officers
    assert drain_once(services) == 0


def test_a_redelivered_message_changes_nothing_more(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    body = {"type": "request.submitted", "request_id": submitted["id"], "submission": 1}
    services.queue.send(body)  # the same message delivered again
    services.queue.send(body)
    assert drain_once(services) == 3
    verified = [e for e in services.records.audit_entries() if e.action == "request.verified"]
    assert len(verified) == 1


def test_a_scan_damaged_in_storage_is_reported_not_marked_ready(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    scan = services.records.list_scans(submitted["id"])[0]
    services.blobs.delete(scan.key)

    drain_once(services)

    request = services.records.get_request(submitted["id"])
    assert request.ready is False
    assert scan.requirement in (request.verify_problem or "")


def test_a_message_that_keeps_failing_ends_as_a_dead_letter(services) -> None:
    services.queue.send({"type": "no.such.message"})
    for _ in range(5):
        assert drain_once(services, visibility_timeout=0) == 0
    assert drain_once(services, visibility_timeout=0) == 0
    dead = services.queue.dead_letters()
    assert [m.body["type"] for m in dead] == ["no.such.message"]


def test_resubmission_after_correction_is_verified_again(api_factory, services) -> None:
    submitted = _submitted(api_factory)
    drain_once(services)
    dk = api_factory("dukcapil")
    version = submitted["version"]
    for to, note in [("DITERIMA", ""), ("PERLU_PERBAIKAN", "Foto KK buram")]:
        version = dk.post(
            f"/api/v1/requests/{submitted['id']}/transition",
            json={"to": to, "note": note, "version": version},
        ).get_json()["version"]
    op = api_factory("op.a")
    op.attach(submitted["id"], "KK_ORTU", fake_jpeg("kk yang lebih jelas"))
    again = op.post(f"/api/v1/requests/{submitted['id']}/submit").get_json()
    assert again["status"] == "DIAJUKAN" and again["ready"] is False

    drain_once(services)

    assert services.records.get_request(submitted["id"]).ready is True
