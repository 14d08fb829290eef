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
    assert error.message == "NIK tidak valid: tanggal 32-02 pada nomor itu tidak ada."


def test_a_field_required_by_another_says_by_which_choice(forms: Forms, regions: Regions) -> None:
    definition = forms.get("KK_HILANG")
    assert definition is not None
    fields = changed(VECTORS["valid"]["KK_HILANG"], {"loss.police_number": None})
    [error] = validate(definition, fields, regions, TODAY)
    assert error.path == "loss.police_number"
    said = 'Nomor surat keterangan kehilangan wajib diisi bila Keadaan KK "Hilang".'
    assert error.message == said


def test_a_rule_names_the_other_fields_section_when_it_lies_in_another(
    forms: Forms, regions: Regions
) -> None:
    definition = forms.get("AKTA_LAHIR")
    assert definition is not None
    fields = changed(VECTORS["valid"]["AKTA_LAHIR"], {"mother.birth_date": "2020-01-01"})
    [error] = validate(definition, fields, regions, TODAY)
    assert error.path == "mother.birth_date"
    # Whose birth date: the child's (review #17: "… sebelum Tanggal lahir." said nobody's).
    said = "Tanggal lahir ibu harus paling sedikit 10 tahun sebelum Tanggal lahir (Data anak)."
    assert error.message == said


def test_every_service_of_the_catalog_has_a_form_and_valid_fields(
    catalog: Catalog, forms: Forms, regions: Regions
) -> None:
    every = {s.code for s in catalog.services()}
    assert set(build_forms({}).services()) == every
    # Other tests and the e2e filler take a service's `valid` as its complete test data.
    assert set(VECTORS["valid"]) == every
    for code in every:
        definition = forms.get(code)
        assert definition is not None
        assert validate(definition, VECTORS["valid"][code], regions, TODAY) == [], code


def test_the_subject_section_is_flagged_and_served_with_the_flag(forms: Forms) -> None:
    subjects = {}
    for code in forms.services():
        definition = forms.get(code)
        assert definition is not None
        section = definition.subject_section()
        if section is not None:
            subjects[code] = section.key
    assert subjects == {"AKTA_LAHIR": "subject", "AKTA_MATI": "deceased", "KIA": "child"}
    served = forms.document()
    assert set(served) == {"choices", "services"}  # `about` is for whoever edits the file
    kia = served["services"]["KIA"]["sections"][0]
    assert kia["key"] == "child" and kia["subject"] is True
    served["services"].clear()  # a caller's copy: the loaded forms stay as they were
    assert forms.document()["services"]["KIA"]["sections"][0]["subject"] is True


def _broken(tmp_path: Path, edit: Any) -> Path:
    data = copy.deepcopy(FORMS_JSON)
    edit(data)
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _lahir(data: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = data["services"]["AKTA_LAHIR"]
    return service


def _service(code: str) -> Any:
    return lambda d: d["services"][code]


_mati = _service("AKTA_MATI")
_hilang = _service("KK_HILANG")
_pindah = _service("PINDAH_KELUAR")

BROKEN = {
    "two subject sections": (
        lambda d: _lahir(d)["sections"][1].update(subject=True),
        'more than one section has "subject": true',
    ),
    "a repeating subject section": (
        lambda d: _lahir(d)["sections"][4].update(subject=True),
        "a subject section cannot repeat",
    ),
    "subject flag not a boolean": (
        lambda d: _lahir(d)["sections"][0].update(subject="ya"),
        "subject must be true or false",
    ),
    "subject section whose name may be empty": (
        lambda d: _mati(d)["sections"][0]["fields"][1].update(required=False),
        "a subject section needs a required 'name' field",
    ),
    "subject field the request's subject cannot hold": (
        lambda d: _mati(d)["sections"][0]["fields"][0].update(type="text"),
        "subject field 'nik' must be a nik field",
    ),
    "subject name longer than the request's subject holds": (
        lambda d: _mati(d)["sections"][0]["fields"][1].pop("max_length"),
        "subject field 'name' needs a max_length ≤ 120",
    ),
    "subject sex of another list": (
        lambda d: _mati(d)["sections"][0]["fields"][2].update(choices="agama"),
        "subject field 'sex' must choose between L and P",
    ),
    "required_if on a field required anyway": (
        lambda d: _hilang(d)["rules"][0].update(field="family.kk"),
        "'family.kk' is required anyway",
    ),
    "required_if on a value not in the choices": (
        lambda d: _hilang(d)["rules"][0].update(value="DICURI"),
        "not one of loss.reason's choices",
    ),
    "required_if on a missing field": (
        lambda d: _hilang(d)["rules"][0].update(field="loss.police_station"),
        "'loss.police_station' is not a field",
    ),
    "pattern with a bare dot": (
        lambda d: _pindah(d)["sections"][0]["fields"][5].update(pattern="[0-9]{2}.[0-9]{2}"),
        "and [.] allowed",
    ),
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
