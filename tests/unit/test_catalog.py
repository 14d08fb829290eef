"""The service catalog: the shipped data file and the rule for what is still missing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bakso.domain.catalog import Catalog, Service

CATALOG_PATH = Path(__file__).parents[2] / "backend" / "bakso" / "data" / "catalog.json"
RAW: dict[str, Any] = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
CATALOG = Catalog.from_json(CATALOG_PATH)
SERVICE_CODES = [s["code"] for s in RAW["services"]]

DESIGN_CODES = {
    "KK_BARU",
    "KK_UBAH",
    "KK_HILANG",
    "KTP_BARU",
    "KTP_HILANG",
    "KTP_UBAH",
    "AKTA_LAHIR",
    "AKTA_MATI",
    "KIA",
    "PINDAH_KELUAR",
    "PINDAH_DATANG",
    "AKTA_KAWIN",
    "AKTA_CERAI",
}


def _service(code: str) -> Service:
    service = CATALOG.get(code)
    assert service is not None, code
    return service


def _groups(service: Service) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for req in service.requirements:
        if req.one_of:
            groups.setdefault(req.one_of, []).append(req.code)
    return groups


def _codes(reqs: list[Any]) -> list[str]:
    return [r.code for r in reqs]


def test_catalog_has_exactly_the_thirteen_design_services_once_each() -> None:
    assert len(SERVICE_CODES) == 13
    assert Counter(SERVICE_CODES).most_common(1)[0][1] == 1
    assert set(SERVICE_CODES) == DESIGN_CODES
    assert {s.code for s in CATALOG.services()} == DESIGN_CODES


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_service_has_labels_and_at_least_one_required_requirement(code: str) -> None:
    service = _service(code)
    assert service.label.strip()
    assert service.label_en.strip()
    assert any(r.required for r in service.requirements)
    assert all(r.label.strip() for r in service.requirements)


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_requirement_codes_are_unique_within_service(code: str) -> None:
    raw = next(s for s in RAW["services"] if s["code"] == code)
    codes = [r["code"] for r in raw["requirements"]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_every_one_of_group_has_at_least_two_members_of_same_requiredness(code: str) -> None:
    service = _service(code)
    for group, members in _groups(service).items():
        assert len(members) >= 2, (code, group)
        requiredness = {r.required for r in service.requirements if r.code in members}
        assert len(requiredness) == 1, (code, group)


def test_ktp_baru_carries_a_referral_for_biometric_recording() -> None:
    assert _service("KTP_BARU").referral


# --- Service.missing ----------------------------------------------------------------


def test_akta_lahir_with_surat_ket_lahir_meets_bukti_lahir_but_not_bukti_kawin_ortu() -> None:
    missing = _codes(_service("AKTA_LAHIR").missing(["SURAT_KET_LAHIR"]))

    assert "SURAT_KET_LAHIR" not in missing
    assert "SPTJM_LAHIR" not in missing
    assert "BUKU_NIKAH" in missing
    assert "SPTJM_KAWIN" in missing
    assert {"F201", "KK_ORTU", "KTP_ORTU"} <= set(missing)


def test_akta_lahir_with_sptjm_alternatives_misses_only_the_plain_documents() -> None:
    missing = _codes(_service("AKTA_LAHIR").missing(["SPTJM_LAHIR", "SPTJM_KAWIN"]))
    assert missing == ["F201", "KK_ORTU", "KTP_ORTU"]


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_nothing_uploaded_lists_every_mandatory_item_in_catalog_order(code: str) -> None:
    service = _service(code)
    assert _codes(service.missing([])) == [r.code for r in service.requirements if r.required]


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_optional_items_are_never_listed_as_missing(code: str) -> None:
    service = _service(code)
    optional = {r.code for r in service.requirements if not r.required}
    for have in ([], [r.code for r in service.requirements if r.required]):
        assert not optional & set(_codes(service.missing(have)))


@pytest.mark.parametrize("code", SERVICE_CODES)
def test_one_member_per_group_plus_plain_mandatory_items_leaves_nothing_missing(
    code: str,
) -> None:
    service = _service(code)
    plain = [r.code for r in service.requirements if r.required and not r.one_of]
    firsts = [members[0] for members in _groups(service).values()]
    assert service.missing([*plain, *firsts]) == []


def test_unknown_codes_in_satisfied_are_ignored() -> None:
    service = _service("KTP_HILANG")
    assert _codes(service.missing(["NOT_A_DOCUMENT"])) == _codes(service.missing([]))


def test_missing_accepts_any_iterable_once() -> None:
    service = _service("PINDAH_KELUAR")
    assert service.missing(iter(["F103", "KK"])) == []


# --- lookups and serialisation ------------------------------------------------------


def test_unknown_service_code_gives_none() -> None:
    assert CATALOG.get("PASPOR") is None
    assert _service("KIA").requirement("NOPE") is None


def test_service_to_dict_has_the_contract_shape() -> None:
    data = _service("AKTA_LAHIR").to_dict()

    assert data["code"] == "AKTA_LAHIR"
    assert data["label"] == "Akta kelahiran"
    by_code = {r["code"]: r for r in data["requirements"]}
    assert by_code["KK_ORTU"]["required"] is True
    assert by_code["KK_ORTU"]["one_of"] is None
    assert by_code["SURAT_KET_LAHIR"]["one_of"] == "bukti_lahir"
    assert all(set(r) == {"code", "label", "required", "one_of"} for r in data["requirements"])
