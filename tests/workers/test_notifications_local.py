"""Messages to the resident end to end on the local set (#18): the API takes the consent,
the worker sends through the local notifier (its SQLite file), the developer reads them
at /dev/pesan and in `bakso notify list`."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from bakso.cli import main
from bakso.public import status_url
from bakso.workers.handlers import drain_until_idle
from helpers import PASSWORD, USERS, Api, close_app, draft, make_app, services_of

BASE = "https://bakso.lomboktimurkab.go.id"
PIN = "482915"


@pytest.fixture
def app(data_dir: Path) -> Iterator[Flask]:
    app = make_app(data_dir, PUBLIC_BASE_URL=BASE, NOTIFIER="local")
    for username, role, desa in USERS:
        services_of(app).accounts.create_user(username, role, desa, PASSWORD)
    yield app
    close_app(app)


def logged_in(app: Flask, username: str | None) -> Api:
    api = Api(app.test_client())
    if username:
        assert api.login(username).status_code == 200
    return api


def consenting(phone: str | None = "0819-1111-0001", notify: bool = True) -> dict[str, Any]:
    body = draft()
    body["applicant"] = {**body["applicant"], "phone": phone, "notify": notify}
    return body


def move(api: Api, request_id: str, to: str, note: str = "") -> None:
    version = api.get(f"/api/v1/requests/{request_id}").get_json()["version"]
    moved = api.post(
        f"/api/v1/requests/{request_id}/transition",
        json={"to": to, "note": note, "version": version},
    )
    assert moved.status_code == 200, moved.get_json()


def attach_issued(dk: Api, request_id: str) -> None:
    pdf = b"%PDF-1.4\n% akta\n%%EOF\n"
    registered = dk.post(
        f"/api/v1/requests/{request_id}/issued",
        json={
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "size": len(pdf),
            "content_type": "application/pdf",
        },
    )
    assert registered.status_code == 201, registered.get_json()
    assert dk.upload(registered.get_json()["upload"], pdf).status_code == 200
    assert dk.post(f"/api/v1/requests/{request_id}/issued/complete").status_code == 200


def test_consent_without_a_mobile_number_is_refused_and_changes_nothing(app: Flask) -> None:
    op = logged_in(app, "op.a")
    for phone in ("0376-21234", None):
        request_id = str(uuid.uuid4())
        refused = op.put(f"/api/v1/requests/{request_id}", json=consenting(phone))
        assert refused.status_code == 422
        assert refused.mimetype == "application/problem+json"
        problem = refused.get_json()
        assert [e["field"] for e in problem["errors"]] == ["applicant.phone"]
        assert "Nomor HP" in problem["detail"]
        assert op.get(f"/api/v1/requests/{request_id}").status_code == 404
    plain = op.create(consenting("0376-21234", notify=False))  # a landline, no consent: fine
    assert "notify" not in plain["applicant"]


def test_a_request_with_consent_is_told_of_each_move_once_through_the_local_notifier(
    app: Flask, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = services_of(app)
    op, dk = logged_in(app, "op.a"), logged_in(app, "dukcapil")
    request_id = op.create(consenting())["id"]
    op.attach_mandatory(request_id)
    assert op.post(f"/api/v1/requests/{request_id}/submit", json={"pin": PIN}).status_code == 200
    drain_until_idle(services)
    move(dk, request_id, "DITERIMA")
    move(dk, request_id, "DIPROSES")
    attach_issued(dk, request_id)
    move(dk, request_id, "SELESAI")
    drain_until_idle(services)
    drain_until_idle(services)  # nothing left: a second drain sends nothing more

    sent = services.notifications.sent()
    assert [m.key.split(":")[0] for m in sent] == [request_id, request_id]
    selesai, diajukan = (m.text for m in sent)  # newest first
    request = services.records.get_request(request_id)
    assert request is not None
    with app.test_request_context("/"):
        link = status_url(request)  # the link the receipt prints is the one the SMS carries
    assert link.startswith(BASE) and link in diajukan and f"PIN unduh: {PIN}" in diajukan
    assert "Cetak di kantor desa atau unduh dengan PIN" in selesai and link in selesai
    assert {m.to for m in sent} == {"+6281911110001"}
    assert all(len(m.text) <= 160 for m in sent)

    page = logged_in(app, "admin").get("/dev/pesan")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert diajukan.replace('"', "&#34;") in page.get_data(as_text=True)
    assert logged_in(app, "op.a").get("/dev/pesan").status_code == 403
    assert logged_in(app, None).get("/dev/pesan").status_code == 401

    monkeypatch.setenv("BAKSO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BAKSO_NOTIFIER", "local")
    listed = CliRunner().invoke(main, ["notify", "list"])
    assert listed.exit_code == 0, listed.output
    assert diajukan in listed.output and "+6281911110001" in listed.output


def test_no_page_of_messages_without_the_local_notifier(data_dir: Path) -> None:
    app = make_app(data_dir, NOTIFIER="none")
    try:
        services_of(app).accounts.create_user("admin", "admin", None, PASSWORD)
        assert logged_in(app, "admin").get("/dev/pesan").status_code == 404
    finally:
        close_app(app)
