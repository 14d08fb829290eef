"""Two kabupaten on one deployment (#16): requests, batches, bulk returns and their lists
stay each kabupaten's own; another kabupaten's is 404, never listed, never counted.

Lombok Timur (52.03, the default) and Sumbawa (52.04) are served together; "dukcapil" is
an account from before #16 (Lombok Timur's), "dukcapil.sb" Sumbawa's officer and "op.sb"
the operator of a Sumbawa desa.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from api.conftest import Account, two_kabupaten_app
from bakso.bootstrap import Services
from bakso.domain.model import Batch
from bakso.ports import Page
from bakso.workers.handlers import drain_until_idle
from batches.test_returns import report, send_return, table
from helpers import (
    DESA_A,
    DESA_B,
    DESA_SUMBAWA,
    NIK_WOMAN,
    SUMBAWA,
    Api,
    draft,
    fake_jpeg,
    services_of,
    submit_ready,
)

KECAMATAN_A = "52.03.01"  # Keruak: DESA_A and DESA_A2
DESA_A2 = "52.03.01.2002"  # Pijot
NIK_SUMBAWA = "5204025708900002"


@pytest.fixture(params=["local", "aws"])
def app(
    request: pytest.FixtureRequest,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Flask]:
    accounts: list[Account] = [
        ("op.a2", "operator", DESA_A2, None, None),
        ("op.sb", "operator", DESA_SUMBAWA, None, None),
        ("dukcapil.sb", "dukcapil", None, SUMBAWA, None),
    ]
    with two_kabupaten_app(request.param, data_dir, monkeypatch, accounts) as app:
        yield app


def sumbawa_draft() -> dict[str, Any]:
    return draft(
        desa=DESA_SUMBAWA,
        applicant={"nik": NIK_SUMBAWA, "name": "Lalu Sumbawa", "phone": "081234567891"},
        subject={
            "name": "Bayi Sumbawa",
            "birth_date": "2026-11-20",
            "birth_place": "Sumbawa Besar",
            "sex": "L",
            "nik": None,
        },
    )


@pytest.fixture
def two(app: Flask, api_factory: Callable[[str | None], Api]) -> dict[str, Any]:
    """One ready request in each kabupaten."""
    services = services_of(app)
    lombok = submit_ready(api_factory("op.a"), services)
    sumbawa = submit_ready(api_factory("op.sb"), services, sumbawa_draft())
    return {"lt": lombok, "sb": sumbawa}


def listed(api: Api, query: str = "") -> list[str]:
    response = api.get(f"/api/v1/requests?{query}")
    assert response.status_code == 200, (query, response.get_json())
    return [item["id"] for item in response.get_json()["items"]]


def counted(api: Api, query: str = "") -> dict[str, int]:
    response = api.get(f"/api/v1/requests/counts?{query}")
    assert response.status_code == 200, response.get_json()
    return {c["status"]: c["count"] for c in response.get_json()["items"] if c["count"]}


def test_each_request_code_carries_its_kabupatens_prefix(two: dict[str, Any]) -> None:
    assert two["lt"]["code"].startswith("LT-")
    assert two["sb"]["code"].startswith("SB-")


def test_an_officer_gets_404_on_every_path_of_another_kabupatens_request(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    sumbawa, op_a = api_factory("dukcapil.sb"), api_factory("op.a")
    theirs = two["lt"]["id"]
    scan_id = op_a.get(f"/api/v1/requests/{theirs}").get_json()["scans"][0]["id"]
    base = f"/api/v1/requests/{theirs}"
    for path in (
        "",
        "/receipt",
        "/berkas",
        "/issued",
        "/handover-photo",
        "/formulir/F201.pdf",
        f"/scans/{scan_id}",
    ):
        response = sumbawa.get(base + path)
        assert response.status_code == 404, path
        assert response.get_json()["detail"] == "Permohonan tidak ditemukan.", path
    moved = sumbawa.post(
        base + "/transition", json={"to": "DITERIMA", "note": "", "version": two["lt"]["version"]}
    )
    assert moved.status_code == 404
    pdf = b"%PDF-1.4\n%%EOF\n"
    issued = sumbawa.post(
        base + "/issued",
        json={"sha256": "0" * 64, "size": len(pdf), "content_type": "application/pdf"},
    )
    assert issued.status_code == 404
    assert sumbawa.post(base + "/issued/complete").status_code == 404
    # Unchanged, as its own kabupaten's officer sees it.
    lombok = api_factory("dukcapil").get(base).get_json()
    assert (lombok["status"], lombok["version"]) == ("DIAJUKAN", two["lt"]["version"])


def test_lists_counts_and_search_hold_only_the_officers_kabupaten(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    lt, sb = two["lt"], two["sb"]
    for officer, own, other in (("dukcapil.sb", sb, lt), ("dukcapil", lt, sb)):
        api = api_factory(officer)
        for query in (
            "",
            "status=DIAJUKAN",
            "service=AKTA_LAHIR",
            "older_than_days=0",
            "q=aminah" if own is lt else "q=sumbawa",
            f"q={own['code']}",
            f"q={NIK_WOMAN if own is lt else NIK_SUMBAWA}",
        ):
            assert listed(api, query) == [own["id"]], (officer, query)
        other_desa = other["desa"]
        for query in (
            f"desa={other_desa}",
            f"kecamatan={other_desa[:8]}",
            f"q={other['code']}",
            f"q={NIK_SUMBAWA if own is lt else NIK_WOMAN}",
            "q=sumbawa" if own is lt else "q=aminah",
        ):
            assert listed(api, query) == [], (officer, query)
        assert counted(api) == {"DIAJUKAN": 1}, officer
        assert counted(api, f"kecamatan={other_desa[:8]}") == {}, officer
        assert counted(api, f"desa={other_desa}") == {}, officer


class ListSpy:
    """The request store, noting which list every list_requests call reads."""

    def __init__(self, records: Any) -> None:
        self._records = records
        self.places: list[str | None] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._records, name)

    def list_requests(self, **kw: Any) -> Page:
        self.places.append(kw["desa"])
        page: Page = self._records.list_requests(**kw)
        return page


def test_a_kecamatans_list_and_counts_read_only_its_desa_lists_merged_newest_first(
    app: Flask, api_factory: Callable[[str | None], Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Services = services_of(app)
    op_a, op_a2, op_b = api_factory("op.a"), api_factory("op.a2"), api_factory("op.b")
    made = []
    for n in range(7):  # interleaved between two desa of Keruak, and Sakra's in between
        operator, desa = (op_a, DESA_A) if n % 3 else (op_a2, DESA_A2)
        made.append(operator.create(draft(desa=desa)))
        op_b.create(draft(desa=DESA_B))
    made.append(submit_ready(op_a, services))
    submit_ready(op_b, services, draft(desa=DESA_B))
    spy = ListSpy(services.requests.records)
    monkeypatch.setattr(services.requests, "records", spy)
    dk = api_factory("dukcapil")

    seen: list[str] = []
    cursor = None
    while True:
        query = f"kecamatan={KECAMATAN_A}&limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = dk.get(f"/api/v1/requests?{query}").get_json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        cursor = body["cursor"]
        if cursor is None:
            break
    assert seen == [r["id"] for r in reversed(made)]
    keruak = set(services.regions.desa_of_kecamatan(KECAMATAN_A))
    assert spy.places and set(spy.places) <= keruak  # never Sakra's, never the kabupaten's

    spy.places.clear()
    assert counted(dk, f"kecamatan={KECAMATAN_A}") == {"DIAJUKAN": 1}
    assert spy.places and set(spy.places) <= keruak
    assert counted(dk) == {"DIAJUKAN": 2}
    spy.places.clear()
    assert counted(dk, f"kecamatan={KECAMATAN_A}&service=AKTA_LAHIR") == {"DIAJUKAN": 1}
    assert spy.places and set(spy.places) <= keruak
    spy.places.clear()
    assert (
        listed(dk, f"kecamatan={KECAMATAN_A}&service=AKTA_LAHIR&limit=4")
        == [r["id"] for r in reversed(made)][:4]
    )
    assert spy.places and set(spy.places) <= keruak


def build_batch(api: Api, services: Services, **filters: Any) -> dict[str, Any]:
    response = api.post("/api/v1/batches", json=filters)
    assert response.status_code == 202, response.get_json()
    drain_until_idle(services)
    return dict(api.get(f"/api/v1/batches/{response.get_json()['id']}").get_json())


def batch_codes(services: Services, batch_id: str) -> set[str]:
    return {r.code for r in services.records.requests_in_batch(batch_id)}


def test_a_batch_takes_only_its_kabupatens_requests_and_is_404_to_the_other(
    app: Flask, two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    services = services_of(app)
    sumbawa, lombok = api_factory("dukcapil.sb"), api_factory("dukcapil")
    # A kecamatan or desa of the other kabupaten is not one the officer can choose.
    for filters in ({"kecamatan": KECAMATAN_A}, {"desa": DESA_A}):
        refused = sumbawa.post("/api/v1/batches", json=filters)
        assert refused.status_code == 422, filters
        assert refused.get_json()["detail"].endswith("tidak dikenal."), filters
    sb_batch = build_batch(sumbawa, services)
    assert sb_batch["status"] == "READY" and sb_batch["count"] == 1
    assert batch_codes(services, sb_batch["id"]) == {two["sb"]["code"]}
    lt_batch = build_batch(lombok, services)
    assert batch_codes(services, lt_batch["id"]) == {two["lt"]["code"]}

    for api, own, other in ((sumbawa, sb_batch, lt_batch), (lombok, lt_batch, sb_batch)):
        items = api.get("/api/v1/batches").get_json()["items"]
        assert [b["id"] for b in items] == [own["id"]]
        for response in (
            api.get(f"/api/v1/batches/{other['id']}"),
            api.get(f"/api/v1/batches/{other['id']}/download"),
            api.post(f"/api/v1/batches/{other['id']}/rebuild"),
        ):
            assert response.status_code == 404
            assert response.get_json()["detail"] == "Batch tidak ditemukan."
    # Nobody downloaded another's volume: its requests still wait.
    assert (
        api_factory("op.a").get(f"/api/v1/requests/{two['lt']['id']}").get_json()["status"]
        == "DIAJUKAN"
    )


def test_batches_from_before_are_the_default_kabupatens(
    app: Flask, api_factory: Callable[[str | None], Api]
) -> None:
    services = services_of(app)
    old = Batch(
        id=uuid.uuid4().hex,
        created_by="dukcapil",
        created_at="2026-01-05T08:00:00.000+00:00",
        filters={"kecamatan": None, "desa": None, "service": None},
    )
    services.records.create_batch(old)  # stored before #16: it names no kabupaten
    lombok, sumbawa = api_factory("dukcapil"), api_factory("dukcapil.sb")
    assert [b["id"] for b in lombok.get("/api/v1/batches").get_json()["items"]] == [old.id]
    assert lombok.get(f"/api/v1/batches/{old.id}").status_code == 200
    assert sumbawa.get("/api/v1/batches").get_json()["items"] == []
    assert sumbawa.get(f"/api/v1/batches/{old.id}").status_code == 404


def test_a_return_moves_only_its_kabupatens_requests_and_is_404_to_the_other(
    app: Flask, two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    services = services_of(app)
    sumbawa, lombok = api_factory("dukcapil.sb"), api_factory("dukcapil")
    rows = [[two["lt"]["code"], "DITERIMA", ""], [two["sb"]["code"], "DITERIMA", ""]]
    done = send_return(sumbawa, services, table(rows), None)
    assert done["status"] == "DONE", done
    lines = report(sumbawa, done["id"])
    by_code = {line["code"]: (line["outcome"], line["detail"]) for line in lines}
    assert by_code[two["lt"]["code"]] == ("refused", "Kode permohonan tidak dikenal.")
    assert by_code[two["sb"]["code"]][0] == "applied"
    untouched = lombok.get(f"/api/v1/requests/{two['lt']['id']}").get_json()
    assert (untouched["status"], untouched["version"]) == ("DIAJUKAN", two["lt"]["version"])

    for path in ("", "/rows"):
        response = lombok.get(f"/api/v1/returns/{done['id']}{path}")
        assert response.status_code == 404, path
        assert response.get_json()["detail"] == "Pengembalian tidak ditemukan."
    assert lombok.post(f"/api/v1/returns/{done['id']}/start").status_code == 404


def test_the_retention_backfill_goes_through_every_kabupaten(
    app: Flask, two: dict[str, Any]
) -> None:
    retention = services_of(app).retention
    written, cursor = retention.backfill(None, pages=10)
    assert (written, cursor) == (2, None)
    # One page at a time, the cursor naming the kabupaten it stopped in.
    total, cursor = retention.backfill(None, pages=1)
    while cursor is not None:
        more, cursor = retention.backfill(cursor, pages=1)
        total += more
    assert total == 2


def test_a_scan_of_a_sumbawa_request_is_stored_under_its_own_request(
    two: dict[str, Any], api_factory: Callable[[str | None], Api]
) -> None:
    # The Sumbawa operator's own request works end to end; Lombok's officer cannot see it.
    op_sb = api_factory("op.sb")
    created = op_sb.create(sumbawa_draft())
    op_sb.attach(created["id"], "F201", fake_jpeg("sb-scan"))
    assert api_factory("dukcapil").get(f"/api/v1/requests/{created['id']}").status_code == 404
    assert api_factory("dukcapil.sb").get(f"/api/v1/requests/{created['id']}").status_code == 200
