"""Messages to the resident end to end on the local set (#18): the API takes the consent,
the worker sends through the local notifier (its SQLite file), the developer reads them
at /dev/pesan and in `bakso notify list`."""

from __future__ import annotations

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
from helpers import (
    PASSWORD,
    USERS,
    Api,
    attach_issued,
    close_app,
    draft,
    fake_jpeg,
    make_app,
    services_of,
)

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


def test_bakso_serve_on_another_port_links_its_messages_there(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without PUBLIC_BASE_URL the worker has no request to take a host from: the SMS of
    `bakso serve --port 8765` must name port 8765, the one its receipts print."""
    import waitress

    import bakso.cli

    seen: dict[str, Any] = {}

    def create_app(overrides: dict[str, Any]) -> Flask:
        # The test's fast settings, and no worker thread racing the drain below.
        return make_app(data_dir, **{**overrides, "RUN_WORKER": False, "NOTIFIER": "local"})

    def serve(app: Flask, host: str, port: int, **_: Any) -> None:
        services = services_of(app)
        for username, role, desa in USERS:
            services.accounts.create_user(username, role, desa, PASSWORD)
        op = logged_in(app, "op.a")
        request_id = op.create(consenting())["id"]
        op.attach_mandatory(request_id)
        submitted = op.post(f"/api/v1/requests/{request_id}/submit", json={"pin": PIN})
        assert submitted.status_code == 200
        drain_until_idle(services)
        request = services.records.get_request(request_id)
        assert request is not None
        with app.test_request_context("/", base_url=f"http://{host}:{port}"):
            seen["link"] = status_url(request)
        seen["texts"] = [m.text for m in services.notifications.sent()]
        close_app(app)

    monkeypatch.delenv("BAKSO_PUBLIC_BASE_URL", raising=False)
    monkeypatch.setattr(bakso.cli, "create_app", create_app)
    monkeypatch.setattr(waitress, "serve", serve)
    result = CliRunner().invoke(main, ["serve", "--host", "127.0.0.1", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert seen["link"].startswith("http://127.0.0.1:8765/cek/")
    assert len(seen["texts"]) == 1 and seen["link"] in seen["texts"][0]


def test_a_card_gets_no_pin_and_its_page_names_the_one_place_to_collect_it(app: Flask) -> None:
    """KTP-el and KIA are cards collected at Dukcapil/UPT, never downloaded: a PIN the
    device sends is accepted but not kept or sent, none can be made, and the page at
    SELESAI sends the resident to Dukcapil/UPT only."""
    services = services_of(app)
    op, dk = logged_in(app, "op.a"), logged_in(app, "dukcapil")
    body = draft(service="KIA")
    body["applicant"] = {**body["applicant"], "phone": "0819-1111-0001", "notify": True}
    request_id = op.create(body)["id"]
    for requirement in ("AKTA_LAHIR", "KK", "KTP_ORTU"):
        op.attach(request_id, requirement, fake_jpeg(request_id + requirement))
    submitted = op.post(f"/api/v1/requests/{request_id}/submit", json={"pin": PIN})
    assert submitted.status_code == 200, submitted.get_json()
    drain_until_idle(services)

    (diajukan,) = services.notifications.sent()
    assert "PIN" not in diajukan.text and PIN not in diajukan.text
    stored = services.records.get_request(request_id)
    assert stored is not None and stored.pin_hash is None
    refused = op.post(f"/api/v1/requests/{request_id}/pin")
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["detail"] == (
        "KTP-el/KIA berupa kartu: tidak diunduh, tidak perlu PIN."
    )

    for to in ("DITERIMA", "DIPROSES", "SELESAI"):
        move(dk, request_id, to)
    page = app.test_client().get(f"/cek/{stored.token}").get_data(as_text=True)
    assert "Kartu siap diambil di kantor Dukcapil atau UPT" in page
    assert "Dokumen siap diambil di kantor desa" not in page and 'name="pin"' not in page
