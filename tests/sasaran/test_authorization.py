"""The operator of desa A cannot see desa B's list, rows or figures."""

from __future__ import annotations

import uuid

import pytest

from helpers import DESA_A, DESA_B
from sasaran.support import csv_file, worklist

KECAMATAN_B = "52.03.02"


@pytest.fixture
def rows(importer, api_factory) -> dict[str, dict]:
    importer.run(
        csv_file(
            f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,,",
            f",Inaq Rah,{DESA_B},Dusun Sakra,KTP,LANSIA,",
        )
    )
    return {"a": worklist(api_factory("op.a"))[0], "b": worklist(api_factory("op.b"))[0]}


def test_operator_list_holds_only_own_desa(rows, api_factory) -> None:
    op_a = api_factory("op.a")
    assert [r["id"] for r in worklist(op_a)] == [rows["a"]["id"]]
    assert worklist(op_a, DESA_A) == worklist(op_a)
    assert op_a.get(f"/api/v1/sasaran?desa={DESA_B}").status_code == 404


def test_operator_cannot_read_or_follow_up_another_desas_row(rows, api_factory) -> None:
    op_a = api_factory("op.a")
    row_b = rows["b"]["id"]
    assert op_a.get(f"/api/v1/sasaran/{row_b}").status_code == 404
    followup = op_a.post(
        f"/api/v1/sasaran/{row_b}/followup", json={"id": str(uuid.uuid4()), "outcome": "PINDAH"}
    )
    assert followup.status_code == 404
    assert api_factory("op.b").get(f"/api/v1/sasaran/{row_b}").get_json()["followup"] is None


def test_operator_figures_are_forced_to_own_desa(rows, api_factory) -> None:
    op_a = api_factory("op.a")
    for level in ("kabupaten", "kecamatan", "desa"):
        report = op_a.get(f"/api/v1/stats/coverage?level={level}").get_json()
        assert report["level"] == "desa"
        assert [i["code"] for i in report["items"]] == [DESA_A]
        assert report["total"]["target"] == 1
    assert op_a.get(f"/api/v1/stats/coverage?desa={DESA_B}").status_code == 404
    assert op_a.get(f"/api/v1/stats/coverage?kecamatan={KECAMATAN_B}").status_code == 404
    assert op_a.get(f"/api/v1/stats/coverage.csv?desa={DESA_B}").status_code == 404


def test_operator_cannot_read_imports(rows, api_factory) -> None:
    imports = api_factory("dukcapil").get("/api/v1/sasaran/import").get_json()["items"]
    op_a = api_factory("op.a")
    assert op_a.get(f"/api/v1/sasaran/import/{imports[0]['id']}").status_code == 403
    assert op_a.get(f"/api/v1/sasaran/import/{imports[0]['id']}/rows").status_code == 403


def test_dukcapil_sees_every_desa_but_names_one_for_a_list(rows, api_factory) -> None:
    dukcapil = api_factory("dukcapil")
    assert dukcapil.get("/api/v1/sasaran").status_code == 422
    assert [r["id"] for r in worklist(dukcapil, DESA_B)] == [rows["b"]["id"]]
    assert dukcapil.get("/api/v1/sasaran?desa=52.03.99.9999").status_code == 404
    report = dukcapil.get("/api/v1/stats/coverage?level=kabupaten").get_json()
    assert report["total"]["target"] == 2


def test_anonymous_gets_nothing(rows, api_factory) -> None:
    anonymous = api_factory(None)
    assert anonymous.get("/api/v1/sasaran").status_code == 401
    assert anonymous.get("/api/v1/stats/coverage").status_code == 401
    assert anonymous.get("/api/v1/sasaran/template.csv").status_code == 401


def test_operators_cannot_withdraw_rows_of_any_desa(rows, api_factory) -> None:
    op_a = api_factory("op.a")
    for row in (rows["a"], rows["b"]):  # own desa or not: the same answer, nothing learnt
        assert op_a.delete(f"/api/v1/sasaran/{row['id']}").status_code == 403
    assert op_a.delete(f"/api/v1/sasaran/{uuid.uuid4()}").status_code == 403
    assert [r["id"] for r in worklist(op_a)] == [rows["a"]["id"]]
    assert api_factory("op.b").get(f"/api/v1/sasaran/{rows['b']['id']}").status_code == 200


def test_a_delta_holds_only_the_operators_own_desa(rows, api_factory, dukcapil) -> None:
    op_a = api_factory("op.a")
    since = op_a.get("/api/v1/sasaran").get_json()["revision"]
    assert dukcapil.delete(f"/api/v1/sasaran/{rows['b']['id']}").status_code == 204
    body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN"}
    # A withdrawn row is gone for desa B too: its outbox replay is parked with a 404.
    assert (
        api_factory("op.b")
        .post(f"/api/v1/sasaran/{rows['b']['id']}/followup", json=body)
        .status_code
        == 404
    )
    delta = op_a.get(f"/api/v1/sasaran?since={since}").get_json()
    assert delta["full"] is False and delta["items"] == [] and delta["removed"] == []
