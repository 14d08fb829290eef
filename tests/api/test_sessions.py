"""Officer sessions: throttled logins, CSRF on writes, cookie flags."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Flask

from helpers import PASSWORD, Api, close_app, draft, make_app


def test_login_returns_role_desa_and_csrf_token(app: Flask) -> None:
    api = Api(app.test_client())
    body = api.login("op.a").get_json()
    assert body["user"] == {"username": "op.a", "role": "operator", "desa": "52.03.01.2001"}
    assert len(body["csrf_token"]) >= 32
    assert api.get("/api/v1/auth/me").get_json()["user"]["username"] == "op.a"


def test_wrong_password_is_401_with_a_generic_message(app: Flask) -> None:
    api = Api(app.test_client())
    wrong = api.login("op.a", "salah-sandi-sekali")
    unknown = api.login("tidak.ada", "salah-sandi-sekali")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]


def test_login_lockout_holds_across_an_app_restart(app: Flask, data_dir: Path) -> None:
    first = Api(app.test_client())
    for _ in range(5):
        assert first.login("op.a", "tebakan-yang-salah").status_code == 401
    close_app(app)

    restarted = make_app(data_dir)
    try:
        again = Api(restarted.test_client()).login("op.a", PASSWORD)  # even the right password
        assert again.status_code == 429
        assert int(again.headers["Retry-After"]) > 0
        assert "Coba lagi" in again.get_json()["detail"]
    finally:
        close_app(restarted)


def test_successful_login_resets_the_failure_count(app: Flask) -> None:
    api = Api(app.test_client())
    for _ in range(4):
        api.login("op.a", "tebakan-yang-salah")
    assert api.login("op.a").status_code == 200
    for _ in range(4):
        assert api.login("op.a", "tebakan-yang-salah").status_code == 401
    assert api.login("op.a").status_code == 200


def test_write_without_csrf_token_is_refused(app: Flask, services) -> None:
    api = Api(app.test_client())
    api.login("op.a")
    request_id = str(uuid.uuid4())
    response = app.test_client().put(f"/api/v1/requests/{request_id}", json=draft())  # anonymous
    assert response.status_code == 401
    api.csrf = "token-yang-dipalsukan"
    forged = api.put(f"/api/v1/requests/{request_id}", json=draft())
    assert forged.status_code == 403
    assert "CSRF" in forged.get_json()["detail"]
    api.csrf = ""
    assert api.put(f"/api/v1/requests/{request_id}", json=draft()).status_code == 403
    assert services.records.get_request(request_id) is None


def test_logout_ends_the_session(app: Flask) -> None:
    api = Api(app.test_client())
    api.login("op.a")
    assert api.post("/api/v1/auth/logout").status_code == 200
    assert api.get("/api/v1/auth/me").status_code == 401


def test_session_cookie_is_httponly_samesite_lax_and_secure_outside_local(tmp_path: Path) -> None:
    app = make_app(tmp_path, SESSION_COOKIE_SECURE=True)
    try:
        from helpers import services_of

        services_of(app).accounts.create_user("op.x", "operator", "52.03.01.2001", PASSWORD)
        response = Api(app.test_client()).login("op.x")
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    finally:
        close_app(app)


def test_disabled_officer_loses_the_session(app: Flask, services) -> None:
    api = Api(app.test_client())
    api.login("op.a")
    user = services.records.get_user("op.a")
    user.active = False
    user.session_epoch += 1
    services.records.save_user(user)
    assert api.get("/api/v1/auth/me").status_code == 401
    assert api.login("op.a").status_code == 401
