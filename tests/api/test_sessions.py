"""Officer sessions: server-side and ending, throttled logins, CSRF on writes, cookie flags."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from bakso.bootstrap import Services
from helpers import PASSWORD, Api, CountingHasher, close_app, draft, make_app


def test_login_returns_role_desa_and_csrf_token(app: Flask) -> None:
    api = Api(app.test_client())
    body = api.login("op.a").get_json()
    assert body["user"] == {
        "username": "op.a",
        "role": "operator",
        "desa": "52.03.01.2001",
        "kabupaten": "52.03",  # its desa's (#16)
        "provinsi": None,
    }
    assert body["kabupaten"]["name"] == "Kabupaten Lombok Timur"
    assert len(body["csrf_token"]) >= 32
    me = api.get("/api/v1/auth/me").get_json()
    assert me["user"]["username"] == "op.a"
    # The kabupaten's clock, for every time the PWA writes (one setting, #14).
    assert body["timezone"] == me["timezone"] == "Asia/Makassar"


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


# Server-side sessions and throttling (#13) ---------------------------------------------


class MovableClock:
    """The sessions' clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def _copy_of_cookie(app: Flask, api: Api) -> Any:
    """Another browser holding a copy of `api`'s session cookie (a shared tablet, a thief)."""
    cookie = api.client.get_cookie("bakso_session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("bakso_session", cookie.value)
    return other


def test_a_copied_cookie_is_refused_after_logout(app: Flask) -> None:
    tablet = Api(app.test_client())
    tablet.login("op.a")
    copy = _copy_of_cookie(app, tablet)
    assert copy.get("/api/v1/auth/me").status_code == 200

    assert tablet.post("/api/v1/auth/logout").status_code == 200

    assert copy.get("/api/v1/auth/me").status_code == 401
    assert copy.get("/api/v1/requests").status_code == 401


def test_a_session_unused_for_the_idle_time_is_refused(app: Flask, services: Services) -> None:
    clock = MovableClock()
    services.sessions.clock = clock
    idle, busy = Api(app.test_client()), Api(app.test_client())
    idle.login("op.a")
    busy.login("op.a")
    clock.offset = timedelta(hours=7)
    assert busy.get("/api/v1/auth/me").status_code == 200
    clock.offset = timedelta(hours=8, seconds=1)  # 8 h since idle was last used

    assert idle.get("/api/v1/auth/me").status_code == 401
    assert busy.get("/api/v1/auth/me").status_code == 200  # used an hour ago
    clock.offset = timedelta(hours=12, seconds=1)  # the absolute lifetime holds too
    assert busy.get("/api/v1/auth/me").status_code == 401


def test_admin_ends_every_session_of_an_account(app: Flask) -> None:
    phone, tablet = Api(app.test_client()), Api(app.test_client())
    phone.login("op.a")
    tablet.login("op.a")
    admin = Api(app.test_client())
    admin.login("admin")

    ended = admin.post("/api/v1/users/op.a/sessions/revoke")

    assert ended.status_code == 200 and ended.get_json()["username"] == "op.a"
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert tablet.get("/api/v1/auth/me").status_code == 401
    assert admin.get("/api/v1/auth/me").status_code == 200
    assert Api(app.test_client()).login("op.a").status_code == 200  # may log in again
    assert admin.post("/api/v1/users/tidak.ada/sessions/revoke").status_code == 404


def test_only_the_admin_ends_sessions(app: Flask) -> None:
    victim = Api(app.test_client())
    victim.login("op.b")
    officer = Api(app.test_client())
    officer.login("dukcapil")
    assert officer.post("/api/v1/users/op.b/sessions/revoke").status_code == 403
    assert victim.get("/api/v1/auth/me").status_code == 200


def test_fifty_parallel_wrong_passwords_are_checked_at_most_five_times(
    app: Flask, services: Services
) -> None:
    hasher = CountingHasher()
    services.accounts.hasher = hasher

    def guess(i: int) -> int:
        client = app.test_client()
        body = {"username": "dukcapil", "password": f"tebakan-{i:02d}-salah"}
        return int(client.post("/api/v1/auth/login", json=body).status_code)

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(guess, range(50)))

    assert hasher.verified <= 5
    assert statuses.count(401) == hasher.verified
    assert statuses.count(429) == 50 - hasher.verified
    assert Api(app.test_client()).login("dukcapil").status_code == 429  # locked, even if right
