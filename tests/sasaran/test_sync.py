"""The worklist synced by change over HTTP: ?since=, tombstones, DELETE, starting over."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from bakso.bootstrap import Services
from helpers import DESA_A
from sasaran.support import csv_file

BASE = "/api/v1/sasaran"


def _lines(count: int) -> list[str]:
    return [f",Warga {i:04d},{DESA_A},Dusun {i % 40},KK,," for i in range(count)]


def test_a_followup_elsewhere_in_the_desa_sends_only_that_row(importer, api_factory) -> None:
    importer.run(csv_file(*_lines(3)))
    op_a = api_factory("op.a")
    first = op_a.get(BASE).get_json()
    assert first["full"] is True and len(first["items"]) == 3
    since = first["revision"]
    row_id = first["items"][1]["id"]
    body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": "di sawah"}
    assert op_a.post(f"{BASE}/{row_id}/followup", json=body).status_code == 201

    delta = op_a.get(f"{BASE}?since={since}").get_json()
    assert delta["full"] is False and delta["removed"] == [] and delta["cursor"] is None
    assert [r["id"] for r in delta["items"]] == [row_id]
    assert delta["items"][0]["followup"]["note"] == "di sawah"
    assert delta["revision"] == since + 1
    # At the current revision: nothing to send.
    same = op_a.get(f"{BASE}?since={delta['revision']}").get_json()
    assert same["full"] is False and same["items"] == [] and same["removed"] == []


def test_worklist_of_2000_rows_after_one_change_is_a_delta_of_a_few_kb(
    importer, api_factory
) -> None:
    importer.run(csv_file(*_lines(2000)))
    op_a = api_factory("op.a")
    whole = op_a.get(f"{BASE}?limit=500")
    since = whole.get_json()["revision"]
    row_id = whole.get_json()["items"][7]["id"]
    body = {"id": str(uuid.uuid4()), "outcome": "PINDAH", "note": "ke Lombok Tengah"}
    assert op_a.post(f"{BASE}/{row_id}/followup", json=body).status_code == 201

    delta = op_a.get(f"{BASE}?since={since}&limit=500")
    assert [r["id"] for r in delta.get_json()["items"]] == [row_id]
    assert len(delta.data) < 5 * 1024, len(delta.data)
    assert len(whole.data) > 50 * len(delta.data)  # one page of the full list, for scale


def test_dukcapil_withdraws_a_row_and_devices_get_a_tombstone(
    importer, api_factory, dukcapil, services: Services
) -> None:
    importer.run(csv_file(*_lines(2)))
    op_a = api_factory("op.a")
    first = op_a.get(BASE).get_json()
    since, row_id = first["revision"], first["items"][0]["id"]

    assert op_a.delete(f"{BASE}/{row_id}").status_code == 403
    assert dukcapil.delete(f"{BASE}/{uuid.uuid4()}").status_code == 404
    assert dukcapil.delete(f"{BASE}/{row_id}").status_code == 204
    assert dukcapil.delete(f"{BASE}/{row_id}").status_code == 204  # again: nothing more
    assert api_factory("admin").delete(f"{BASE}/{row_id}").status_code == 204

    delta = op_a.get(f"{BASE}?since={since}").get_json()
    assert delta["items"] == []
    assert delta["removed"] == [{"id": row_id, "revision": since + 1, "removed": True}]
    assert op_a.get(f"{BASE}/{row_id}").status_code == 404
    assert [r["id"] for r in op_a.get(BASE).get_json()["items"]] == [first["items"][1]["id"]]
    # Once, in the audit log; the row's personal values are gone from the store.
    entries = services.records.audit_entries()
    assert [(e.action, e.target) for e in entries if e.action == "sasaran.withdraw"] == [
        ("sasaran.withdraw", row_id)
    ]
    stored = services.sasaran.store.get_row(row_id)
    assert stored is not None and stored.name == "" and stored.nik is None
    figures = services.sasaran.store.counters("desa", DESA_A)
    assert figures["target"] == 1


def test_a_revision_older_than_the_kept_tombstones_gets_the_full_list(
    importer, api_factory, dukcapil, services: Services
) -> None:
    importer.run(csv_file(*_lines(3)))
    op_a = api_factory("op.a")
    first = op_a.get(BASE).get_json()
    since = first["revision"]
    assert dukcapil.delete(f"{BASE}/{first['items'][0]['id']}").status_code == 204

    retention = services.retention_files
    start = retention.clock
    retention.clock = lambda: start() + timedelta(days=31)
    assert retention.purge().tombstones == 1

    stale = op_a.get(f"{BASE}?since={since}").get_json()
    assert stale["full"] is True and stale["removed"] == []
    assert len(stale["items"]) == 2
    # A revision the desa never had (another desa's, a bug): start over too.
    ahead = op_a.get(f"{BASE}?since={stale['revision'] + 100}").get_json()
    assert ahead["full"] is True and len(ahead["items"]) == 2
    current = op_a.get(f"{BASE}?since={stale['revision']}").get_json()
    assert current["full"] is False and current["items"] == []


def test_a_row_purged_by_retention_leaves_a_tombstone(
    importer, api_factory, services: Services
) -> None:
    importer.run(csv_file(*_lines(2)))
    op_a = api_factory("op.a")
    first = op_a.get(BASE).get_json()
    row_id = first["items"][0]["id"]
    body = {"id": str(uuid.uuid4()), "outcome": "MENINGGAL"}
    assert op_a.post(f"{BASE}/{row_id}/followup", json=body).status_code == 201
    since = op_a.get(BASE).get_json()["revision"]

    retention = services.retention_files
    start = retention.clock
    retention.clock = lambda: start() + timedelta(days=91)
    report = retention.purge()
    assert report.sasaran_rows == 1 and report.tombstones == 0  # the new one is kept

    delta = op_a.get(f"{BASE}?since={since}").get_json()
    assert delta["items"] == [] and [t["id"] for t in delta["removed"]] == [row_id]
    assert set(json.dumps(delta["removed"])) <= set('[]{}":, 0123456789abcdefidrvmotsnuel-')


def test_delta_pages_follow_the_cursor(importer, api_factory) -> None:
    importer.run(csv_file(*_lines(5)))
    op_a = api_factory("op.a")
    first = op_a.get(BASE).get_json()
    since = first["revision"]
    for row in first["items"]:
        body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN"}
        assert op_a.post(f"{BASE}/{row['id']}/followup", json=body).status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        path = f"{BASE}?since={since}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = op_a.get(path).get_json()
        assert page["full"] is False
        seen += [r["id"] for r in page["items"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(r["id"] for r in first["items"]) and pages == 3


@pytest.mark.parametrize("since", ["abc", "-1", "1.5"])
def test_a_bad_since_is_a_problem_in_indonesian(api_factory, since: str) -> None:
    op_a = api_factory("op.a")
    assert op_a.get(f"{BASE}?since=0").status_code == 200  # a parameter the list knows
    response = op_a.get(f"{BASE}?since={since}")
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"
    assert "Parameter tidak valid" in response.get_json()["detail"]
    assert "since" in response.get_json()["detail"]


def test_an_operator_cannot_sync_another_desa(api_factory) -> None:
    response = api_factory("op.a").get(f"{BASE}?since=0&desa=52.03.02.2002")
    assert response.status_code == 404
