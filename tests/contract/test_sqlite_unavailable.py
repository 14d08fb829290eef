"""The SQLite stores answer a failure of the store itself as StoreUnavailable (503), like AWS.

A file locked past the busy timeout, a full disk, a read-only or damaged file:
no sqlite3 error reaches a view, and a failed write leaves nothing half done
and the thread's connection usable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bakso.adapters.local import SqliteRecords, SqliteSasaranStore, sqlite
from bakso.domain.errors import StoreUnavailable
from bakso.domain.refusals import STORE_BUSY, STORE_FAILING, STORE_FULL
from bakso.domain.sasaran import rolled_up
from contract.test_records import created, make_request

DESA = "52.03.01.2001"


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 50)


@pytest.fixture
def records(tmp_path: Path) -> Iterator[SqliteRecords]:
    store = SqliteRecords(tmp_path / "records.sqlite3")
    yield store
    store.close()


def _writer_lock(path: Path) -> sqlite3.Connection:
    """Another process's write transaction, holding the file's write lock."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


def test_locked_file_is_store_unavailable_busy_and_writes_nothing(
    records: SqliteRecords, tmp_path: Path
) -> None:
    blocker = _writer_lock(tmp_path / "records.sqlite3")
    request = make_request()
    with pytest.raises(StoreUnavailable) as caught:
        records.create_request(request, created(request))
    assert caught.value.status == 503
    assert caught.value.detail == STORE_BUSY
    blocker.execute("ROLLBACK")
    blocker.close()
    assert records.get_request(request.id) is None
    assert records.create_request(request, created(request))  # the retry, same connection
    assert records.get_request(request.id) is not None


def test_full_disk_is_store_unavailable_and_rolls_the_write_back(records: SqliteRecords) -> None:
    db = records._db.connection()  # the calling thread's connection, as the store uses it
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    appended = 0
    with pytest.raises(StoreUnavailable) as caught:
        for _ in range(10_000):
            records.append_audit(
                chain="52.03",
                at="2026-01-01T00:00:00.000Z",
                actor="admin",
                action="x",
                target="t",
                data={"pad": "x" * 2000},
            )
            appended += 1
    assert caught.value.detail == STORE_FULL
    assert not db.in_transaction
    # The chain holds exactly the entries that were written, and goes on once there is room.
    assert len(records.audit_entries(after_seq=0, limit=20_000)) == appended
    db.execute(f"PRAGMA max_page_count = {pages * 100}")
    entry = records.append_audit(
        chain="52.03", at="2026-01-01T00:00:01.000Z", actor="admin", action="x", target="t", data={}
    )
    assert entry.seq == appended + 1


def test_read_only_file_is_store_unavailable(records: SqliteRecords) -> None:
    records._db.connection().execute("PRAGMA query_only = ON")
    with pytest.raises(StoreUnavailable) as caught:
        request = make_request()
        records.create_request(request, created(request))
    assert caught.value.detail == STORE_FAILING


def test_damaged_file_is_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable):
        SqliteRecords(path)


def test_integrity_errors_are_still_the_stores_own_refusals(records: SqliteRecords) -> None:
    with sqlite.translated(), pytest.raises(sqlite3.IntegrityError):
        records._db.connection().execute("INSERT INTO users (username) VALUES ('x')")


def test_locked_sasaran_store_counts_nothing_and_the_retry_counts_once(tmp_path: Path) -> None:
    path = tmp_path / "sasaran.sqlite3"
    store = SqliteSasaranStore(path)
    deltas = {DESA: {"open": 1}}
    blocker = _writer_lock(path)
    with pytest.raises(StoreUnavailable):
        store.apply_once("change-1", deltas)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert store.counters("kabupaten", "52.03") == {}
    assert store.apply_once("change-1", deltas) is True
    assert store.apply_once("change-1", deltas) is False
    for level, code in rolled_up([deltas]):
        assert store.counters(level, code) == {"open": 1}
    store.close()
