"""Accounts per kabupaten (#16): an admin manages its own kabupaten's only; the province role.

A deployment serving Lombok Timur (52.03, the default: the accounts of helpers.USERS) and
Sumbawa (52.04), on both adapter sets. Another kabupaten's account answers 404, like one
that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api.conftest import Account, Answered, two_kabupaten_app
from bakso.domain.errors import InvalidInput
from helpers import (
    DESA_A,
    DESA_SUMBAWA,
    PANGANDARAN_DIR,
    PASSWORD,
    SUMBAWA,
    Api,
    close_app,
    make_app,
    services_of,
)

NEW_PASSWORD = "sandi-baru-yang-panjang"


@pytest.fixture(params=["local", "aws"])
def two(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    answered_statuses: Answered,
) -> Iterator[Flask]:
    """Lombok Timur's accounts, and Sumbawa's admin and one operator."""
    accounts: list[Account] = [
        ("admin.sb", "admin", None, SUMBAWA, None),
        ("op.sb", "operator", DESA_SUMBAWA, None, None),
    ]
    with two_kabupaten_app(
        request.param, data_dir, monkeypatch, accounts, answered_statuses
    ) as app:
        yield app


def _login(app: Flask, username: str) -> Api:
    api = Api(app.test_client())
    assert api.login(username).status_code == 200
    return api


def _create(api: Api, **body: Any) -> Any:
    return api.post("/api/v1/users", json={"password": PASSWORD, **body})


def _names(api: Api) -> set[str]:
    return {u["username"] for u in api.get("/api/v1/users").get_json()["items"]}


def test_an_admin_lists_only_its_kabupatens_accounts(two: Flask) -> None:
    assert _names(_login(two, "admin.sb")) == {"admin.sb", "op.sb"}
    lombok = _names(_login(two, "admin"))
    assert {"admin", "dukcapil", "op.a", "op.b"} <= lombok
    assert not {"admin.sb", "op.sb"} & lombok
    listed = _login(two, "admin.sb").get("/api/v1/users").get_json()["items"]
    assert {u["kabupaten"] for u in listed} == {SUMBAWA}


@pytest.mark.parametrize("username", ["op.a", "dukcapil", "admin"])
def test_another_kabupatens_account_is_not_found_and_stays_unchanged(
    two: Flask, username: str
) -> None:
    admin = _login(two, "admin.sb")
    missing = admin.post("/api/v1/users/tidak.ada/disable")
    assert missing.status_code == 404
    answers = [
        admin.get(f"/api/v1/users/{username}"),
        admin.post(f"/api/v1/users/{username}/reset-password", json={"password": NEW_PASSWORD}),
        admin.post(f"/api/v1/users/{username}/disable"),
        admin.post(f"/api/v1/users/{username}/enable"),
        admin.post(f"/api/v1/users/{username}/sessions/revoke"),
        admin.post(f"/api/v1/users/{username}/desa", json={"desa": DESA_SUMBAWA}),
    ]
    for answer in answers:
        assert answer.status_code == 404
        # The same problem as for an account that does not exist: no hint that it does.
        assert answer.get_json()["title"] == missing.get_json()["title"]
    assert Api(two.test_client()).login(username).status_code == 200  # old password, active
    own = admin.get("/api/v1/users/op.sb")
    assert own.status_code == 200 and own.get_json()["kabupaten"] == SUMBAWA


def test_an_admin_creates_accounts_of_its_own_kabupaten_only(two: Flask) -> None:
    admin = _login(two, "admin.sb")
    elsewhere = _create(admin, username="op.baru", role="operator", desa=DESA_A)
    assert elsewhere.status_code == 422 and "kabupaten Anda" in elsewhere.get_json()["detail"]
    officer = _create(admin, username="dukcapil.lt", role="dukcapil", kabupaten="52.03")
    assert officer.status_code == 422
    assert _create(admin, username="admin.x", role="admin", kabupaten="99.99").status_code == 422
    assert not {"op.baru", "dukcapil.lt", "admin.x"} & _names(_login(two, "admin"))

    own = _create(admin, username="dukcapil.sb", role="dukcapil")
    assert own.status_code == 201 and own.get_json()["kabupaten"] == SUMBAWA  # the admin's
    operator = _create(admin, username="op.sb2", role="operator", desa=DESA_SUMBAWA)
    assert operator.status_code == 201 and operator.get_json()["kabupaten"] == SUMBAWA
    moved = admin.post("/api/v1/users/op.sb2/desa", json={"desa": DESA_A})
    assert moved.status_code == 422
    session = Api(two.test_client()).login("dukcapil.sb").get_json()
    assert session["user"]["kabupaten"] == SUMBAWA
    assert session["kabupaten"]["name"] == "Kabupaten Sumbawa"


def test_an_operators_kabupaten_is_its_desas(two: Flask) -> None:
    accounts = services_of(two).accounts
    with pytest.raises(InvalidInput):
        accounts.create_user("op.x", "operator", DESA_A, PASSWORD, kabupaten=SUMBAWA)
    with pytest.raises(InvalidInput):
        accounts.create_user("op.y", "operator", "52.05.01.2001", PASSWORD)  # not served
    created = accounts.create_user("op.z", "operator", DESA_A, PASSWORD, kabupaten="52.03")
    assert created.kabupaten == "52.03"


def test_a_province_account_is_the_maintainers_never_a_kabupaten_admins(two: Flask) -> None:
    """A province account reads every kabupaten of its province: if a kabupaten's admin could
    make, reset or disable one, it would reach past its own kabupaten (#16)."""
    accounts = services_of(two).accounts
    for wrong in (
        {"provinsi": "32"},  # no served kabupaten there
        {},
        {"provinsi": "52", "desa": DESA_A},
        {"provinsi": "52", "kabupaten": "52.03"},
    ):
        with pytest.raises(InvalidInput):
            accounts.create_user(
                "provinsi.x",
                "provinsi",
                wrong.get("desa"),
                PASSWORD,
                kabupaten=wrong.get("kabupaten"),
                provinsi=wrong.get("provinsi"),
            )
    for admin_name in ("admin", "admin.sb"):
        admin = _login(two, admin_name)
        made = _create(admin, username="provinsi.y", role="provinsi", provinsi="52")
        assert made.status_code == 422 and "pengelola layanan" in made.get_json()["detail"]
    created = accounts.create_user("provinsi.ntb", "provinsi", None, PASSWORD, provinsi="52")
    assert created.provinsi == "52" and created.kabupaten is None
    for admin_name in ("admin", "admin.sb"):
        admin = _login(two, admin_name)
        assert "provinsi.ntb" not in _names(admin)
        assert admin.get("/api/v1/users/provinsi.ntb").status_code == 404
        reset = admin.post(
            "/api/v1/users/provinsi.ntb/reset-password", json={"password": NEW_PASSWORD}
        )
        assert reset.status_code == 404
        assert admin.post("/api/v1/users/provinsi.ntb/disable").status_code == 404
    province = Api(two.test_client())
    session = province.login("provinsi.ntb").get_json()  # the password it was made with
    assert session["user"]["role"] == "provinsi"
    assert [k["code"] for k in session["kabupaten"]] == ["52.03", "52.04"]
    assert session["kabupaten"][1]["name"] == "Kabupaten Sumbawa"
    assert session["timezone"] == "Asia/Makassar"
    assert province.get("/api/v1/auth/me").get_json()["kabupaten"] == session["kabupaten"]
    assert province.get("/api/v1/users").status_code == 403  # not an admin


@pytest.fixture
def pangandaran(data_dir: Path) -> Iterator[Flask]:
    app = make_app(data_dir, KABUPATEN_DIRS=(PANGANDARAN_DIR,))
    accounts = services_of(app).accounts
    accounts.create_user("admin", "admin", None, PASSWORD)
    accounts.create_user("dukcapil.pd", "dukcapil", None, PASSWORD, kabupaten="32.18")
    yield app
    close_app(app)


def test_a_pangandaran_officers_session_names_its_kabupaten_and_wib(pangandaran: Flask) -> None:
    officer = Api(pangandaran.test_client())
    session = officer.login("dukcapil.pd").get_json()
    assert session["kabupaten"]["name"] == "Kabupaten Pangandaran"
    assert session["kabupaten"]["code_prefix"] == "PD"
    assert session["timezone"] == "Asia/Jakarta"
    me = officer.get("/api/v1/auth/me").get_json()
    assert me["timezone"] == "Asia/Jakarta" and me["kabupaten"]["code"] == "32.18"
    lombok = Api(pangandaran.test_client()).login("admin").get_json()  # the default's
    assert lombok["kabupaten"]["code"] == "52.03" and lombok["timezone"] == "Asia/Makassar"


def test_the_cli_makes_no_province_account_without_a_served_kabupaten(
    pangandaran: Flask,
) -> None:
    accounts = services_of(pangandaran).accounts
    with pytest.raises(InvalidInput):
        accounts.create_user("provinsi.x", "provinsi", None, PASSWORD, provinsi="65")
    made = accounts.create_user("provinsi.jabar", "provinsi", None, PASSWORD, provinsi="32")
    assert [k.code for k in accounts.kabupaten_served(made)] == ["32.18"]
