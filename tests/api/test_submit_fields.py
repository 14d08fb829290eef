"""#17: submitting requires the service's form (docs/forms.md "On the wire"), and the
definitions are served to devices (`GET /api/v1/forms`).

Both adapter sets. A refused submit changes nothing a desa, Dukcapil or the worker would
see: the status, the version, the timeline (the audit of moves) and the queue.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bakso.bootstrap import PACKAGE_DATA, Services
from bakso.domain.catalog import Catalog
from bakso.domain.forms import Forms, load_forms
from helpers import PASSWORD, Api, draft, fake_jpeg, valid_fields


def submitted_messages(services: Services, request_id: str) -> list[dict[str, Any]]:
    """The verification messages queued for this request (the worker's work)."""
    messages = services.queue.receive(max_messages=10, visibility_timeout=1)
    return [
        m.body
        for m in messages
        if m.body.get("type") == "request.submitted" and m.body.get("request_id") == request_id
    ]


def test_a_request_without_its_form_is_not_submitted_and_nothing_changes(
    api_factory, services: Services
) -> None:
    op = api_factory("op.a")
    created = op.create(draft(fields={}))  # a draft saved before the form was filled
    op.attach_mandatory(created["id"])
    before = op.get(f"/api/v1/requests/{created['id']}").get_json()

    refused = op.post(f"/api/v1/requests/{created['id']}/submit")

    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert "belum dapat diajukan" in problem["detail"]
    assert "fields.subject.name" in problem["detail"]
    errors = {(e["field"], e["code"]) for e in problem["errors"]}
    assert ("fields.subject.name", "required") in errors
    assert ("fields.mother.nik", "required") in errors
    assert all(e["message"] for e in problem["errors"])
    after = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert (after["status"], after["version"]) == ("DRAF", before["version"])
    assert after["timeline"] == before["timeline"]
    assert submitted_messages(services, created["id"]) == []

    # The operator fills the form: the same request is then sent.
    filled = {**draft(), "version": after["version"]}
    assert op.put(f"/api/v1/requests/{created['id']}", json=filled).status_code == 200
    sent = op.post(f"/api/v1/requests/{created['id']}/submit")
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["status"] == "DIAJUKAN"
    assert len(submitted_messages(services, created["id"])) == 1
    again = op.post(f"/api/v1/requests/{created['id']}/submit")  # a replay, as before
    assert again.status_code == 200
    assert again.get_json()["version"] == sent.get_json()["version"]


def _with_a_new_required_field(path: Path, service: str) -> tuple[str, str]:
    """forms.json with one more required field in `service`'s first single section, as
    Dukcapil might add one (say, an address) while requests are under way."""
    data = json.loads((PACKAGE_DATA / "forms.json").read_text(encoding="utf-8"))
    section = next(s for s in data["services"][service]["sections"] if "repeat" not in s)
    section["fields"].append(
        {"key": "alamat_tambahan", "label": "Alamat", "type": "text", "required": True}
    )
    path.write_text(json.dumps(data), encoding="utf-8")
    return section["key"], "alamat_tambahan"


def test_a_resubmit_after_a_repair_is_judged_against_the_form_again(
    api_factory, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    op, dk = api_factory("op.a"), api_factory("dukcapil")
    created = op.create(draft())
    op.attach_mandatory(created["id"])
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200
    services.queue.receive(max_messages=10, visibility_timeout=60)  # not the test's concern
    for to, note in (("DITERIMA", ""), ("PERLU_PERBAIKAN", "Alamat pelapor belum ada")):
        version = op.get(f"/api/v1/requests/{created['id']}").get_json()["version"]
        moved = dk.post(
            f"/api/v1/requests/{created['id']}/transition",
            json={"to": to, "note": note, "version": version},
        )
        assert moved.status_code == 200, moved.get_json()
    changed = tmp_path / "forms.json"
    section, key = _with_a_new_required_field(changed, "AKTA_LAHIR")
    catalog = Catalog.from_json(PACKAGE_DATA / "catalog.json")
    monkeypatch.setattr(services.requests, "forms", load_forms(changed, catalog))
    before = op.get(f"/api/v1/requests/{created['id']}").get_json()

    refused = op.post(f"/api/v1/requests/{created['id']}/submit")

    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.get_json()["errors"]] == [
        (f"fields.{section}.{key}", "required")
    ]
    after = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert (after["status"], after["version"]) == ("PERLU_PERBAIKAN", before["version"])
    assert after["timeline"] == before["timeline"]
    assert submitted_messages(services, created["id"]) == []

    fields = copy.deepcopy(after["fields"])
    fields[section][key] = "Dusun Tanjung RT 001"
    repaired = {**draft(fields=fields), "version": after["version"]}
    assert op.put(f"/api/v1/requests/{created['id']}", json=repaired).status_code == 200
    resent = op.post(f"/api/v1/requests/{created['id']}/submit")
    assert resent.status_code == 200, resent.get_json()
    assert resent.get_json()["status"] == "DIAJUKAN"


def test_a_service_without_a_form_needs_no_fields_and_takes_none(
    api_factory, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kabupaten's forms.json may leave a service out: it is sent without fields, and
    fields sent for it are refused rather than stored unjudged (they are personal data)."""
    kept = {code: services.forms.get(code) for code in services.forms.services()}
    without = Forms({code: d for code, d in kept.items() if d and code != "AKTA_LAHIR"})
    monkeypatch.setattr(services.requests, "forms", without)
    op = api_factory("op.a")
    refused = op.put(f"/api/v1/requests/{uuid.uuid4()}", json=draft())
    assert refused.status_code == 422
    assert {e["code"] for e in refused.get_json()["errors"]} == {"unknown"}
    created = op.create(draft(fields={}))
    op.attach_mandatory(created["id"])
    assert op.post(f"/api/v1/requests/{created['id']}/submit").status_code == 200


def _attach_what_is_required(op: Api, request_id: str, service: dict[str, Any]) -> None:
    groups: set[str] = set()
    for requirement in service["requirements"]:
        if not requirement["required"] or requirement["one_of"] in groups:
            continue
        if requirement["one_of"]:
            groups.add(requirement["one_of"])
        code = requirement["code"]
        op.attach(request_id, code, fake_jpeg(request_id + code, size=16))


def test_every_service_is_submitted_with_the_test_data_fields(api_factory) -> None:
    """The helpers' drafts (tests/helpers.py valid_fields: the vectors' `valid`) pass each
    service's form on today's date, not only on the vectors' `today`."""
    op = api_factory("op.a")
    for service in op.get("/api/v1/catalog").get_json()["services"]:
        subject = None if service["code"] != "AKTA_LAHIR" else draft()["subject"]
        created = op.create(draft(service=service["code"], subject=subject))
        _attach_what_is_required(op, created["id"], service)
        sent = op.post(f"/api/v1/requests/{created['id']}/submit")
        assert sent.status_code == 200, (service["code"], sent.get_json())


def test_forms_are_served_as_the_data_file_has_them(api_factory) -> None:
    assert api_factory(None).get("/api/v1/forms").status_code == 401
    data = json.loads((PACKAGE_DATA / "forms.json").read_text(encoding="utf-8"))
    for username in ("op.a", "dukcapil", "admin"):
        answer = api_factory(username).get("/api/v1/forms")
        assert answer.status_code == 200
        served = answer.get_json()
        assert set(served) == {"choices", "services"}
        # Every key the file has (sections' `subject` flags, rules), nothing dropped.
        assert served == {"choices": data.get("choices", {}), "services": data["services"]}
    kk = served["services"]["KK_BARU"]
    assert any(rule["rule"] == "exactly_one" for rule in kk["rules"])
    members = next(s for s in kk["sections"] if s["key"] == "members")
    assert members["repeat"]["min"] >= 1
    assert {"value": "L", "label": "Laki-laki"} in served["choices"]["jenis_kelamin"]


def test_the_province_role_reads_the_forms_like_the_catalog(app: Flask, services) -> None:
    """Reference data, no one's personal data: the province account, which may read the
    catalog (api/__init__.py PROVINCE_BLUEPRINTS), reads the forms too."""
    services.accounts.create_user("prov.52", "provinsi", None, PASSWORD, provinsi="52")
    province = Api(app.test_client())
    assert province.login("prov.52").status_code == 200
    assert province.get("/api/v1/forms").status_code == 200


def test_every_catalog_service_has_a_form_definition(api_factory) -> None:
    """Issue #17: every one of the 13 services carries its form's fields."""
    op = api_factory("op.a")
    codes = {s["code"] for s in op.get("/api/v1/catalog").get_json()["services"]}
    defined = set(op.get("/api/v1/forms").get_json()["services"])
    assert sorted(codes - defined) == []
    assert valid_fields("KK_BARU")  # and the shared vectors hold each one's valid fields
    assert sorted(c for c in codes if not valid_fields(c)) == []
