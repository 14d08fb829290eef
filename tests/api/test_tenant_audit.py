"""Two kabupaten on one deployment (#16): each has its own audit chain; an officer or admin
searches its own kabupaten's only, and another kabupaten's request is not found there.

Lombok Timur (52.03, the default) and Sumbawa (52.04) are served together; "admin" and
"dukcapil" are accounts from before #16 (Lombok Timur's), "admin.sb" Sumbawa's admin and
"op.sb" the operator of a Sumbawa desa, "prov" the province role of NTB (52).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api.conftest import Account, two_kabupaten_app
from helpers import (
    DESA_SUMBAWA,
    SUMBAWA,
    Api,
    draft,
    services_of,
    submit_ready,
)

LOMBOK_TIMUR = "52.03"


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    accounts: list[Account] = [
        ("op.sb", "operator", DESA_SUMBAWA, None, None),
        ("admin.sb", "admin", None, SUMBAWA, None),
        ("prov", "provinsi", None, None, "52"),
    ]
    with two_kabupaten_app(
        request.param, data_dir, monkeypatch, accounts, forbid_scans=False
    ) as app:
        yield app


@pytest.fixture
def two(app: Flask, api_factory: Callable[[str | None], Api]) -> dict[str, Any]:
    """One submitted request in each kabupaten (created, scans, submitted, verified)."""
    services = services_of(app)
    lombok = submit_ready(api_factory("op.a"), services)
    sumbawa = submit_ready(
        api_factory("op.sb"),
        services,
        draft(
            desa=DESA_SUMBAWA,
            applicant={"nik": "5204025708900002", "name": "Lalu Sumbawa", "phone": "081234567891"},
        ),
    )
    return {"lt": lombok, "sb": sumbawa}


def audit(api: Api, query: str = "") -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/audit?limit=500{query}")
    assert response.status_code == 200, response.get_json()
    items: list[dict[str, Any]] = response.get_json()["items"]
    return items


def test_an_admin_sees_only_its_own_kabupatens_chain(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    sumbawa, lombok = audit(api_factory("admin.sb")), audit(api_factory("admin"))

    assert {e["chain"] for e in sumbawa} == {SUMBAWA}
    assert {e["chain"] for e in lombok} == {LOMBOK_TIMUR}
    targets = {e["target"] for e in sumbawa}
    assert two["sb"]["id"] in targets and {"op.sb", "admin.sb"} <= targets
    assert two["lt"]["id"] not in targets and "op.a" not in targets
    assert two["sb"]["id"] not in {e["target"] for e in lombok}
    # Each chain is numbered on its own: Sumbawa's starts at 1 too.
    assert sorted(e["seq"] for e in sumbawa) == list(range(1, len(sumbawa) + 1))


def test_another_kabupatens_request_is_not_found_in_the_audit(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    sumbawa = api_factory("admin.sb")
    theirs = two["lt"]
    assert audit(sumbawa, f"&request={theirs['code']}") == []
    assert audit(sumbawa, f"&request={theirs['id']}") == []
    assert audit(sumbawa, "&user=op.a") == []
    assert audit(sumbawa, "&user=system&from=2000-01-01T00:00:00Z") != []  # its own only
    assert {e["chain"] for e in audit(sumbawa, "&user=system&from=2000-01-01T00:00:00Z")} == {
        SUMBAWA
    }
    # Its own kabupaten's admin finds it by code.
    assert {e["target"] for e in audit(api_factory("admin"), f"&request={theirs['code']}")} == {
        theirs["id"]
    }


def test_the_province_role_has_no_audit(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    assert api_factory("prov").get("/api/v1/audit").status_code == 403


def test_verify_checks_each_kabupatens_chain(app: Flask, two: dict[str, Any]) -> None:
    checks = services_of(app).audit.verify_all()
    assert sorted((c.chain, c.problem) for c in checks) == [
        (LOMBOK_TIMUR, None),
        (SUMBAWA, None),
    ]
    assert all(c.checked > 0 for c in checks)
