"""Coverage figures for a seeded scenario equal the values worked out by hand below.

The requests are driven through SasaranService.on_request_change, the hook the
request lifecycle calls after every stored change, with fixed times so the
days in each status and the weeks of the trend are known exactly.
"""

from __future__ import annotations

import dataclasses
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.lifecycle import Status
from bakso.domain.model import Request
from bakso.workers.handlers import drain_once
from helpers import DESA_A, DESA_B
from sasaran.support import csv_file, worklist

DESA_C = "52.03.01.2002"  # Pijot: Keruak, like desa A
KERUAK, SAKRA = "52.03.01", "52.03.02"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 WITA, ISO week 2026-W10

ZERO_REQUESTS = {s.value: 0 for s in Status}
ZERO_FOLLOWUPS = {
    o: 0 for o in ("DITEMUKAN", "SUDAH_PUNYA", "PINDAH", "MENINGGAL", "TIDAK_DITEMUKAN")
}
RENTAN_LABELS = {
    "LANSIA": "Lansia",
    "DISABILITAS": "Penyandang disabilitas",
    "TERPENCIL": "Tinggal di wilayah terpencil",
    "MARJINAL": "Masyarakat marjinal",
    "ANAK_TERLANTAR": "Anak terlantar",
}
STATUS_LABELS = {
    "DRAF": "Draf",
    "DIAJUKAN": "Diajukan",
    "DITERIMA": "Diterima Dukcapil",
    "DIPROSES": "Diproses",
    "SELESAI": "Dokumen terbit",
}


def at(days: float) -> str:
    return (T0 + timedelta(days=days)).isoformat(timespec="milliseconds")


def rentan(**given: tuple[int, int, int, float | None]) -> list[dict[str, Any]]:
    """Every category, (target, followed up, served, %) where given, zeros elsewhere."""
    return [
        dict(
            zip(
                ("category", "label", "target", "followed_up", "served", "pct_served"),
                (code, label, *given.get(code, (0, 0, 0, None))),
                strict=True,
            )
        )
        for code, label in RENTAN_LABELS.items()
    ]


def days(**given: tuple[int, int, int]) -> dict[str, Any]:
    """days_in_status: status → (completed stays, median, p90)."""
    return {
        status: {"label": STATUS_LABELS[status], "count": c, "median": m, "p90": p}
        for status, (c, m, p) in given.items()
    }


class Lifecycle:
    """A request moved through its statuses, telling the observer as RequestService does."""

    def __init__(
        self,
        services,
        desa: str,
        sasaran_id: str | None = None,
        jemput_bola=False,
        service: str = "KTP_BARU",
    ):
        self.observer = services.sasaran
        request_id = str(uuid.uuid4())
        self.request = Request(
            id=request_id,
            code="LT-TEST-0000",
            service=service,
            desa=desa,
            applicant={},
            subject=None,
            notes="",
            status=Status.DRAF,
            version=1,
            created_by="op",
            created_at="",
            updated_at="",
            status_since="",
            sasaran_id=sasaran_id,
            jemput_bola=jemput_bola,
        )

    def create(self, day: float) -> Lifecycle:
        when = at(day)
        self.request = dataclasses.replace(
            self.request, created_at=when, updated_at=when, status_since=when
        )
        self.observer.on_request_change(None, self.request, when)
        return self

    def move(self, to: Status, day: float) -> Lifecycle:
        when = at(day)
        before = self.request
        self.request = dataclasses.replace(
            before, status=to, version=before.version + 1, updated_at=when, status_since=when
        )
        self.observer.on_request_change(before, self.request, when)
        return self


