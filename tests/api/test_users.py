"""Officer accounts: only the admin manages them; disable and reset end sessions."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from helpers import DESA_A, DESA_B, PASSWORD, Api

NEW_PASSWORD = "sandi-baru-yang-panjang"


def _admin(app: Flask) -> Api:
    api = Api(app.test_client())
    assert api.login("admin").status_code == 200
    return api


@pytest.mark.parametrize("username", ["op.a", "dukcapil"])
def test_only_the_admin_manages_accounts(app: Flask, username: str) -> None:
    api = Api(app.test_client())
    api.login(username)
    assert api.get("/api/v1/users").status_code == 403
    created = api.post(
        "/api/v1/users",
        json={"username": "op.baru", "role": "operator", "desa": DESA_A, "password": PASSWORD},
    )
    assert created.status_code == 403
    assert api.post("/api/v1/users/op.b/disable").status_code == 403
    assert (
        api.post("/api/v1/users/op.b/reset-password", json={"password": NEW_PASSWORD}).status_code
        == 403
    )
    assert api.post("/api/v1/users/op.b/desa", json={"desa": DESA_A}).status_code == 403
    assert Api(app.test_client()).login("op.b").status_code == 200  # nothing changed


def test_admin_creates_lists_and_assigns_desa(app: Flask, services) -> None:
    api = _admin(app)
    created = api.post(
        "/api/v1/users",
        json={"username": "op.baru", "role": "operator", "desa": DESA_A, "password": PASSWORD},
    )
    assert created.status_code == 201
    assert created.get_json()["desa"] == DESA_A
    assert "password" not in created.get_json() and "password_hash" not in created.get_json()
    names = [u["username"] for u in api.get("/api/v1/users").get_json()["items"]]
    assert "op.baru" in names and "admin" in names
    moved = api.post("/api/v1/users/op.baru/desa", json={"desa": DESA_B})
    assert moved.status_code == 200 and moved.get_json()["desa"] == DESA_B
    assert api.post("/api/v1/users/op.baru/desa", json={"desa": "99.99.99.9999"}).status_code == 422
    assert api.post("/api/v1/users/dukcapil/desa", json={"desa": DESA_A}).status_code == 422
    operator = Api(app.test_client())
    operator.login("op.baru")
    assert operator.get("/api/v1/auth/me").get_json()["user"]["desa"] == DESA_B
    actions = [
        (e.action, e.actor, e.target)
        for e in services.records.audit_search(
            target="op.baru", actor=None, since=None, until=None, before_seq=None, limit=10
        )
    ]
    assert ("user.create", "admin", "op.baru") in actions
    assert ("user.assign_desa", "admin", "op.baru") in actions


def test_duplicate_and_unknown_accounts(app: Flask) -> None:
    api = _admin(app)
    again = api.post(
        "/api/v1/users",
        json={"username": "op.a", "role": "operator", "desa": DESA_A, "password": PASSWORD},
    )
    assert again.status_code == 409
    assert api.post("/api/v1/users/tidak.ada/disable").status_code == 404


def test_disable_ends_existing_sessions_and_blocks_login(app: Flask) -> None:
    operator = Api(app.test_client())
    operator.login("op.b")
    assert operator.get("/api/v1/auth/me").status_code == 200
    api = _admin(app)
    disabled = api.post("/api/v1/users/op.b/disable")
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    assert operator.get("/api/v1/auth/me").status_code == 401
    assert Api(app.test_client()).login("op.b").status_code == 401
    assert api.post("/api/v1/users/admin/disable").status_code == 422  # not yourself


def test_reset_password_lets_the_new_one_in_and_not_the_old(
    app: Flask, services, caplog: pytest.LogCaptureFixture
) -> None:
    operator = Api(app.test_client())
    operator.login("op.a")
    api = _admin(app)
    with caplog.at_level(logging.DEBUG):
        reset = api.post("/api/v1/users/op.a/reset-password", json={"password": NEW_PASSWORD})
    assert reset.status_code == 200
    assert NEW_PASSWORD not in caplog.text
    assert operator.get("/api/v1/auth/me").status_code == 401  # the old session died
    assert Api(app.test_client()).login("op.a", PASSWORD).status_code == 401
    assert Api(app.test_client()).login("op.a", NEW_PASSWORD).status_code == 200
    short = api.post("/api/v1/users/op.a/reset-password", json={"password": "pendek"})
    assert short.status_code == 422
    entries = services.records.audit_search(
        target="op.a", actor="admin", since=None, until=None, before_seq=None, limit=10
    )
    assert [e.action for e in entries] == ["user.reset_password"]
    assert NEW_PASSWORD not in repr(entries)
