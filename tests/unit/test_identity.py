"""NIK and No. KK: the shared reference vectors plus the rules they do not spell out."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.identity import (
    WARN_OTHER_KECAMATAN,
    WARN_OUTSIDE_KABUPATEN,
    WARN_UNKNOWN_KABUPATEN,
    WARN_UNKNOWN_KECAMATAN,
    NumberInfo,
    parse_kk,
    parse_nik,
)
from bakso.domain.regions import Region, Regions

DATA = Path(__file__).parents[2] / "backend" / "bakso" / "data"
TODAY = dt.date(2026, 11, 27)
VECTORS: dict[str, Any] = json.loads((DATA / "nik_vectors.json").read_text(encoding="utf-8"))

# The vectors describe expected warnings in words; each must map to a code here,
# so a new kind of warning in the file fails loudly instead of being skipped.
WARNING_CODES = {
    "outside Lombok Timur": WARN_OUTSIDE_KABUPATEN,
    "kabupaten not in today's list": WARN_UNKNOWN_KABUPATEN,
    "kecamatan not in today's list": WARN_UNKNOWN_KECAMATAN,
}

Parser = Callable[..., NumberInfo]
PARSERS: dict[str, Parser] = {"nik": parse_nik, "kk": parse_kk}
WHAT = {"nik": "NIK", "kk": "No. KK"}

# Desa used below: Tanjung Luar (Keruak), Aikmel desa (Aikmel), Lenek desa (Lenek).
DESA_KERUAK = "52.03.01.2001"
DESA_AIKMEL = "52.03.09.2002"
DESA_LENEK = "52.03.21.2001"


@pytest.fixture(scope="module")
def regions() -> Regions:
    return Regions.from_csv(DATA / "kabupaten/52.03/wilayah.csv")


def _case_id(kind: str, case: dict[str, Any]) -> str:
    value = case["value"] or "<empty>"
    note = case.get("note")
    return f"{kind}:{value}" + (f" ({note})" if note else "")


def _cases(valid: bool) -> list[Any]:
    return [
        pytest.param(kind, case, id=_case_id(kind, case))
        for kind in ("nik", "kk")
        for case in VECTORS[kind]
        if case["valid"] is valid
    ]


def _digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def test_vector_file_has_valid_and_invalid_cases_for_both_numbers() -> None:
    for kind in ("nik", "kk"):
        assert any(case["valid"] for case in VECTORS[kind]), kind
        assert any(not case["valid"] for case in VECTORS[kind]), kind


@pytest.mark.parametrize(("kind", "case"), _cases(valid=True))
def test_valid_vector_parses_to_expected_fields(
    kind: str, case: dict[str, Any], regions: Regions
) -> None:
    info = PARSERS[kind](case["value"], regions, today=TODAY)

    assert info.number == case.get("compact", _digits_only(case["value"]))
    assert len(info.number) == 16
    assert info.number.isascii()
    assert info.number.isdigit()
    if "sex" in case:
        assert info.sex == case["sex"]
    if kind == "kk":
        assert info.sex is None
    if "birth_date" in case:
        assert info.date == dt.date.fromisoformat(case["birth_date"])
    if "issued" in case:
        assert info.date == dt.date.fromisoformat(case["issued"])
    if "kecamatan" in case:
        assert info.kecamatan == case["kecamatan"]
    named = case.get("warnings", [case["warning"]] if "warning" in case else [])
    expected = [WARNING_CODES[w] for w in named]
    assert [w.code for w in info.warnings] == expected
    assert all(w.message.strip() for w in info.warnings)


@pytest.mark.parametrize(("kind", "case"), _cases(valid=False))
def test_invalid_vector_is_refused_with_indonesian_detail(
    kind: str, case: dict[str, Any], regions: Regions
) -> None:
    with pytest.raises(InvalidInput) as caught:
        PARSERS[kind](case["value"], regions, today=TODAY)

    assert caught.value.status == 422
    assert caught.value.detail.strip()
    assert caught.value.detail.startswith(WHAT[kind])


# --- century: the latest century in which the date is not in the future ---------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("5203012811260001", dt.date(1926, 11, 28), id="tomorrow-in-2026-is-1926"),
        pytest.param("5203016811260001", dt.date(1926, 11, 28), id="woman-tomorrow-is-1926"),
        pytest.param("5203012711260001", dt.date(2026, 11, 27), id="today-is-2026"),
        pytest.param("5203010101270001", dt.date(1927, 1, 1), id="year-27-is-1927"),
        pytest.param("5203010101000001", dt.date(2000, 1, 1), id="year-00-is-2000"),
        pytest.param("5203013112990001", dt.date(1999, 12, 31), id="year-99-is-1999"),
    ],
)
def test_nik_two_digit_year_takes_latest_century_not_in_future(
    value: str, expected: dt.date, regions: Regions
) -> None:
    assert parse_nik(value, regions, today=TODAY).date == expected


def test_kk_issued_tomorrow_in_two_digit_year_falls_back_a_century(regions: Regions) -> None:
    assert parse_kk("5203012811260002", regions, today=TODAY).date == dt.date(1926, 11, 28)
    assert parse_kk("5203012711260002", regions, today=TODAY).date == dt.date(2026, 11, 27)


def test_nik_29_february_is_judged_in_the_century_chosen(regions: Regions) -> None:
    # 2028 is in the future, so 28 means 1928, a leap year: valid.
    assert parse_nik("5203012902280001", regions, today=TODAY).date == dt.date(1928, 2, 29)
    # 2026 is not a leap year (and neither is 1926).
    with pytest.raises(InvalidInput):
        parse_nik("5203012902260001", regions, today=TODAY)


# --- day of birth and sex ------------------------------------------------------


def test_nik_day_41_is_a_woman_born_on_the_first(regions: Regions) -> None:
    info = parse_nik("5203014101900001", regions, today=TODAY)
    assert (info.sex, info.date) == ("P", dt.date(1990, 1, 1))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("5203010001900001", id="day-00"),
        pytest.param("5203014001900001", id="day-40"),
        pytest.param("5203018001900001", id="day-80"),
        pytest.param("5203011700900001", id="month-00"),
        pytest.param("5203011713900001", id="month-13"),
    ],
)
def test_nik_with_impossible_day_or_month_is_refused(value: str, regions: Regions) -> None:
    with pytest.raises(InvalidInput, match=r"^NIK"):
        parse_nik(value, regions, today=TODAY)


# --- region: warnings, never refusals, for a moved resident -----------------------


def test_nik_from_other_kecamatan_than_desa_warns_but_stays_valid(regions: Regions) -> None:
    info = parse_nik("5203011708900001", regions, desa=DESA_AIKMEL, today=TODAY)

    assert info.kecamatan == "52.03.01"
    assert [w.code for w in info.warnings] == [WARN_OTHER_KECAMATAN]
    assert info.warnings[0].message.strip()


def test_kk_from_other_kecamatan_than_desa_warns_but_stays_valid(regions: Regions) -> None:
    info = parse_kk("5203011203180002", regions, desa=DESA_AIKMEL, today=TODAY)

    assert [w.code for w in info.warnings] == [WARN_OTHER_KECAMATAN]


def test_nik_from_desa_own_kecamatan_has_no_warning(regions: Regions) -> None:
    info = parse_nik("5203011708900001", regions, desa=DESA_KERUAK, today=TODAY)
    assert info.warnings == []


def test_lenek_resident_with_pre_split_aikmel_nik_is_valid_with_kecamatan_warning(
    regions: Regions,
) -> None:
    # Lenek (52.03.21) was split from Aikmel (52.03.09): older NIKs start with 520309.
    info = parse_nik("5203091708900001", regions, desa=DESA_LENEK, today=TODAY)

    assert info.kecamatan == "52.03.09"
    assert [w.code for w in info.warnings] == [WARN_OTHER_KECAMATAN]


def test_lenek_nik_for_lenek_desa_has_no_warning(regions: Regions) -> None:
    info = parse_nik("5203212005950002", regions, desa=DESA_LENEK, today=TODAY)
    assert (info.kecamatan, info.warnings) == ("52.03.21", [])


def test_nik_outside_kabupaten_warns_only_outside_even_with_desa(regions: Regions) -> None:
    info = parse_nik("5201011708900001", regions, desa=DESA_KERUAK, today=TODAY)

    assert info.kecamatan == "52.01.01"
    assert [w.code for w in info.warnings] == [WARN_OUTSIDE_KABUPATEN]
    assert "Lombok Timur" in info.warnings[0].message


def test_kk_from_a_province_that_does_not_exist_is_refused(regions: Regions) -> None:
    with pytest.raises(InvalidInput, match=r"^No\. KK tidak valid: kode provinsi 99"):
        parse_kk("9901011203180002", regions, today=TODAY)


def test_codes_missing_from_todays_list_are_warnings_not_refusals(regions: Regions) -> None:
    """#16: a number keeps the code of its first registration, which a split may have
    retired, so only the operator can tell a retired code from a typo."""
    kabupaten = parse_kk("5299011203180002", regions, today=TODAY)
    assert [w.code for w in kabupaten.warnings] == [WARN_OUTSIDE_KABUPATEN, WARN_UNKNOWN_KABUPATEN]
    assert "52.99" in kabupaten.warnings[1].message
    kecamatan = parse_kk("5203221203180002", regions, desa=DESA_KERUAK, today=TODAY)
    assert [w.code for w in kecamatan.warnings] == [WARN_UNKNOWN_KECAMATAN]
    assert "52.03.22" in kecamatan.warnings[0].message


def test_kabupaten_made_after_pythons_stdnum_list_are_known(regions: Regions) -> None:
    for number, name in [
        ("6501011708900001", "Kabupaten Bulungan"),  # Kalimantan Utara, 2012
        ("3218011708900001", "Kabupaten Pangandaran"),  # 2012
        ("9501011708900001", "Kabupaten Jayawijaya"),  # Papua Pegunungan, 2022
    ]:
        info = parse_nik(number, regions, today=TODAY)
        assert [w.code for w in info.warnings] == [WARN_OUTSIDE_KABUPATEN], number
        assert name in info.warnings[0].message


# --- characters -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["nik", "kk"])
@pytest.mark.parametrize(
    "value",
    [
        pytest.param("520301120318000²", id="superscript-two"),
        pytest.param("٥٢٠٣٠١١٢٠٣١٨٠٠٠٢", id="arabic-indic-digits"),
        pytest.param("5203011203180OO2", id="letter-o"),
    ],
)
def test_number_with_non_ascii_digit_is_refused(kind: str, value: str, regions: Regions) -> None:
    with pytest.raises(InvalidInput, match=f"^{re.escape(WHAT[kind])}"):
        PARSERS[kind](value, regions, today=TODAY)


@pytest.mark.parametrize("kind", ["nik", "kk"])
def test_number_with_surrounding_whitespace_is_compacted(kind: str, regions: Regions) -> None:
    value = " 5203011203180002\n"
    assert PARSERS[kind](value, regions, today=TODAY).number == "5203011203180002"


def test_deployment_kabupaten_unknown_to_stdnum_is_judged_by_region_data() -> None:
    # Pangandaran (32.18, formed 2012) is missing from python-stdnum's list; a
    # deployment there must still accept its own residents' numbers.
    pangandaran = Regions(
        [
            Region("32.18", "Kabupaten Pangandaran", "kabupaten", "32"),
            Region("32.18.01", "Parigi", "kecamatan", "32.18"),
        ]
    )
    info = parse_nik("3218011708900001", pangandaran, today=TODAY)

    assert (info.kecamatan, info.warnings) == ("32.18.01", [])
