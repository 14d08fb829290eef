"""Two kabupaten on one deployment (#16): sasaran, coverage and desa contacts stay each
kabupaten's own; the province role reads both kabupaten's figures and nothing else.

Lombok Timur (52.03, the default) and Sumbawa (52.04) are served together; "dukcapil" and
"admin" are accounts from before #16 (Lombok Timur's), "dukcapil.sb" and "admin.sb"
Sumbawa's, "prov" the province role of NTB (52).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api.conftest import Account, Answered, two_kabupaten_app
from helpers import (
    DESA_A,
    DESA_B,
    DESA_SUMBAWA,
    NIK_WOMAN,
    PASSWORD,
    SUMBAWA,
    Api,
    services_of,
)
from sasaran.support import Importer, csv_file, worklist

LOMBOK_TIMUR = "52.03"
KECAMATAN_A = "52.03.01"
NIK_SUMBAWA = "5204025708900002"
# Everything personal the seeded lists hold: none of it may reach the province.
PERSONAL = [
    "Amaq Saleh",
    "Inaq Rah",
    "Lalu Sumbawa",
    NIK_WOMAN,
    NIK_SUMBAWA,
    "Dusun Lendang",
    "Dusun Sakra",
    "Dusun Rea",
]


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    answered_statuses: Answered,
) -> Iterator[Flask]:
    accounts: list[Account] = [
        ("dukcapil.sb", "dukcapil", None, SUMBAWA, None),
        ("admin.sb", "admin", None, SUMBAWA, None),
        ("prov", "provinsi", None, None, "52"),
    ]
    with two_kabupaten_app(
        request.param, data_dir, monkeypatch, accounts, answered_statuses
    ) as app:
        yield app


@pytest.fixture
def seeded(app: Flask, api_factory: Callable[[str | None], Api]) -> dict[str, Any]:
    """Two residents in Lombok Timur (one in each of two kecamatan), one in Sumbawa."""
    services = services_of(app)
    lombok = Importer(api_factory("dukcapil"), services).run(
        csv_file(
            f"{NIK_WOMAN},Amaq Saleh,{DESA_A},Dusun Lendang,KK,,",
            f",Inaq Rah,{DESA_B},Dusun Sakra,KTP,LANSIA,",
        )
    )
    sumbawa = Importer(api_factory("dukcapil.sb"), services).run(
        csv_file(f"{NIK_SUMBAWA},Lalu Sumbawa,{DESA_SUMBAWA},Dusun Rea,KTP,,")
    )
    assert (lombok["counts"]["accepted"], sumbawa["counts"]["accepted"]) == (2, 1)
    return {
        "lombok_import": lombok["id"],
        "sumbawa_import": sumbawa["id"],
        "row_a": worklist(api_factory("op.a"))[0],
    }


def test_an_officer_gets_404_on_another_kabupatens_import(seeded, api_factory) -> None:
    sumbawa, lombok = api_factory("dukcapil.sb"), api_factory("dukcapil")
    theirs = seeded["lombok_import"]
    for path in ("", "/rows", "/report.csv", "/report.xlsx"):
        response = sumbawa.get(f"/api/v1/sasaran/import/{theirs}{path}")
        assert response.status_code == 404, path
        assert response.get_json()["detail"] == "Impor tidak ditemukan."
    assert sumbawa.post(f"/api/v1/sasaran/import/{theirs}/start").status_code == 404
    listed = {
        k: [i["id"] for i in a.get("/api/v1/sasaran/import").get_json()["items"]]
        for k, a in (("sb", sumbawa), ("lt", lombok))
    }
    assert listed == {"sb": [seeded["sumbawa_import"]], "lt": [theirs]}
    assert lombok.get(f"/api/v1/sasaran/import/{seeded['sumbawa_import']}").status_code == 404


def test_import_lines_naming_another_kabupatens_desa_or_resident_are_refused(
    app, seeded, api_factory
) -> None:
    sumbawa = Importer(api_factory("dukcapil.sb"), services_of(app))
    done = sumbawa.run(
        csv_file(
            f",Orang Sumbawa,{DESA_SUMBAWA},Dusun Baru,KTP,,",
            f",Orang Lombok,{DESA_A},Dusun Lain,KTP,,",
            # Amaq Saleh's NIK, now named in a Sumbawa desa: Lombok Timur's row stays put.
            f"{NIK_WOMAN},Amaq Saleh,{DESA_SUMBAWA},Dusun Rea,KK,,",
        )
    )
    assert done["status"] == "DONE"
    report = sumbawa.report(done["id"])
    assert report[0][1:] == ("accepted", None)
    assert report[1][1:] == ("refused", "UNKNOWN_DESA")
    assert report[2][1:] == ("refused", "DUPLICATE")
    rows = sumbawa.api.get(f"/api/v1/sasaran/import/{done['id']}/rows").get_json()["items"]
    assert "bukan desa di kabupaten Anda" in rows[1]["message"]
    op_a = worklist(api_factory("op.a"))
    assert [(r["name"], r["desa"]) for r in op_a] == [("Amaq Saleh", DESA_A)]
    assert op_a[0]["version"] == seeded["row_a"]["version"]


def test_an_officer_gets_404_on_another_kabupatens_worklist(seeded, api_factory) -> None:
    sumbawa, lombok = api_factory("dukcapil.sb"), api_factory("dukcapil")
    row = seeded["row_a"]["id"]
    assert sumbawa.get(f"/api/v1/sasaran?desa={DESA_A}").status_code == 404
    assert sumbawa.get(f"/api/v1/sasaran?desa={DESA_A}&since=0").status_code == 404
    assert sumbawa.get(f"/api/v1/sasaran/{row}").status_code == 404
    assert sumbawa.delete(f"/api/v1/sasaran/{row}").status_code == 404
    assert [r["id"] for r in worklist(lombok, DESA_A)] == [row]  # not withdrawn
    assert lombok.get(f"/api/v1/sasaran?desa={DESA_SUMBAWA}").status_code == 404
    assert [r["name"] for r in worklist(sumbawa, DESA_SUMBAWA)] == ["Lalu Sumbawa"]


def test_an_officer_sees_only_its_kabupatens_coverage(seeded, api_factory) -> None:
    sumbawa = api_factory("dukcapil.sb")
    own = sumbawa.get("/api/v1/stats/coverage?level=kabupaten").get_json()
    assert [(i["code"], i["target"]) for i in own["items"]] == [(SUMBAWA, 1)]
    per_kecamatan = sumbawa.get("/api/v1/stats/coverage").get_json()
    assert per_kecamatan["items"] and all(
        i["code"].startswith(SUMBAWA + ".") for i in per_kecamatan["items"]
    )
    assert per_kecamatan["total"]["target"] == 1
    for query in (
        f"level=desa&kecamatan={KECAMATAN_A}",
        f"kecamatan={KECAMATAN_A}",  # at the default level, it must not come back labelled
        f"level=kecamatan&desa={DESA_A}",
        f"level=desa&desa={DESA_A}",
        f"kabupaten={LOMBOK_TIMUR}",
    ):
        for path in ("coverage", "coverage.csv", "coverage.xlsx"):
            assert sumbawa.get(f"/api/v1/stats/{path}?{query}").status_code == 404, query
    lombok = api_factory("dukcapil").get("/api/v1/stats/coverage?level=kabupaten").get_json()
    assert [(i["code"], i["target"]) for i in lombok["items"]] == [(LOMBOK_TIMUR, 2)]


def test_the_import_template_shows_a_desa_of_the_officers_kabupaten(seeded, api_factory) -> None:
    text = api_factory("dukcapil.sb").get("/api/v1/sasaran/template.csv").get_data(as_text=True)
    example = text.splitlines()[1].split(";")
    assert example[2].startswith(SUMBAWA + ".")
    assert example[0].startswith("5204")


def test_the_return_template_shows_a_code_of_the_officers_kabupaten(seeded, api_factory) -> None:
    sumbawa = api_factory("dukcapil.sb").get("/api/v1/returns/template.csv")
    lombok = api_factory("dukcapil").get("/api/v1/returns/template.csv")
    assert sumbawa.get_data(as_text=True).splitlines()[1].startswith("SB-0000-0000;")
    assert lombok.get_data(as_text=True).splitlines()[1].startswith("LT-0000-0000;")


def test_the_province_sees_each_kabupatens_figures_as_its_officers_do(seeded, api_factory) -> None:
    prov = api_factory("prov")
    summary = prov.get("/api/v1/stats/coverage").get_json()
    assert (summary["level"], summary["kabupaten"]) == ("kabupaten", None)
    assert summary["provinsi"] == "52"
    assert [i["code"] for i in summary["items"]] == [LOMBOK_TIMUR, SUMBAWA]
    assert summary["total"]["target"] == 3
    for item, officer in zip(summary["items"], ("dukcapil", "dukcapil.sb"), strict=True):
        header = api_factory(officer).get("/api/v1/stats/coverage?level=kabupaten").get_json()
        assert {k: v for k, v in item.items() if k != "trend"} == {
            k: v for k, v in header["items"][0].items() if k != "trend"
        }
    drill = prov.get(f"/api/v1/stats/coverage?kabupaten={LOMBOK_TIMUR}").get_json()
    officer_view = api_factory("dukcapil").get("/api/v1/stats/coverage").get_json()
    assert drill["level"] == "kecamatan" and drill["kabupaten"] == LOMBOK_TIMUR
    assert drill["items"] == officer_view["items"]
    assert {i["code"]: i["target"] for i in drill["items"] if i["target"]} == {
        KECAMATAN_A: 1,
        "52.03.02": 1,
    }
    csv = prov.get("/api/v1/stats/coverage.csv").get_data(as_text=True)
    assert LOMBOK_TIMUR in csv and SUMBAWA in csv
    # Figures per kabupaten and kecamatan only: never a desa's, never outside the province.
    assert prov.get(f"/api/v1/stats/coverage?kabupaten={SUMBAWA}&level=desa").status_code == 403
    assert prov.get(f"/api/v1/stats/coverage?desa={DESA_A}").status_code == 403
    assert prov.get("/api/v1/stats/coverage?kabupaten=32.18").status_code == 404


def test_the_provinces_coverage_carries_no_personal_data(seeded, api_factory) -> None:
    prov = api_factory("prov")
    answers = []
    for query in ("", f"?kabupaten={LOMBOK_TIMUR}", f"?kabupaten={SUMBAWA}&level=kabupaten"):
        for path in ("coverage", "coverage.csv"):
            response = prov.get(f"/api/v1/stats/{path}{query}")
            assert response.status_code == 200, (path, query)
            answers.append(response.get_data(as_text=True))
    reports = [json.loads(a) for a in answers[::2]]
    assert {r["provinsi"] for r in reports} == {"52"}
    assert [r["total"]["target"] for r in reports] == [3, 2, 1]  # figures, still
    for text in answers:
        for personal in PERSONAL:
            assert personal not in text
        assert DESA_A not in text and DESA_SUMBAWA not in text  # not even a desa's code


def test_the_province_is_refused_every_other_api(seeded, api_factory) -> None:
    prov = api_factory("prov")
    row = seeded["row_a"]["id"]
    reads = [
        "/api/v1/requests",
        f"/api/v1/requests?desa={DESA_A}",
        "/api/v1/requests/counts",
        f"/api/v1/requests/{uuid.uuid4()}",
        f"/api/v1/sasaran?desa={DESA_A}",
        f"/api/v1/sasaran/{row}",
        "/api/v1/sasaran/import",
        f"/api/v1/sasaran/import/{seeded['lombok_import']}",
        "/api/v1/sasaran/template.csv",
        "/api/v1/batches",
        "/api/v1/returns/template.csv",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/users/op.a",
        f"/api/v1/desa/{DESA_A}/contact",
    ]
    for path in reads:
        assert prov.get(path).status_code in (403, 404), path
    writes = [
        ("delete", f"/api/v1/sasaran/{row}", None),
        ("post", "/api/v1/batches", {}),
        ("put", f"/api/v1/desa/{DESA_A}/contact", {"phone": "0812-0000-0000"}),
        ("post", "/api/v1/users", {"username": "x.y", "role": "dukcapil", "password": PASSWORD}),
    ]
    for method, path, body in writes:
        response = getattr(prov, method)(path, json=body) if body is not None else prov.delete(path)
        assert response.status_code in (403, 404), path
    assert [r["id"] for r in worklist(api_factory("dukcapil"), DESA_A)] == [row]
    assert prov.get("/api/v1/auth/me").status_code == 200


def test_an_admin_sets_only_its_own_kabupatens_desa_contacts(app, api_factory) -> None:
    contact = {"phone": "0812-3456-7890", "whatsapp": True, "hours": "Senin-Jumat 08.00-14.00"}
    sumbawa, lombok = api_factory("admin.sb"), api_factory("admin")
    assert sumbawa.put(f"/api/v1/desa/{DESA_A}/contact", json=contact).status_code == 404
    assert sumbawa.get(f"/api/v1/desa/{DESA_A}/contact").status_code == 404
    assert lombok.put(f"/api/v1/desa/{DESA_SUMBAWA}/contact", json=contact).status_code == 404
    assert sumbawa.put(f"/api/v1/desa/{DESA_SUMBAWA}/contact", json=contact).status_code == 200
    assert lombok.put(f"/api/v1/desa/{DESA_A}/contact", json=contact).status_code == 200
    assert (
        api_factory("op.a")
        .get(f"/api/v1/desa/{DESA_A}/contact")
        .get_json()["contact"]["updated_by"]
        == "admin"
    )
    assert api_factory("dukcapil.sb").get(f"/api/v1/desa/{DESA_A}/contact").status_code == 404
