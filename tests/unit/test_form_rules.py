"""Form definitions: the shared vectors (also run by pwa/test/form-rules.test.ts) and the
start-up check of forms.json."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bakso.bootstrap import build_forms
from bakso.config import ConfigError
from bakso.domain import form_rules
from bakso.domain.catalog import Catalog
from bakso.domain.form_rules import validate
from bakso.domain.forms import RULES, TYPES, Forms, FormsError, load_forms
from bakso.domain.regions import Regions

DATA = Path(__file__).parents[2] / "backend" / "bakso" / "data"
VECTORS: dict[str, Any] = json.loads((DATA / "form_vectors.json").read_text(encoding="utf-8"))
TODAY = dt.date.fromisoformat(VECTORS["today"])
FORMS_JSON: dict[str, Any] = json.loads((DATA / "forms.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.from_csv(DATA / "kabupaten/52.03/wilayah.csv")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_json(DATA / "catalog.json")


@pytest.fixture(scope="module")
def forms(catalog: Catalog) -> Forms:
    return load_forms(DATA / "forms.json", catalog)


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, *indexes = re.findall(r"[^\[\]]+", part)
        steps += [name, *(int(i) for i in indexes)]
    return steps


def changed(fields: Any, change: dict[str, Any]) -> Any:
    """The vectors' `change`: a path set (null deletes; one past a list's end appends)."""
    result = copy.deepcopy(fields)
    for path, value in change.items():
        if path == "":
            result = value
            continue
        *parents, last = _steps(path)
        target = result
        for step in parents:
            target = target[step]
        if value is None:
            del target[last]
        elif isinstance(last, int) and last == len(target):
            target.append(value)
        else:
            target[last] = value
    return result


CASES = VECTORS["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['service']}: {c['note']}" for c in CASES])
def test_vector(case: dict[str, Any], forms: Forms, regions: Regions) -> None:
    definition = forms.get(case["service"])
    assert definition is not None
    fields = changed(VECTORS["valid"][case["service"]], case["change"])
    errors = validate(definition, fields, regions, TODAY)
    assert [[e.path, e.code] for e in errors] == case["errors"]
    for error in errors:  # every error says what is wrong, in Indonesian, to the operator
        assert error.message.endswith(".") and len(error.message) > 10


def test_vectors_cover_every_rule_type_and_service(forms: Forms) -> None:
    codes = {code for c in CASES for _, code in c["errors"]}
    assert set(RULES) <= codes
    assert codes >= TYPES
    assert {"required", "unknown", "count_min", "count_max", "min", "max", "integer"} <= codes
    assert {c["service"] for c in CASES} == set(forms.services())
    assert any(not c["errors"] for c in CASES)
    # Every rule kind the loader accepts has a judge, and no judge is unreachable.
    assert set(RULES) == set(form_rules._RULES)


def test_an_invalid_member_nik_names_the_member_and_says_why(
    forms: Forms, regions: Regions
) -> None:
    definition = forms.get("KK_BARU")
    assert definition is not None
    fields = changed(VECTORS["valid"]["KK_BARU"], {"members[2].nik": "5203013202150003"})
    [error] = validate(definition, fields, regions, TODAY)
    assert error.path == "members[2].nik"
    assert error.message == "NIK: NIK tidak valid: tanggal 32-02 pada nomor itu tidak ada."


def test_packaged_forms_load_at_start_up() -> None:
    assert set(build_forms({}).services()) == {"AKTA_LAHIR", "AKTA_MATI", "KK_BARU"}


def _broken(tmp_path: Path, edit: Any) -> Path:
    data = copy.deepcopy(FORMS_JSON)
    edit(data)
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _lahir(data: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = data["services"]["AKTA_LAHIR"]
    return service


BROKEN = {
    "unknown rule": (
        lambda d: _lahir(d)["rules"].append({"rule": "before", "field": "subject.birth_date"}),
        "unknown rule",
    ),
    "unknown field type": (
        lambda d: _lahir(d)["sections"][0]["fields"][0].update(type="email"),
        "unknown field type 'email'",
    ),
    "unknown requirement code": (
        lambda d: _lahir(d)["sections"][0].update(fills="F101"),
        "unknown requirement code 'F101'",
    ),
    "unknown service": (
        lambda d: d["services"].update(AKTA_LAHIRAN=_lahir(d)),
        "unknown service code",
    ),
    "rule on a missing field": (
        lambda d: _lahir(d)["rules"].append({"rule": "not_future", "field": "subject.died"}),
        "'subject.died' is not a date field",
    ),
    "rule on a text field": (
        lambda d: _lahir(d)["rules"].append({"rule": "not_future", "field": "subject.name"}),
        "'subject.name' is not a date field",
    ),
    "rule missing a parameter": (
        lambda d: _lahir(d)["rules"][4].pop("years"),
        "missing years",
    ),
    "exactly_one on a value not in the choices": (
        lambda d: d["services"]["KK_BARU"]["rules"][1].update(value="KEPALA"),
        "not one of relationship's choices",
    ),
    "unknown choice list": (
        lambda d: _lahir(d)["sections"][0]["fields"][1].update(choices="kelamin"),
        "must name a list",
    ),
    "option of another type": (
        lambda d: _lahir(d)["sections"][0]["fields"][0].update(min=1),
        "only a number field has it",
    ),
    "repeat min above max": (
        lambda d: _lahir(d)["sections"][4].update(repeat={"min": 3, "max": 2}),
        "0 ≤ min ≤ max",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_a_mistake_in_forms_json_refuses_to_start_naming_the_file(
    name: str, tmp_path: Path
) -> None:
    edit, words = BROKEN[name]
    path = _broken(tmp_path, edit)
    with pytest.raises(ConfigError) as refused:
        build_forms({"FORMS_FILE": str(path)})
    assert str(path) in str(refused.value)
    assert words in str(refused.value)


def test_unreadable_forms_json_is_refused(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "forms.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(FormsError, match=re.escape(str(path))):
        load_forms(path, catalog)