def follow_up(api, row_id: str, outcome: str, day: float) -> None:
    body = {"id": str(uuid.uuid4()), "outcome": outcome, "at": at(day)}
    response = api.post(f"/api/v1/sasaran/{row_id}/followup", json=body)
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def scenario(importer, api_factory, services) -> dict[str, str]:
    importer.run(
        csv_file(
            f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,LANSIA,",  # a1
            f",Inaq Rah,{DESA_A},Dusun Lendang,KTP,LANSIA,",  # a2
            f",Lalu Ahmad,{DESA_A},Dusun Baru,KTP,DISABILITAS,",  # a3
            f",Baiq Nur,{DESA_A},Dusun Baru,AKTA_LAHIR,,",  # a4
            f",Papuq Hasan,{DESA_C},Dusun Pijot,KTP,,",  # c1
            f",Mamiq Idris,{DESA_B},Dusun Sakra,KK,,",  # b1
            f",Inaq Wati,{DESA_B},Dusun Gunung,KTP,TERPENCIL,",  # b2
        )
    )
    op_a, op_b = api_factory("op.a"), api_factory("op.b")
    ids = {r["name"]: r["id"] for r in worklist(op_a) + worklist(op_b)}
    rows = {
        "a1": ids["Amaq Saleh"],
        "a2": ids["Inaq Rah"],
        "a3": ids["Lalu Ahmad"],
        "b1": ids["Mamiq Idris"],
        "b2": ids["Inaq Wati"],
    }
    follow_up(op_a, rows["a1"], "DITEMUKAN", 0)
    follow_up(op_a, rows["a2"], "SUDAH_PUNYA", 1)
    follow_up(op_b, rows["b1"], "PINDAH", 2)
    follow_up(op_b, rows["b2"], "DITEMUKAN", 8)

    (
        Lifecycle(services, DESA_A, rows["a1"], service="KK_BARU")  # r1: served a1 on day 10
        .create(0)
        .move(Status.DIAJUKAN, 2)
        .move(Status.DITERIMA, 3)
        .move(Status.DIPROSES, 3.5)
        .move(Status.SELESAI, 10)
    )
    Lifecycle(services, DESA_A).create(0).move(Status.DIAJUKAN, 1)  # r2: not linked
    (
        Lifecycle(services, DESA_B, rows["b2"], jemput_bola=True)  # r3: served b2 on day 16
        .create(8)
        .move(Status.DIAJUKAN, 8.25)
        .move(Status.DITERIMA, 9)
        .move(Status.DIPROSES, 9)
        .move(Status.SELESAI, 16)
        .move(Status.DISERAHKAN, 17)
    )
    (
        Lifecycle(services, DESA_A, rows["a3"])  # r4: cancelled, serves nothing
        .create(1)
        .move(Status.DIAJUKAN, 2)
        .move(Status.DIBATALKAN, 4)
    )
    return rows


def figures_of(report: dict[str, Any], code: str) -> dict[str, Any]:
    item = next(i for i in report["items"] if i["code"] == code)
    return {k: v for k, v in item.items() if k not in ("code", "name", "level")}


# By hand. Desa A: rows a1..a4; a1 and a2 followed up in week 10; a1 served by r1 in
# week 11. Stays (whole days): DRAF r1 2, r2 1, r4 1 -> sorted [1, 1, 2]: median is
# the 2nd value (1), p90 the 3rd (2). DIAJUKAN r1 1, r4 2 -> median 1st (1), p90 2nd
# (2). DITERIMA r1 0.5 -> 0. DIPROSES r1 6.5 -> 6.
DESA_A_FIGURES = {
    "target": 4,
    "followed_up": 2,
    "served": 1,
    "pct_served": 25.0,
    "followups": {**ZERO_FOLLOWUPS, "DITEMUKAN": 1, "SUDAH_PUNYA": 1},
    "rentan": rentan(LANSIA=(2, 2, 1, 50.0), DISABILITAS=(1, 0, 0, 0.0)),
    "requests": {**ZERO_REQUESTS, "SELESAI": 1, "DIAJUKAN": 1, "DIBATALKAN": 1},
    "jemput_bola": 0,
    "days_in_status": days(
        DRAF=(3, 1, 2), DIAJUKAN=(2, 1, 2), DITERIMA=(1, 0, 0), DIPROSES=(1, 6, 6)
    ),
    "trend": [
        {"week": "2026-W10", "served": 0, "followed_up": 2},
        {"week": "2026-W11", "served": 1, "followed_up": 0},
    ],
}


def test_desa_figures_equal_the_hand_count(scenario, api_factory) -> None:
    report = api_factory("dukcapil").get(f"/api/v1/stats/coverage?level=desa&desa={DESA_A}")
    assert report.status_code == 200
    assert figures_of(report.get_json(), DESA_A) == DESA_A_FIGURES
    # The operator of desa A sees the same figures for their own desa.
    own = api_factory("op.a").get("/api/v1/stats/coverage").get_json()
    assert figures_of(own, DESA_A) == DESA_A_FIGURES


