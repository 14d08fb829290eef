"""Dukcapil's desk: search by code, NIK and name, the counts, and who may find what."""

from __future__ import annotations

from dataclasses import replace

from helpers import DESA_A, DESA_B, NIK_WOMAN, draft, submit_ready

OTHER_NIK = "5203014101900001"


def _codes(api, **params) -> list[str]:
    response = api.get("/api/v1/requests", query_string=params)
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


def _seed(api_factory):
    op_a, op_b = api_factory("op.a"), api_factory("op.b")
    siti_a = op_a.create(draft())
    siti_b = op_b.create(draft(desa=DESA_B))
    budi = op_a.create(
        draft(applicant={"nik": OTHER_NIK, "name": "Budi Santoso", "kk": None, "phone": None})
    )
    return op_a, op_b, siti_a, siti_b, budi


def test_dukcapil_finds_a_request_by_its_code_typed_loosely(api_factory) -> None:
    _, _, siti_a, _, budi = _seed(api_factory)
    dk = api_factory("dukcapil")
    assert _codes(dk, q=budi["code"]) == [budi["code"]]
    assert _codes(dk, q=f" {siti_a['code'].lower()} ") == [siti_a["code"]]
    assert _codes(dk, q="LT-ZZZZ-ZZZZ") == []


def test_dukcapil_finds_every_request_of_a_nik_and_no_other(api_factory) -> None:
    _, _, siti_a, siti_b, budi = _seed(api_factory)
    dk = api_factory("dukcapil")
    assert sorted(_codes(dk, q=NIK_WOMAN)) == sorted([siti_a["code"], siti_b["code"]])
    assert _codes(dk, q=OTHER_NIK.replace("0000", "0000 ")) == [budi["code"]]
    assert _codes(dk, q=NIK_WOMAN, desa=DESA_B) == [siti_b["code"]]
    assert _codes(dk, q="5203010101010101") == []


def test_an_operator_searching_another_desas_nik_or_code_gets_nothing(api_factory) -> None:
    op_a, op_b, siti_a, siti_b, _ = _seed(api_factory)
    assert _codes(op_b, q=NIK_WOMAN) == [siti_b["code"]]
    assert _codes(op_b, q=OTHER_NIK) == []
    assert _codes(op_b, q=siti_a["code"]) == []
    assert _codes(op_a, q=siti_b["code"]) == []
    assert sorted(_codes(op_a, q=NIK_WOMAN)) == [siti_a["code"]]
    assert (
        op_b.get("/api/v1/requests", query_string={"q": NIK_WOMAN, "desa": DESA_A}).status_code
        == 404
    )


def test_a_name_matches_from_the_start_of_a_word(api_factory) -> None:
    _, _, siti_a, siti_b, budi = _seed(api_factory)
    dk = api_factory("dukcapil")
    assert sorted(_codes(dk, q="siti am")) == sorted([siti_a["code"], siti_b["code"]])
    assert _codes(dk, q="Santo") == [budi["code"]]
    assert _codes(dk, q="antoso") == []
    # The subject's name counts too: Budi's request is for the child "Muhammad Rizki" (the
    # form's subject section, which the request's subject agrees with).
    assert sorted(_codes(dk, q="rizki", desa=DESA_A)) == sorted([siti_a["code"], budi["code"]])
    assert _codes(dk, q="muhammad", desa=DESA_B) == [siti_b["code"]]


def test_a_search_too_short_is_refused_in_indonesian(api_factory) -> None:
    response = api_factory("dukcapil").get("/api/v1/requests", query_string={"q": "a"})
    assert response.status_code == 422
    assert "16 angka NIK" in response.get_json()["detail"]


def test_counts_by_status_and_age_for_dukcapil_and_only_their_desa_for_an_operator(
    api_factory, services
) -> None:
    op_a, op_b = api_factory("op.a"), api_factory("op.b")
    submit_ready(op_a, services)
    submit_ready(op_a, services)
    submit_ready(op_b, services, draft(desa=DESA_B))
    dk = api_factory("dukcapil")

    def counts(api, **params) -> dict[str, dict]:
        response = api.get("/api/v1/requests/counts", query_string=params)
        assert response.status_code == 200, response.get_json()
        return {item["status"]: item for item in response.get_json()["items"]}

    everything = counts(dk)
    assert everything["DIAJUKAN"]["count"] == 3
    assert everything["DIAJUKAN"]["label"] == "Diajukan"
    assert everything["DIAJUKAN"]["older_than_7"] == 0
    assert everything["DIAJUKAN"]["capped"] is False
    assert everything["DIPROSES"]["count"] == 0
    assert counts(dk, desa=DESA_B)["DIAJUKAN"]["count"] == 1
    assert counts(op_a)["DIAJUKAN"]["count"] == 2
    assert op_a.get("/api/v1/requests/counts", query_string={"desa": DESA_B}).status_code == 404


def test_a_request_from_before_the_nik_index_joins_it_at_its_next_move(
    api_factory, services
) -> None:
    submitted = submit_ready(api_factory("op.a"), services)
    stored = services.records.get_request(submitted["id"])
    services.records.save_request(replace(stored, nik_key=None), stored.version, None)
    dk = api_factory("dukcapil")
    assert _codes(dk, q=NIK_WOMAN) == []

    moved = dk.post(
        f"/api/v1/requests/{submitted['id']}/transition",
        json={"to": "DITERIMA", "version": stored.version},
    )
    assert moved.status_code == 200, moved.get_json()
    assert _codes(dk, q=NIK_WOMAN) == [submitted["code"]]
