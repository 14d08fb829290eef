"""The whole exchange over real HTTP: desa → Dukcapil → desa."""

from __future__ import annotations

import uuid

import requests
from flask import Flask

from bakso.workers.handlers import drain_once
from helpers import PASSWORD, draft, fake_jpeg, services_of, sha


def login(base: str, username: str) -> tuple[requests.Session, dict[str, str]]:
    session = requests.Session()
    response = session.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200
    return session, {"X-CSRF-Token": response.json()["csrf_token"]}


def test_request_goes_from_desa_to_dukcapil_and_back_to_the_resident(
    app: Flask, live_server: str
) -> None:
    base = live_server
    op, op_csrf = login(base, "op.a")
    request_id = str(uuid.uuid4())

    created = op.put(f"{base}/api/v1/requests/{request_id}", json=draft(), headers=op_csrf)
    assert created.status_code == 201
    assert created.json()["status"] == "DRAF"
    assert created.json()["code"].startswith("LT-")

    # Three documents (one of them in two pages) make every mandatory requirement satisfied
    # once the alternatives are counted: F201, bukti_lahir, bukti_kawin_ortu, KK_ORTU, KTP_ORTU.
    uploads = {
        "F201": fake_jpeg("f201"),
        "SURAT_KET_LAHIR": fake_jpeg("lahir"),
        "BUKU_NIKAH": fake_jpeg("nikah"),
        "KK_ORTU": fake_jpeg("kk"),
        "KTP_ORTU": fake_jpeg("ktp"),
    }
    for requirement, data in uploads.items():
        reg = op.post(
            f"{base}/api/v1/requests/{request_id}/scans",
            json={
                "requirement": requirement,
                "sha256": sha(data),
                "size": len(data),
                "content_type": "image/jpeg",
            },
            headers=op_csrf,
        )
        assert reg.status_code == 201
        target = reg.json()["upload"]
        put = requests.request(
            target["method"], target["url"], data=data, headers=target["headers"], timeout=10
        )
        assert put.status_code == 200
        done = op.post(
            f"{base}/api/v1/requests/{request_id}/scans/{reg.json()['scan_id']}/complete",
            headers=op_csrf,
        )
        assert done.status_code == 200, done.json()

    submitted = op.post(f"{base}/api/v1/requests/{request_id}/submit", headers=op_csrf)
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "DIAJUKAN"
    assert submitted.json()["token"]
    assert submitted.json()["ready"] is False

    assert drain_once(services_of(app)) == 1
    detail = op.get(f"{base}/api/v1/requests/{request_id}").json()
    assert detail["ready"] is True
    assert all(r["satisfied"] for r in detail["requirements"] if r["required"] and not r["one_of"])

    dk, dk_csrf = login(base, "dukcapil")
    version = detail["version"]
    for to, note in [("DITERIMA", ""), ("DIPROSES", ""), ("SELESAI", "Akta terbit")]:
        moved = dk.post(
            f"{base}/api/v1/requests/{request_id}/transition",
            json={"to": to, "note": note, "version": version},
            headers=dk_csrf,
        )
        assert moved.status_code == 200, moved.json()
        version = moved.json()["version"]

    # Dukcapil can open the scans it is processing.
    scan = detail["scans"][0]
    link = dk.get(f"{base}/api/v1/requests/{request_id}/scans/{scan['id']}", allow_redirects=False)
    assert link.status_code == 302
    assert sha(requests.get(link.headers["Location"], timeout=10).content) == scan["sha256"]

    handed = op.post(
        f"{base}/api/v1/requests/{request_id}/transition",
        json={
            "to": "DISERAHKAN",
            "version": version,
            "handover": {"received_by": "Siti Aminah", "relation": "PEMOHON", "via": "LOKET"},
        },
        headers=op_csrf,
    )
    assert handed.status_code == 200, handed.json()
    final = handed.json()
    assert final["status"] == "DISERAHKAN"
    assert final["handover"]["via"] == "LOKET"
    assert (
        final["timeline"][-1]["note"] == "Diterima oleh Siti Aminah (pemohon) melalui loket desa."
    )
    assert [t["status"] for t in final["timeline"]] == [
        "DRAF",
        "DIAJUKAN",
        "DITERIMA",
        "DIPROSES",
        "SELESAI",
        "DISERAHKAN",
    ]
    assert [t["by"] for t in final["timeline"]][-2:] == ["dukcapil", "op.a"]

    audit = services_of(app).records.audit_entries()
    assert services_of(app).audit.verify().problem is None
    assert [e.data.get("to") for e in audit if e.target == request_id and "to" in e.data] == [
        "DRAF",
        "DIAJUKAN",
        "DITERIMA",
        "DIPROSES",
        "SELESAI",
        "DISERAHKAN",
    ]
