"""Who may see and do what: an operator only their desa; anonymous nothing."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from helpers import DESA_B, PASSWORD, Api, draft, fake_jpeg


@pytest.fixture
def request_of_desa_b(api_factory) -> dict:
    op_b = api_factory("op.b")
    created = op_b.create(draft(desa=DESA_B))
    op_b.attach(created["id"], "F201", fake_jpeg("b-f201"))
    detail = op_b.get(f"/api/v1/requests/{created['id']}").get_json()
    return detail


def test_operator_gets_404_for_another_desas_request_and_scans(
    api_factory, request_of_desa_b
) -> None:
    op_a = api_factory("op.a")
    rid = request_of_desa_b["id"]
    scan_id = request_of_desa_b["scans"][0]["id"]
    assert op_a.get(f"/api/v1/requests/{rid}").status_code == 404
    assert op_a.get(f"/api/v1/requests/{rid}/scans/{scan_id}").status_code == 404
    assert op_a.post(f"/api/v1/requests/{rid}/scans/{scan_id}/complete").status_code == 404
    assert op_a.register(rid, "F201", fake_jpeg("intruder")).status_code == 404
    assert op_a.post(f"/api/v1/requests/{rid}/submit").status_code == 404
    moved = op_a.post(f"/api/v1/requests/{rid}/transition", json={"to": "DIBATALKAN", "version": 1})
    assert moved.status_code == 404
    # A replay of B's draft by A must not reveal or change it.
    assert op_a.put(f"/api/v1/requests/{rid}", json=draft()).status_code == 404


def test_operator_list_shows_only_own_desa(api_factory, request_of_desa_b) -> None:
    op_a = api_factory("op.a")
    mine = op_a.create()
    listed = op_a.get("/api/v1/requests").get_json()
    assert [r["id"] for r in listed["items"]] == [mine["id"]]
    assert op_a.get(f"/api/v1/requests?desa={DESA_B}").status_code == 404


def test_dukcapil_sees_every_desa(api_factory, request_of_desa_b) -> None:
    api_factory("op.a").create()
    listed = api_factory("dukcapil").get("/api/v1/requests").get_json()
    assert len(listed["items"]) == 2
    only_b = api_factory("dukcapil").get(f"/api/v1/requests?desa={DESA_B}").get_json()
    assert [r["id"] for r in only_b["items"]] == [request_of_desa_b["id"]]


def test_operator_cannot_create_a_request_for_another_desa(api_factory, services) -> None:
    op_a = api_factory("op.a")
    request_id = str(uuid.uuid4())
    response = op_a.put(f"/api/v1/requests/{request_id}", json=draft(desa=DESA_B))
    assert response.status_code == 403
    assert services.records.get_request(request_id) is None


def test_dukcapil_cannot_create_drafts(api_factory) -> None:
    response = api_factory("dukcapil").put(f"/api/v1/requests/{uuid.uuid4()}", json=draft())
    assert response.status_code == 403


def test_operator_cannot_make_dukcapils_transitions(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    submitted = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()
    for target in ("DITERIMA", "DIPROSES", "SELESAI"):
        response = op.post(
            f"/api/v1/requests/{created['id']}/transition",
            json={"to": target, "note": "x", "version": submitted["version"]},
        )
        assert response.status_code in (403, 409), target
    accepted = op.post(
        f"/api/v1/requests/{created['id']}/transition",
        json={"to": "DITERIMA", "version": submitted["version"]},
    )
    assert accepted.status_code == 403


def test_dukcapil_cannot_hand_over_a_document(api_factory) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    version = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()["version"]
    dk = api_factory("dukcapil")
    for target in ("DITERIMA", "DIPROSES", "SELESAI"):
        version = dk.post(
            f"/api/v1/requests/{created['id']}/transition", json={"to": target, "version": version}
        ).get_json()["version"]
    handover = dk.post(
        f"/api/v1/requests/{created['id']}/transition",
        json={"to": "DISERAHKAN", "version": version},
    )
    assert handover.status_code == 403


def _example(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?[^>]+>", lambda m: str(uuid.uuid4()), rule)


def test_anonymous_gets_401_on_every_api_route_but_login_and_public_status(app: Flask) -> None:
    anonymous = Api(app.test_client())
    public = {"api_v1.auth.login", "api_v1.status.status"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in public:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            response = anonymous.client.open(_example(rule.rule), method=method, json={})
            assert response.status_code == 401, (method, rule.rule)
            assert response.mimetype == "application/problem+json"
            checked += 1
    assert checked >= 10
    assert anonymous.get("/api/v1/status/" + "x" * 32).status_code == 404


def test_dukcapil_filters_by_kecamatan_and_service(api_factory) -> None:
    a = api_factory("op.a").create()
    b = api_factory("op.b").create(draft(desa=DESA_B, service="KTP_HILANG"))
    dk = api_factory("dukcapil")
    by_kecamatan = dk.get("/api/v1/requests?kecamatan=52.03.02").get_json()["items"]
    assert [r["id"] for r in by_kecamatan] == [b["id"]]
    by_service = dk.get("/api/v1/requests?service=AKTA_LAHIR").get_json()["items"]
    assert [r["id"] for r in by_service] == [a["id"]]
    assert dk.get("/api/v1/requests?older_than_days=1").get_json()["items"] == []


def test_the_province_role_gets_403_on_every_api_route_but_sign_in_and_coverage(
    app: Flask, services
) -> None:
    """The province account reads coverage figures (#16): every other route, whatever its
    method, refuses it before any service runs, so no new route can leak to it by default."""
    services.accounts.create_user("prov.52", "provinsi", None, PASSWORD, provinsi="52")
    province = Api(app.test_client())
    assert province.login("prov.52").status_code == 200
    allowed = ("api_v1.auth.", "api_v1.catalog.", "api_v1.stats.")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(allowed):
            continue
        if rule.endpoint == "api_v1.status.status":  # the resident's public page data
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = province.client.open(
                _example(rule.rule),
                method=method,
                json={},
                headers={"X-CSRF-Token": province.csrf or ""},
            )
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            assert response.mimetype == "application/problem+json"
            checked += 1
    assert checked >= 40
    assert province.get("/api/v1/stats/coverage").status_code == 200


def test_the_pengawas_role_gets_403_on_every_api_route_but_sign_in_and_reports(
    app: Flask, services
) -> None:
    """The kabupaten's overseer (#19) reads residents' reports: every other route, whatever
    its method, refuses it before any service runs (no request, scan, export or manifest)."""
    services.accounts.create_user("pengawas.52", "pengawas", None, PASSWORD)
    overseer = Api(app.test_client())
    assert overseer.login("pengawas.52").status_code == 200
    allowed = ("api_v1.auth.", "api_v1.reports.")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith(allowed):
            continue
        if rule.endpoint == "api_v1.status.status":  # the resident's public page data
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = overseer.client.open(
                _example(rule.rule),
                method=method,
                json={},
                headers={"X-CSRF-Token": overseer.csrf or ""},
            )
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            assert response.mimetype == "application/problem+json"
            checked += 1
    assert checked >= 40
    assert overseer.get("/api/v1/reports").status_code == 200


@pytest.mark.parametrize("who", ["op.a", "op.b", "dukcapil", "admin"])
def test_report_routes_answer_404_to_every_role_but_the_pengawas(api_factory, who) -> None:
    api = api_factory(who)
    assert api.get("/api/v1/reports").status_code == 404
    assert api.get("/api/v1/reports/LPR-AAAAAAAA").status_code == 404
    followed = api.post("/api/v1/reports/LPR-AAAAAAAA/followup", json={"note": "x"})
    assert followed.status_code == 404
    # Counts without content are the admin's (and the overseer's), nobody else's.
    assert api.get("/api/v1/reports/summary").status_code == (200 if who == "admin" else 404)
