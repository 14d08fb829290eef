"""Accounts cached per process for a few seconds (#16), with revocation still immediate.

The USERS partition of DynamoDB holds every officer, so reading the account on
every request is a hot key; the session item is still read every time, and
every path that ends sessions marks them. The revocation tests run the admin
and the officer on two apps over the same store (two processes, two caches),
the officer's cache warm and long, so only the session items can end it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from helpers import PASSWORD, Api, close_app, make_app, services_of


@contextmanager
def _keys_read(app: Flask) -> Iterator[Counter[tuple[str, str]]]:
    """(operation, PK) of every DynamoDB GetItem/Query the app's records client sends."""
    client = services_of(app).records.client  # type: ignore[attr-defined]
    counts: Counter[tuple[str, str]] = Counter()

    def note(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "GetItem":
            counts[("GetItem", params["Key"]["PK"]["S"])] += 1
        elif model.name == "Query":
            counts[("Query", str(params.get("ExpressionAttributeValues", {}).get(":pk")))] += 1

    client.meta.events.register("before-parameter-build.dynamodb", note)
    try:
        yield counts
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb", note)


def test_calls_within_the_window_read_the_account_once(
    app: Flask, request: pytest.FixtureRequest
) -> None:
    if request.node.callspec.params["app"] != "aws":
        pytest.skip("counts DynamoDB operations")
    api = Api(app.test_client())
    api.login("op.a")
    with _keys_read(app) as reads:
        for _ in range(6):
            assert api.get("/api/v1/requests").status_code == 200

    assert reads[("GetItem", "USERS")] == 1  # the default 5 s window: one read, not six
    sessions = sum(n for (op, pk), n in reads.items() if pk.startswith("SESSION#"))
    assert sessions == 6  # revocation is still checked on every call


@pytest.fixture
def officers_app(app: Flask, data_dir: Path) -> Iterator[Flask]:
    """Another process over the same store, caching accounts for a whole minute."""
    other = make_app(data_dir, USER_CACHE_SECONDS=60)
    yield other
    close_app(other)


def _warm(officers_app: Flask, username: str = "op.a") -> Api:
    officer = Api(officers_app.test_client())
    assert officer.login(username).status_code == 200
    for _ in range(2):  # the account is now in this process's cache
        assert officer.get("/api/v1/requests").status_code == 200
    return officer


def _admin(app: Flask) -> Api:
    admin = Api(app.test_client())
    assert admin.login("admin").status_code == 200
    return admin


REVOKING: dict[str, Callable[[Api], Any]] = {
    "disable": lambda admin: admin.post("/api/v1/users/op.a/disable"),
    "reset": lambda admin: admin.post(
        "/api/v1/users/op.a/reset-password", json={"password": "sandi-baru-yang-panjang"}
    ),
    "end_sessions": lambda admin: admin.post("/api/v1/users/op.a/sessions/revoke"),
}


@pytest.mark.parametrize("action", sorted(REVOKING))
def test_revoking_ends_an_open_session_on_the_next_call_with_the_cache_warm(
    app: Flask, officers_app: Flask, action: str
) -> None:
    officer = _warm(officers_app)
    phone = _warm(officers_app)  # every device of the officer, not only one
    bystander = _warm(officers_app, "op.b")

    assert REVOKING[action](_admin(app)).status_code == 200

    assert officer.get("/api/v1/requests").status_code == 401
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert bystander.get("/api/v1/requests").status_code == 200  # another officer stays in


def test_a_stale_cached_account_never_refuses_a_fresh_login(
    app: Flask, officers_app: Flask
) -> None:
    """After a reset (epoch moved) or re-enabling, the new session works at once."""
    _warm(officers_app)
    admin = _admin(app)
    new_password = "sandi-baru-yang-panjang"
    assert (
        admin.post("/api/v1/users/op.a/reset-password", json={"password": new_password}).status_code
        == 200
    )
    again = Api(officers_app.test_client())
    assert again.login("op.a", new_password).status_code == 200
    assert again.get("/api/v1/requests").status_code == 200

    assert admin.post("/api/v1/users/op.a/disable").status_code == 200
    assert admin.post("/api/v1/users/op.a/enable").status_code == 200
    back = Api(officers_app.test_client())
    assert back.login("op.a", new_password).status_code == 200
    assert back.get("/api/v1/requests").status_code == 200
    assert Api(officers_app.test_client()).login("op.a", PASSWORD).status_code == 401
