"""Dukcapil processing: issued documents, concurrency, audit view, retention (bulk return:
test_returns.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import requests as http
from fpdf import FPDF

from bakso.workers.handlers import drain_once
from helpers import PASSWORD, sha, submit_ready


def issued_pdf(text: str) -> bytes:
    doc = FPDF()
    doc.set_font("Helvetica", size=14)
    doc.add_page()
    doc.cell(0, 10, text)
    return bytes(doc.output())


def walk(dk, request_id: str, version: int, *targets: str) -> int:
    for target in targets:
        response = dk.post(
            f"/api/v1/requests/{request_id}/transition", json={"to": target, "version": version}
        )
        assert response.status_code == 200, response.get_json()
        version = response.get_json()["version"]
    return version


def test_issued_pdf_reaches_the_desa_and_each_download_is_audited(api_factory, services) -> None:
    op = api_factory("op.a")
    submitted = submit_ready(op, services)
    dk = api_factory("dukcapil")
    walk(dk, submitted["id"], submitted["version"], "DITERIMA", "DIPROSES")
    pdf = issued_pdf("Kutipan akta kelahiran")
    reg = dk.post(
        f"/api/v1/requests/{submitted['id']}/issued",
        json={"sha256": sha(pdf), "size": len(pdf), "content_type": "application/pdf"},
    )
    assert reg.status_code == 201
    assert dk.upload(reg.get_json()["upload"], pdf).status_code == 200
    done = dk.post(f"/api/v1/requests/{submitted['id']}/issued/complete").get_json()
    assert done["issued"]["state"] == "ok"
    walk(dk, submitted["id"], done["version"], "SELESAI")

    link = op.get(f"/api/v1/requests/{submitted['id']}/issued")
    assert link.status_code == 302
    path = link.headers["Location"].split("://", 1)[-1].split("/", 1)[1]
    with op.client.get("/" + path) as response:
        assert response.get_data() == pdf
        # Opened in a tab to print, not saved away into Downloads.
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.mimetype == "application/pdf"
    downloads = [e for e in services.records.audit_entries() if e.action == "issued.download"]
    assert [(e.actor, e.target) for e in downloads] == [("op.a", submitted["id"])]
    assert api_factory("op.b").get(f"/api/v1/requests/{submitted['id']}/issued").status_code == 404


def test_issued_document_that_is_not_a_pdf_is_refused(api_factory, services) -> None:
    submitted = submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    walk(dk, submitted["id"], submitted["version"], "DITERIMA", "DIPROSES")
    fake = b"<html>not a pdf</html>"
    reg = dk.post(
        f"/api/v1/requests/{submitted['id']}/issued",
        json={"sha256": sha(fake), "size": len(fake), "content_type": "application/pdf"},
    ).get_json()
    dk.upload(reg["upload"], fake)
    assert dk.post(f"/api/v1/requests/{submitted['id']}/issued/complete").status_code == 422


def test_two_officers_moving_one_request_with_one_version_get_exactly_one_409(
    api_factory, services, live_server
) -> None:
    submitted = submit_ready(api_factory("op.a"), services)
    version = walk(api_factory("dukcapil"), submitted["id"], submitted["version"], "DITERIMA")
    sessions = []
    for _ in range(2):
        session = http.Session()
        login = session.post(
            f"{live_server}/api/v1/auth/login", json={"username": "dukcapil", "password": PASSWORD}
        )
        session.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        sessions.append(session)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def move(session: http.Session, target: str, note: str) -> None:
        barrier.wait()
        response = session.post(
            f"{live_server}/api/v1/requests/{submitted['id']}/transition",
            json={"to": target, "note": note, "version": version},
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=move, args=(sessions[0], "DIPROSES", "")),
        threading.Thread(target=move, args=(sessions[1], "PERLU_PERBAIKAN", "foto buram")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    timeline = services.records.timeline(submitted["id"])
    assert len(timeline) == 4  # DRAF, DIAJUKAN, DITERIMA, and one of the two moves


def test_audit_view_filters_by_request_and_user(api_factory, services) -> None:
    first = submit_ready(api_factory("op.a"), services)
    submit_ready(api_factory("op.a"), services)
    dk = api_factory("dukcapil")
    walk(dk, first["id"], first["version"], "DITERIMA")
    by_request = dk.get(f"/api/v1/audit?request={first['id']}").get_json()["items"]
    assert [e["data"].get("to") for e in by_request if "to" in e["data"]] == [
        "DITERIMA",
        "DIAJUKAN",
        "DRAF",
    ]
    # Officers know a request by the code on its receipt: the same entries, in any case.
    by_code = dk.get(f"/api/v1/audit?request={first['code'].lower()}").get_json()["items"]
    assert [e["seq"] for e in by_code] == [e["seq"] for e in by_request]
    assert dk.get("/api/v1/audit?request=LT-0000-0000").get_json()["items"] == []
    by_user = dk.get("/api/v1/audit?user=dukcapil").get_json()["items"]
    assert [e["target"] for e in by_user] == [first["id"]]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert dk.get(f"/api/v1/audit?from={future}").get_json()["items"] == []
    assert api_factory("op.a").get("/api/v1/audit").status_code == 403


def test_retention_erases_old_final_requests_but_keeps_statuses_and_chain(
    app, api_factory, services, monkeypatch
) -> None:
    op = api_factory("op.a")
    old = submit_ready(op, services)
    fresh = submit_ready(op, services)
    dk = api_factory("dukcapil")
    walk(dk, old["id"], old["version"], "DITERIMA", "DIPROSES")
    dk.post(
        f"/api/v1/requests/{old['id']}/transition",
        json={"to": "DITOLAK", "note": "ganda", "version": old["version"] + 2},
    )
    keys = [s.key for s in services.records.list_scans(old["id"])]
    scan_id = services.records.list_scans(old["id"])[0].id
    berkas = services.records.get_request(old["id"]).berkas_key
    timeline_before = services.records.timeline(old["id"])

    later = datetime.now(UTC) + timedelta(days=91)
    monkeypatch.setattr(services.retention, "clock", lambda: later)
    report = services.retention.purge()

    assert report.requests == 1
    assert all(services.blobs.size(k) is None for k in [*keys, berkas])
    # Statuses and times stay; notes (free text, maybe personal) go (docs/retention.md).
    assert services.records.timeline(old["id"]) == [replace(e, note="") for e in timeline_before]
    assert services.records.get_request(old["id"]).purged_at is not None
    assert all(
        services.blobs.size(s.key) is not None for s in services.records.list_scans(fresh["id"])
    )
    assert services.audit.verify().problem is None
    assert services.retention.purge().requests == 0  # nothing twice
    assert dk.get(f"/api/v1/requests/{old['id']}/scans/{scan_id}").status_code == 404


def test_dead_letters_can_be_listed_and_redriven(services) -> None:
    services.queue.send({"type": "batch.build", "batch_id": "does-not-exist-yet"})
    services.queue.send({"type": "mystery"})
    for _ in range(6):
        drain_once(services, visibility_timeout=0)
    dead = services.queue.dead_letters()
    assert [m.body["type"] for m in dead] == ["mystery"]
    assert services.queue.redrive(dead[0].id)
    assert services.queue.dead_letters() == []
