"""The IKM survey (#19) end to end over plain HTTP: the resident's script-free form on the
status page's link, one answer per request, and Dukcapil's figures and XLSX (docs/ikm.md)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask import Flask

from api.conftest import two_kabupaten_app
from helpers import DESA_A, DESA_B, SUMBAWA, Api, draft, services_of, submit_ready

# 2026-11-30 16:30 UTC is 2026-12-01 00:30 in Lombok Timur (WITA): a December answer.
ANSWERED_AT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
ALL_THREES = {f"u{i}": "3" for i in range(1, 10)}


def _rejected(api_factory: Callable[[str | None], Api], services: Any, op: str = "op.a") -> str:
    """A request Dukcapil rejected (DITOLAK): its status token."""
    desa = DESA_B if op == "op.b" else DESA_A
    request = submit_ready(api_factory(op), services, draft(desa=desa))
    dk = api_factory("dukcapil")
    version = request["version"]
    for target, note in (("DITERIMA", ""), ("DIPROSES", ""), ("DITOLAK", "Akta ganda")):
        moved = dk.post(
            f"/api/v1/requests/{request['id']}/transition",
            json={"to": target, "note": note, "version": version},
        )
        assert moved.status_code == 200, moved.get_json()
        version = moved.get_json()["version"]
    return str(request["token"])


@pytest.fixture
def fixed_clock(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services.ikm, "clock", lambda: ANSWERED_AT)


def test_the_resident_answers_once_without_script_and_dukcapil_sees_the_score(
    api_factory: Callable[[str | None], Api], services: Any, fixed_clock: None
) -> None:
    resident = api_factory(None)
    waiting = submit_ready(api_factory("op.a"), services)  # DIAJUKAN: not invited yet
    assert "/survei" not in resident.get(f"/cek/{waiting['token']}").get_data(as_text=True)
    assert resident.get(f"/cek/{waiting['token']}/survei").status_code == 409
    token = _rejected(api_factory, services)

    page = resident.get(f"/cek/{token}").get_data(as_text=True)
    assert f'href="/cek/{token}/survei"' in page
    form = resident.get(f"/cek/{token}/survei")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "<script" not in html
    assert f'<form method="post" action="/cek/{token}/survei">' in html
    assert len(re.findall(r'type="radio"', html)) == 36  # nine questions, 1-4 each
    assert "Sangat mahal" in html and "Gratis" in html
    assert "tidak ditunjukkan kepada kantor desa" in html

    missing = resident.post(
        f"/cek/{token}/survei", data={**ALL_THREES, "u4": "", "komentar": "Oke"}
    )
    assert missing.status_code == 422
    again = missing.get_data(as_text=True)
    assert "Biaya/tarif" in again and 'value="3" checked' in again and ">Oke</textarea>" in again

    # One respondent: U1..U8 = 4, U9 = 2. By hand: IKM = (8 x 4 + 2) / 9 = 34/9 = 3.7778;
    # konversi 34/9 x 25 = 850/9 = 94.444... -> 94.44, interval 88.31-100: A "Sangat Baik".
    scores = {f"u{i}": "4" for i in range(1, 9)} | {"u9": "2", "komentar": "Cepat dan ramah."}
    thanks = resident.post(f"/cek/{token}/survei", data=scores)
    assert thanks.status_code == 200 and "Terima kasih" in thanks.get_data(as_text=True)
    assert "/survei" not in resident.get(f"/cek/{token}").get_data(as_text=True)

    second = resident.post(f"/cek/{token}/survei", data={f"u{i}": "1" for i in range(1, 10)})
    assert second.status_code == 409
    assert "sudah diisi" in second.get_data(as_text=True)
    assert resident.get(f"/cek/{token}/survei").status_code == 409

    dk = api_factory("dukcapil")
    report = dk.get("/api/v1/ikm?period=2026-12").get_json()
    desa = next(line for line in report["desa"] if line["code"] == DESA_A)
    assert desa["respondents"] == 1  # the second answer changed nothing
    assert desa["nrr"] == [4.0] * 8 + [2.0]
    assert (desa["ikm_konversi"], desa["grade"], desa["grade_label"]) == (94.44, "A", "Sangat Baik")
    assert report["kabupaten"]["ikm_konversi"] == 94.44
    assert dk.get("/api/v1/ikm?period=2026-11").get_json()["kabupaten"]["respondents"] == 0
    quarter = dk.get("/api/v1/ikm?quarter=2026-Q4").get_json()
    assert quarter["months"] == ["2026-10", "2026-11", "2026-12"]
    assert quarter["kabupaten"]["respondents"] == 1

    sheet = dk.get("/api/v1/ikm.xlsx?quarter=2026-Q4")
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][3] == "Jumlah responden" and rows[0][-2] == "Mutu pelayanan"
    line = next(row for row in rows if row[0] == DESA_A)
    assert line[3] == 1 and line[4] == 4 and line[-3] == 94.44 and line[-2] == "A"
    table = dk.get("/api/v1/ikm.csv?quarter=2026-Q4").get_data(as_text=True)
    assert f"{DESA_A};" in table and "94,44" in table

    # The comment reaches Dukcapil with its desa and local day, never with the request.
    saran = dk.get("/api/v1/ikm/saran?quarter=2026-Q4")
    assert saran.status_code == 200 and saran.headers["Cache-Control"] == "private, no-store"
    page = saran.get_json()
    assert page["next"] is None
    assert [(c["date"], c["desa"], c["text"]) for c in page["items"]] == [
        ("2026-12-01", DESA_A, "Cepat dan ramah.")
    ]
    request = services.records.get_request_by_token(token)
    body = saran.get_data(as_text=True)
    assert request.id not in body and request.code not in body and token not in body
    assert dk.get("/api/v1/ikm/saran?period=2026-11").get_json()["items"] == []
    book = openpyxl.load_workbook(io.BytesIO(sheet.data))
    assert book.sheetnames == ["IKM", "Saran"]
    comments = list(book["Saran"].iter_rows(values_only=True))
    assert comments[0] == ("Tanggal", "Kecamatan", "Desa", "Saran atau komentar")
    assert comments[1][0] == datetime(2026, 12, 1) and comments[1][3] == "Cepat dan ramah."
    assert book["Saran"]["A2"].number_format == "dd/mm/yyyy"
    assert book["Saran"]["D2"].alignment.wrap_text  # a 500-letter comment stays readable


def test_a_quarter_pools_its_months_answers(
    api_factory: Callable[[str | None], Api], services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api_factory(None)
    october, november = datetime(2026, 10, 10, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)
    for at, op, score in ((october, "op.a", "4"), (november, "op.b", "1"), (november, "op.b", "1")):
        token = _rejected(api_factory, services, op)
        monkeypatch.setattr(services.ikm, "clock", lambda at=at: at)
        answer = {f"u{i}": score for i in range(1, 10)}
        assert resident.post(f"/cek/{token}/survei", data=answer).status_code == 200
    quarter = api_factory("dukcapil").get("/api/v1/ikm?quarter=2026-Q4").get_json()
    # Pooled: (4 + 1 + 1) / 3 = 2 per element -> IKM 2, konversi 50.00 (D). The mean of the
    # two months' figures, (100 + 25) / 2 = 62.5, is not what the regulation reports.
    assert quarter["kabupaten"]["respondents"] == 3
    assert quarter["kabupaten"]["ikm_konversi"] == 50.0
    assert quarter["kabupaten"]["grade"] == "D"
    lines = {line["code"]: line for line in quarter["desa"]}
    assert (lines[DESA_A]["ikm_konversi"], lines[DESA_B]["ikm_konversi"]) == (100.0, 25.0)


def test_operators_get_403_and_another_kabupaten_404(
    api_factory: Callable[[str | None], Api],
) -> None:
    for kind in ("", ".xlsx", ".csv", "/saran"):
        path = f"/api/v1/ikm{kind}?period=2026-12"
        assert api_factory("op.a").get(path).status_code == 403
        assert api_factory(None).get(path).status_code == 401
        assert api_factory("admin").get(path).status_code == 200
    dk = api_factory("dukcapil")
    assert dk.get(f"/api/v1/ikm?period=2026-12&kabupaten={SUMBAWA}").status_code == 404
    assert dk.get("/api/v1/ikm?period=2026-13").status_code == 422
    assert dk.get("/api/v1/ikm").status_code == 422
    bad = dk.get("/api/v1/ikm/saran?period=2026-12&cursor=bukan")
    assert bad.status_code == 422 and "cursor" in bad.get_json()["detail"]


@pytest.fixture
def two_kabupaten(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    accounts = [
        ("dukcapil.sb", "dukcapil", None, SUMBAWA, None),
        ("prov", "provinsi", None, None, "52"),
    ]
    with two_kabupaten_app("local", data_dir, monkeypatch, accounts) as app:
        yield app


def test_another_kabupatens_officer_sees_none_of_its_answers(two_kabupaten: Flask) -> None:
    services = services_of(two_kabupaten)

    def api(username: str | None) -> Api:
        made = Api(two_kabupaten.test_client())
        if username:
            assert made.login(username).status_code == 200
        return made

    token = _rejected(api, services)
    answer = ALL_THREES | {"komentar": "Petugas Selong cepat"}
    assert api(None).post(f"/cek/{token}/survei", data=answer).status_code == 200
    month = datetime.now(UTC).strftime("%Y-%m")
    quarter = f"{month[:4]}-Q{(int(month[5:]) - 1) // 3 + 1}"
    sumbawa = api("dukcapil.sb")
    own = sumbawa.get(f"/api/v1/ikm?quarter={quarter}").get_json()
    assert own["kabupaten"]["code"] == SUMBAWA and own["kabupaten"]["respondents"] == 0
    assert all(line["code"].startswith(SUMBAWA) for line in own["desa"])
    assert sumbawa.get(f"/api/v1/ikm?quarter={quarter}&kabupaten=52.03").status_code == 404
    assert sumbawa.get(f"/api/v1/ikm/saran?quarter={quarter}").get_json()["items"] == []
    book = openpyxl.load_workbook(
        io.BytesIO(sumbawa.get(f"/api/v1/ikm.xlsx?quarter={quarter}").data)
    )
    assert list(book["Saran"].iter_rows(values_only=True))[1:] == []
    assert api("prov").get(f"/api/v1/ikm?quarter={quarter}").status_code == 403
    lombok = api("dukcapil").get(f"/api/v1/ikm?quarter={quarter}").get_json()
    assert lombok["kabupaten"]["respondents"] == 1
    lombok_saran = api("dukcapil").get(f"/api/v1/ikm/saran?quarter={quarter}").get_json()
    assert [c["text"] for c in lombok_saran["items"]] == ["Petugas Selong cepat"]
