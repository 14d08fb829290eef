"""#17 part 2, the server's side: `PUT /requests/<uuid>` carries the service form's `fields`.

Both adapter sets: the values round-trip through the store, an invalid member's NIK is
refused with the field named and stores nothing, a replay stays idempotent.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from flask import Flask

from helpers import draft, services_of

VECTORS = Path(__file__).parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"


def valid(service: str) -> dict[str, Any]:
    """The vectors' complete, valid fields of a service (the PWA and the server judge them)."""
    fields: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))["valid"][service]
    return copy.deepcopy(fields)


def kk_baru(fields: dict[str, Any]) -> dict[str, Any]:
    return draft(service="KK_BARU", subject=None, fields=fields)


def test_fields_round_trip_through_the_store_and_the_detail(app: Flask, api_factory) -> None:
    op = api_factory("op.a")
    fields = valid("KK_BARU")
    created = op.create(kk_baru(fields))
    assert created["fields"] == fields

    shown = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert shown["fields"] == fields
    stored = services_of(app).records.get_request(created["id"])
    assert stored is not None and stored.fields == fields


def test_an_invalid_member_nik_is_refused_with_the_field_named_and_changes_nothing(
    app: Flask, api_factory
) -> None:
    op = api_factory("op.a")
    fields = valid("KK_BARU")
    created = op.create(kk_baru(fields))
    bad = copy.deepcopy(fields)
    bad["members"][1]["nik"] = "5203019999900001"  # birth date 99: no such day
    body = {**kk_baru(bad), "version": created["version"]}

    refused = op.put(f"/api/v1/requests/{created['id']}", json=body)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert [e["field"] for e in problem["errors"]] == ["fields.members[1].nik"]
    assert problem["errors"][0]["message"]
    assert "fields.members[1].nik" in problem["detail"]
    after = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert after["version"] == created["version"]
    assert after["fields"] == fields

    new_id = str(uuid.uuid4())
    assert op.put(f"/api/v1/requests/{new_id}", json=kk_baru(bad)).status_code == 422
    assert services_of(app).records.get_request(new_id) is None


def test_cross_field_rules_and_unknown_sections_are_refused_by_path(api_factory) -> None:
    op = api_factory("op.a")
    fields = valid("KK_BARU")
    fields["members"][1]["relationship"] = "KEPALA_KELUARGA"  # two heads of family
    fields["hobby"] = {"x": "y"}
    refused = op.put(f"/api/v1/requests/{uuid.uuid4()}", json=kk_baru(fields))
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"fields.hobby", "fields.members"}
    # Another service's section (KTP_BARU's form has no `family`): unknown, nothing stored.
    other = draft(service="KTP_BARU", subject=None, fields={"family": {"rt": "001"}})
    refused = op.put(f"/api/v1/requests/{uuid.uuid4()}", json=other)
    assert refused.status_code == 422
    assert ("fields.family", "unknown") in {
        (e["field"], e["code"]) for e in refused.get_json()["errors"]
    }


def test_empty_fields_are_accepted_for_a_service_with_a_form(api_factory) -> None:
    op = api_factory("op.a")
    # A draft saved before its form is filled (submitting it is refused: test_submit_fields.py).
    created = op.create(draft(service="KK_BARU", subject=None, fields={}))
    assert created["fields"] == {}


def test_a_replay_is_idempotent_and_other_fields_are_a_change(api_factory) -> None:
    op = api_factory("op.a")
    fields = valid("AKTA_LAHIR")
    request_id = str(uuid.uuid4())
    created = op.create(draft(fields=fields), request_id=request_id)

    replay = op.put(f"/api/v1/requests/{request_id}", json=draft(fields=fields))
    assert replay.status_code == 200
    assert replay.get_json()["version"] == created["version"]

    changed = copy.deepcopy(fields)
    changed["subject"]["birth_time"] = "08:15"
    stale = op.put(f"/api/v1/requests/{request_id}", json=draft(fields=changed))
    assert stale.status_code == 409  # a change based on version 0, not a replay
    updated = op.put(
        f"/api/v1/requests/{request_id}",
        json={**draft(fields=changed), "version": created["version"]},
    )
    assert updated.status_code == 200
    assert updated.get_json()["version"] == created["version"] + 1
    assert updated.get_json()["fields"]["subject"]["birth_time"] == "08:15"
