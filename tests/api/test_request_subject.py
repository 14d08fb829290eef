"""Review #17 finding 10: the request's `subject` and its form's subject section (the child of
AKTA_LAHIR, the deceased of AKTA_MATI, KIA's child) name one person.

Both adapter sets: a PUT whose subject differs from the section is refused (422, the
subject's key named) and stores nothing; what the PWA sends (lib/form-state.ts subjectFrom:
trimmed, empty values null) is accepted; a null subject is taken from the section.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from helpers import draft

VECTORS = Path(__file__).parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"
KEYS = ("name", "nik", "birth_date", "birth_place", "sex")


def valid(service: str) -> dict[str, Any]:
    fields: dict[str, Any] = json.loads(VECTORS.read_text(encoding="utf-8"))["valid"][service]
    return copy.deepcopy(fields)


def as_the_pwa_sends(section: dict[str, Any]) -> dict[str, Any]:
    """lib/form-state.ts subjectFrom: the section's five values, trimmed, absent ones null."""
    return {k: (section[k].strip() or None) if k in section else None for k in KEYS}


def _refused(answer: Any, field: str) -> dict[str, Any]:
    assert answer.status_code == 422, answer.get_json()
    assert answer.mimetype == "application/problem+json"
    problem: dict[str, Any] = answer.get_json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["errors"][0]["code"] == "subject_mismatch"
    assert "Harus sama dengan isian formulir" in problem["errors"][0]["message"]
    assert "Subjek permohonan tidak sama dengan isian formulir" in problem["detail"]
    return problem


@pytest.mark.parametrize(
    ("key", "other"),
    [
        ("name", "Ahmad Fauzi"),
        ("birth_date", "2026-10-03"),
        ("birth_place", "Mataram"),
        ("sex", "P"),
        ("nik", "5203010303150003"),  # AKTA_LAHIR's child has no NIK field: must stay empty
    ],
)
def test_a_subject_other_than_the_childs_section_is_refused_and_nothing_stored(
    api_factory: Any, key: str, other: str
) -> None:
    op = api_factory("op.a")
    fields = valid("AKTA_LAHIR")
    subject = {**as_the_pwa_sends(fields["subject"]), key: other}
    request_id = str(uuid.uuid4())
    body = draft(fields=fields, subject=subject)

    problem = _refused(op.put(f"/api/v1/requests/{request_id}", json=body), f"subject.{key}")
    if key != "nik":  # the message names the form's own field and section
        assert "(Data anak)" in problem["errors"][0]["message"]
    assert op.get(f"/api/v1/requests/{request_id}").status_code == 404


def test_what_the_pwa_copies_is_accepted_for_every_subject_section(api_factory: Any) -> None:
    op = api_factory("op.a")
    for service, section in (
        ("AKTA_LAHIR", "subject"),
        ("AKTA_MATI", "deceased"),
        ("KIA", "child"),
    ):
        fields = valid(service)
        subject = as_the_pwa_sends(fields[section])
        created = op.create(draft(service=service, fields=fields, subject=subject))
        assert created["subject"]["name"] == fields[section]["name"], service
        assert created["fields"] == fields, service


def test_compared_normalised_blank_null_and_nik_separators_alike(api_factory: Any) -> None:
    op = api_factory("op.a")
    fields = valid("KIA")
    nik = fields["child"]["nik"]
    fields["child"]["nik"] = f"{nik[:6]} {nik[6:12]} {nik[12:]}"  # typed in groups
    subject = {
        **as_the_pwa_sends(fields["child"]),
        "nik": nik,
        "name": f" {fields['child']['name']} ",
    }
    created = op.create(draft(service="KIA", fields=fields, subject=subject))
    assert created["subject"]["nik"] == nik

    mati = valid("AKTA_MATI")
    del mati["deceased"]["birth_place"]  # not required there
    subject = {**as_the_pwa_sends(mati["deceased"]), "birth_place": ""}
    created = op.create(draft(service="AKTA_MATI", fields=mati, subject=subject))
    assert created["subject"]["birth_place"] in (None, "")


def test_a_null_subject_is_taken_from_the_section(api_factory: Any) -> None:
    op = api_factory("op.a")
    fields = valid("AKTA_MATI")
    created = op.create(draft(service="AKTA_MATI", fields=fields, subject=None))
    deceased = fields["deceased"]
    assert created["subject"] == {k: deceased.get(k) for k in KEYS}
    shown = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert shown["subject"]["name"] == deceased["name"]


def test_an_edit_of_the_section_alone_is_refused_and_empty_fields_need_no_agreement(
    api_factory: Any,
) -> None:
    op = api_factory("op.a")
    fields = valid("AKTA_LAHIR")
    created = op.create(draft(fields=fields))
    renamed = copy.deepcopy(fields)
    renamed["subject"]["name"] = "Muhammad Rizki Ramadhan"
    body = {**draft(fields=renamed, subject=created["subject"]), "version": created["version"]}
    _refused(op.put(f"/api/v1/requests/{created['id']}", json=body), "subject.name")
    kept = op.get(f"/api/v1/requests/{created['id']}").get_json()
    assert kept["version"] == created["version"]
    assert kept["fields"]["subject"]["name"] == "Muhammad Rizki"

    # Both changed together, as the PWA saves them: accepted.
    body["subject"] = as_the_pwa_sends(renamed["subject"])
    assert op.put(f"/api/v1/requests/{created['id']}", json=body).status_code == 200

    # A draft saved before its form is filled: any subject, nothing to agree with yet.
    early = op.create(draft(fields={}, subject={"name": "Bayi Aminah"}))
    assert early["subject"]["name"] == "Bayi Aminah"