def test_kecamatan_figures_add_up_their_desa(scenario, api_factory) -> None:
    report = api_factory("dukcapil").get("/api/v1/stats/coverage?level=kecamatan").get_json()
    assert len(report["items"]) == 21  # every kecamatan, even those without a list
    keruak = figures_of(report, KERUAK)  # desa A and C
    assert (keruak["target"], keruak["followed_up"], keruak["served"]) == (5, 2, 1)
    assert keruak["pct_served"] == 20.0
    sakra = figures_of(report, SAKRA)  # desa B
    assert (sakra["target"], sakra["followed_up"], sakra["served"], sakra["pct_served"]) == (
        2,
        2,
        1,
        50.0,
    )
    assert sakra["rentan"] == rentan(TERPENCIL=(1, 1, 1, 100.0))
    assert sakra["requests"] == {**ZERO_REQUESTS, "DISERAHKAN": 1}
    assert sakra["jemput_bola"] == 1
    assert sakra["followups"] == {**ZERO_FOLLOWUPS, "PINDAH": 1, "DITEMUKAN": 1}
    idle = figures_of(report, "52.03.03")
    assert (idle["target"], idle["pct_served"], idle["trend"]) == (0, None, [])


def test_kabupaten_total_pools_every_desa(scenario, api_factory) -> None:
    report = api_factory("dukcapil").get("/api/v1/stats/coverage?level=kabupaten").get_json()
    [item] = report["items"]
    assert item["code"] == "52.03"
    total = report["total"]
    # 7 rows, 4 followed up, 2 served: 2/7 = 28.57 %.
    assert (total["target"], total["followed_up"], total["served"]) == (7, 4, 2)
    assert total["pct_served"] == 28.6
    assert total["requests"] == {
        **ZERO_REQUESTS,
        "DIAJUKAN": 1,
        "SELESAI": 1,
        "DIBATALKAN": 1,
        "DISERAHKAN": 1,
    }
    # Stays pooled: DRAF [0, 1, 1, 2] -> median 2nd (1), p90 4th (2); DIAJUKAN
    # [0, 1, 2] -> 2nd (1), 3rd (2); DITERIMA [0, 0]; DIPROSES [6, 7] -> 1st (6),
    # 2nd (7); SELESAI r3 1 day.
    assert total["days_in_status"] == days(
        DRAF=(4, 1, 2),
        DIAJUKAN=(3, 1, 2),
        DITERIMA=(2, 0, 0),
        DIPROSES=(2, 6, 7),
        SELESAI=(1, 1, 1),
    )
    assert total["trend"] == [
        {"week": "2026-W10", "served": 0, "followed_up": 3},
        {"week": "2026-W11", "served": 1, "followed_up": 1},
        {"week": "2026-W12", "served": 1, "followed_up": 0},
    ]
    assert item == {
        **total,
        "code": "52.03",
        "name": "Kabupaten Lombok Timur",
        "level": "kabupaten",
    }


def test_desa_level_within_a_kecamatan_lists_its_desa(scenario, api_factory, services) -> None:
    report = api_factory("dukcapil").get(f"/api/v1/stats/coverage?level=desa&kecamatan={KERUAK}")
    body = report.get_json()
    expected = [r.code for r in services.regions.desa() if r.parent == KERUAK]
    assert [i["code"] for i in body["items"]] == expected
    assert figures_of(body, DESA_C)["target"] == 1
    assert body["total"]["target"] == 5


def test_cancelling_a_served_request_takes_the_row_out_of_served(
    scenario, api_factory, services
) -> None:
    op_a = api_factory("op.a")
    baiq = next(r for r in worklist(op_a) if r["name"] == "Baiq Nur")
    life = Lifecycle(services, DESA_A, baiq["id"], service="AKTA_LAHIR").create(20)
    for step, status in enumerate((Status.DIAJUKAN, Status.DITERIMA, Status.DIPROSES)):
        life.move(status, 20 + step)
    life.move(Status.SELESAI, 24)
    assert op_a.get(f"/api/v1/sasaran/{baiq['id']}").get_json()["served"] is True
    assert op_a.get("/api/v1/stats/coverage").get_json()["total"]["served"] == 2

    life.move(Status.DIBATALKAN, 25)  # Dukcapil found a duplicate in SIAK

    row = op_a.get(f"/api/v1/sasaran/{baiq['id']}").get_json()
    assert row["served"] is False
    assert [(r["document"], r["status"], r["live"]) for r in row["requests"]] == [
        ("AKTA_LAHIR", "DIBATALKAN", False)
    ]
    assert op_a.get("/api/v1/stats/coverage").get_json()["total"]["served"] == 1


