"""Follow-ups from the desa: replayed by the PWA outbox, recorded exactly once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from helpers import DESA_A
from sasaran.support import csv_file, worklist


@pytest.fixture
def row(importer, api_factory) -> dict:
    importer.run(csv_file(f",Amaq Saleh,{DESA_A},Dusun Lendang,KK,LANSIA,"))
    return worklist(api_factory("op.a"))[0]


def test_followup_replayed_with_the_same_id_is_recorded_once(row, api_factory) -> None:
    op_a = api_factory("op.a")
    body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": "di sawah"}
    first = op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body)
    # The outbox replays: after a lost answer, after a restart, days later.
    replays = [op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body) for _ in range(3)]

    assert first.status_code == 201
    assert first.get_json()["created"] is True
    assert [r.status_code for r in replays] == [200, 200, 200]
    assert all(r.get_json()["created"] is False for r in replays)
    assert {r.get_json()["followup"]["id"] for r in replays} == {body["id"]}
    detail = op_a.get(f"/api/v1/sasaran/{row['id']}").get_json()
    assert detail["followup_count"] == 1
    assert [(f["id"], f["outcome"], f["note"]) for f in detail["followups"]] == [
        (body["id"], "DITEMUKAN", "di sawah")
    ]
    figures = op_a.get("/api/v1/stats/coverage").get_json()["total"]
    assert figures["followed_up"] == 1
    assert figures["followups"]["DITEMUKAN"] == 1


def test_same_followup_id_with_other_content_is_a_conflict(row, api_factory) -> None:
    op_a = api_factory("op.a")
    body = {"id": str(uuid.uuid4()), "outcome": "DITEMUKAN", "note": ""}
    assert op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body).status_code == 201
    changed = op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json={**body, "outcome": "PINDAH"})
    assert changed.status_code == 409
    assert changed.get_json()["detail"] == "ID tindak lanjut ini sudah dipakai untuk catatan lain."


def test_an_older_followup_synced_late_does_not_replace_the_newer_one(row, api_factory) -> None:
    op_a = api_factory("op.a")
    now = datetime.now(UTC)
    newer = {
        "id": str(uuid.uuid4()),
        "outcome": "DITEMUKAN",
        "at": (now - timedelta(hours=1)).isoformat(),
    }
    older = {
        "id": str(uuid.uuid4()),
        "outcome": "TIDAK_DITEMUKAN",
        "at": (now - timedelta(days=2)).isoformat(),
    }
    assert op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=newer).status_code == 201
    late = op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=older)

    assert late.status_code == 201
    current = late.get_json()["sasaran"]
    assert current["followup"]["id"] == newer["id"]
    assert current["followup_count"] == 2
    figures = op_a.get("/api/v1/stats/coverage").get_json()["total"]
    assert figures["followups"]["DITEMUKAN"] == 1
    assert figures["followups"]["TIDAK_DITEMUKAN"] == 0
    assert figures["followed_up"] == 1


def test_followup_time_in_the_future_is_taken_as_now(row, api_factory) -> None:
    op_a = api_factory("op.a")
    body = {
        "id": str(uuid.uuid4()),
        "outcome": "SUDAH_PUNYA",
        "at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }
    recorded = op_a.post(f"/api/v1/sasaran/{row['id']}/followup", json=body).get_json()
    at = datetime.fromisoformat(recorded["followup"]["at"])
    assert at <= datetime.now(UTC)


def test_followup_needs_a_known_outcome_and_a_uuid(row, api_factory) -> None:
    op_a = api_factory("op.a")
    url = f"/api/v1/sasaran/{row['id']}/followup"
    assert op_a.post(url, json={"id": str(uuid.uuid4()), "outcome": "HILANG"}).status_code == 422
    assert op_a.post(url, json={"id": "x", "outcome": "PINDAH"}).status_code == 422


def test_dukcapil_cannot_record_a_followup(row, api_factory) -> None:
    response = api_factory("dukcapil").post(
        f"/api/v1/sasaran/{row['id']}/followup",
        json={"id": str(uuid.uuid4()), "outcome": "DITEMUKAN"},
    )
    assert response.status_code == 403
