"""Nothing lost, nothing duplicated: creates keyed by the device's UUID."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask

from helpers import PASSWORD, draft, services_of


def test_fifty_concurrent_puts_of_one_uuid_create_exactly_one_request(
    app: Flask, live_server: str
) -> None:
    session = requests.Session()
    login = session.post(
        f"{live_server}/api/v1/auth/login", json={"username": "op.a", "password": PASSWORD}
    )
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    cookies = session.cookies.get_dict()
    request_id = str(uuid.uuid4())

    def put(_: int) -> tuple[int, str]:
        response = requests.put(
            f"{live_server}/api/v1/requests/{request_id}",
            json=draft(),
            headers=headers,
            cookies=cookies,
            timeout=30,
        )
        return response.status_code, response.json()["code"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(put, range(50)))

    assert Counter(status for status, _ in results) == {201: 1, 200: 49}
    assert len({code for _, code in results}) == 1
    records = services_of(app).records
    page = records.list_requests(kabupaten="52.03", desa=None, status=None, cursor=None, limit=100)
    assert [r.id for r in page.items] == [request_id]
    assert len(records.timeline(request_id)) == 1


def test_replay_with_same_content_after_submit_returns_the_stored_request(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200

    replay = op.put(f"/api/v1/requests/{created['id']}", json=draft())
    assert replay.status_code == 200
    assert replay.get_json()["status"] == "DIAJUKAN"


def test_replay_with_different_content_after_submit_is_409_and_changes_nothing(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()

    changed = draft(notes="ganti isi setelah diajukan", version=submitted["version"])
    response = op.put(f"/api/v1/requests/{created['id']}", json=changed)

    assert response.status_code == 409
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert body["current"]["status"] == "DIAJUKAN"
    assert body["current"]["version"] == submitted["version"]
    after = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert after["notes"] == "" and after["version"] == submitted["version"]


def test_draft_update_with_stale_version_is_409(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    first = op.put(f"/api/v1/requests/{created['id']}", json=draft(notes="satu", version=1))
    assert first.status_code == 200 and first.get_json()["version"] == 2

    stale = op.put(f"/api/v1/requests/{created['id']}", json=draft(notes="dua", version=1))

    assert stale.status_code == 409
    assert stale.get_json()["current"]["notes"] == "satu"


def test_registering_the_same_scan_twice_gives_the_same_scan(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    data = b"%PDF-1.4 formulir"
    first = op.register(created["id"], "F201", data, "application/pdf").get_json()
    second = op.register(created["id"], "F201", data, "application/pdf").get_json()
    assert first["scan_id"] == second["scan_id"]
    detail = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert len(detail["scans"]) == 1


def test_submit_twice_records_one_submission(api_factory, services) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    one = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    two = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    assert one["version"] == two["version"]
    assert [e.to_status.value for e in services.records.timeline(created["id"])] == [
        "DRAF",
        "DIAJUKAN",
    ]