def test_worklist_shows_the_linked_request_and_served_state(scenario, api_factory) -> None:
    rows = {r["name"]: r for r in worklist(api_factory("op.a"))}
    assert rows["Amaq Saleh"]["served"] is True
    assert [(r["document"], r["status"]) for r in rows["Amaq Saleh"]["requests"]] == [
        ("KK", "SELESAI")
    ]
    assert rows["Lalu Ahmad"]["served"] is False
    assert [(r["document"], r["status"]) for r in rows["Lalu Ahmad"]["requests"]] == [
        ("KTP_EL", "DIBATALKAN")
    ]
    assert rows["Baiq Nur"]["requests"] == []


def test_a_change_is_counted_once_even_when_told_twice(scenario, api_factory, services) -> None:
    life = Lifecycle(services, DESA_A).create(30)
    before = life.request
    life.move(Status.DIAJUKAN, 31)
    services.sasaran.on_request_change(before, life.request, at(31))  # told again
    requests = api_factory("op.a").get("/api/v1/stats/coverage").get_json()["total"]["requests"]
    assert requests["DIAJUKAN"] == 2  # r2 and this one
    assert requests["DRAF"] == 0


def test_a_failed_counter_update_is_retried_by_the_worker(
    scenario, api_factory, services, monkeypatch
) -> None:
    store = services.sasaran.store
    real = store.apply_once
    calls = []

    def flaky(key, deltas):
        calls.append(key)
        if len(calls) == 1:
            raise OSError("disk busy")
        return real(key, deltas)

    monkeypatch.setattr(store, "apply_once", flaky)
    Lifecycle(services, DESA_A).create(30)  # must not raise: the request is already stored
    op_a = api_factory("op.a")
    assert op_a.get("/api/v1/stats/coverage").get_json()["total"]["requests"]["DRAF"] == 0
    assert drain_once(services) == 1
    assert op_a.get("/api/v1/stats/coverage").get_json()["total"]["requests"]["DRAF"] == 1


def test_coverage_exports_as_csv_and_xlsx(scenario, api_factory) -> None:
    dukcapil = api_factory("dukcapil")
    as_csv = dukcapil.get("/api/v1/stats/coverage.csv?level=kecamatan")
    assert as_csv.status_code == 200
    assert as_csv.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8
    lines = as_csv.data.decode("utf-8-sig").splitlines()
    # Excel with Indonesian settings: ';' between cells, ',' as the decimal mark.
    # Column titles in words, as Dukcapil reads them in Excel.
    assert lines[0].startswith(
        "Kode wilayah;Nama;Tingkat;Sasaran;Ditindaklanjuti;Terlayani;Persen terlayani;"
        "Tindak lanjut: Ditemukan;"
    )
    assert "Permohonan: Diajukan;" in lines[0] and "Lansia: sasaran;" in lines[0]
    assert "_" not in lines[0]
    assert len(lines) == 1 + 21 + 1  # header, every kecamatan, the total
    assert lines[1].startswith("52.03.01;Keruak;kecamatan;5;2;1;20;")
    assert lines[-1].startswith(";JUMLAH;kecamatan;7;4;2;28,6;")
    as_xlsx = dukcapil.get("/api/v1/stats/coverage.xlsx?level=kecamatan")
    assert as_xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.data)).active
    total = [c.value for c in list(sheet.iter_rows())[-1]]
    assert total[:7] == [None, "JUMLAH", "kecamatan", 7, 4, 2, 28.6]
    assert sheet["A2"].value == "52.03.01" and sheet["A2"].data_type == "s"


def test_unknown_level_is_refused(api_factory) -> None:
    response = api_factory("dukcapil").get("/api/v1/stats/coverage?level=provinsi")
    assert response.status_code == 422


def test_a_draft_may_link_only_a_row_of_its_own_desa(scenario, services) -> None:
    services.sasaran.check_link(scenario["a1"], DESA_A)
    for sasaran_id, desa in ((scenario["b1"], DESA_A), (str(uuid.uuid4()), DESA_A)):
        with pytest.raises(InvalidInput):
            services.sasaran.check_link(sasaran_id, desa)
