"""A local store that cannot answer is a 503 problem+json in Indonesian, as on AWS (not a 500)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bakso.adapters.local import sqlite
from bakso.domain.refusals import STORE_BUSY
from helpers import PASSWORD, USERS, close_app, draft, make_app, services_of


@pytest.fixture
def app(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    # The local set only (the AWS set's 503s are tested on moto); a short busy
    # timeout so a locked file is given up on quickly.
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 50)
    app = make_app(data_dir)
    accounts = services_of(app).accounts
    for username, role, desa in USERS:
        accounts.create_user(username, role, desa, PASSWORD)
    yield app
    close_app(app)


def test_locked_records_file_is_503_in_indonesian_and_the_retry_succeeds(
    api_factory, services, data_dir: Path
) -> None:
    op = api_factory("op.a")
    request_id = str(uuid.uuid4())
    blocker = sqlite3.connect(data_dir / "records.sqlite3", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the file past the busy timeout
    try:
        response = op.put(f"/api/v1/requests/{request_id}", json=draft())
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 503, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 503
    assert body["title"] == "Layanan sedang tidak tersedia"
    assert body["detail"] == STORE_BUSY == "Sistem sedang sibuk; coba lagi sebentar lagi."
    assert services.records.get_request(request_id) is None
    # The device keeps the request in its outbox and sends it again.
    assert op.put(f"/api/v1/requests/{request_id}", json=draft()).status_code == 201
