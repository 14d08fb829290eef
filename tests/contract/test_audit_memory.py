"""`bakso audit verify` on a large SQLite log: page by page, in flat memory.

#13 measured 608 MiB for 461k entries when the whole log was held. The log
here is written straight into the file (one executemany, links made with the
adapter's own key), since 40,000 appends one by one would only slow the test.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path
from typing import Any

from bakso.adapters.local import SqliteRecords
from bakso.domain.audit_chain import AuditKeys
from bakso.domain.model import GENESIS_HASH, AuditEntry
from bakso.services.audit import MISSING, VERIFY_PAGE, AuditService

ENTRIES = 40_000
PAGE = VERIFY_PAGE  # what `bakso audit verify` reads at a time (1000)
KEYS = AuditKeys("memory-test-audit-key")
CHAIN = KEYS.legacy_chain  # the default kabupaten's


def _bulk_log(path: Path, count: int) -> None:
    records = SqliteRecords(path, KEYS)  # migrates the file
    rows, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        data = {"from": "DIAJUKAN", "to": "DITERIMA", "note": f"batch b-{seq // 250}"}
        at = f"2026-03-01T{seq // 3600 % 24:02d}:{seq // 60 % 60:02d}:{seq % 60:02d}Z"
        entry = KEYS.entry(
            seq, at, "dukcapil.ana", "request.transition", f"r-{seq}", data, prev, chain=CHAIN
        )
        stored = json.dumps(data)
        rows.append((seq, at, entry.actor, entry.action, entry.target, stored, prev, entry.hash))
        prev = entry.hash
    head = KEYS.seal(count, prev, chain=CHAIN)
    records.close()
    db = sqlite3.connect(path)
    with db:  # one transaction
        db.executemany(
            "INSERT INTO audit (seq, at, actor, action, target, data, prev_hash, hash, key_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, KEYS.key_id) for row in rows],
        )
        db.execute(
            # The default kabupaten's chain is stored under '' (adapters/local/records_audit.py).
            "INSERT INTO audit_head (chain, seq, link, key_id, mac) VALUES ('', ?, ?, ?, ?)",
            (head.length, head.link, head.key_id, head.mac),
        )
    db.close()


class CountingLog:
    """The SQLite log, recording each page read."""

    def __init__(self, records: SqliteRecords) -> None:
        self.records = records
        self.pages: list[tuple[int, int, int]] = []  # (after_seq, limit, rows returned)

    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        page = self.records.audit_entries(after_seq, limit, chain=chain)
        self.pages.append((after_seq, limit, len(page)))
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.records, name)


def test_verify_of_40k_entries_reads_page_by_page_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    _bulk_log(path, ENTRIES)
    log = CountingLog(SqliteRecords(path, KEYS))
    service = AuditService(log, KEYS, page_size=PAGE)  # type: ignore[arg-type]
    service.verify()  # warm: imports, SQLite statement cache

    log.pages.clear()
    tracemalloc.start()
    try:
        check = service.verify()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (check.problem, check.checked, check.recorded) == (None, ENTRIES, ENTRIES)
    # One page at a time, keyed by the last seq seen, never more than PAGE rows.
    assert [after for after, _, _ in log.pages] == list(range(0, ENTRIES + 1, PAGE))
    assert all(limit == PAGE and rows <= PAGE for _, limit, rows in log.pages)
    # Held whole, these 40k entries peak at about 56 MiB; one page of them at about 2.5.
    assert peak < 4 * 1024 * 1024, f"verify peaked at {peak / 2**20:.1f} MiB"
    log.records.close()


def test_a_large_log_cut_short_is_named_without_reading_it_twice(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    _bulk_log(path, 5_000)
    db = sqlite3.connect(path)
    with db:
        db.execute("DELETE FROM audit WHERE seq > 4321")
    db.close()
    records = SqliteRecords(path, KEYS)
    check = AuditService(records, KEYS, page_size=PAGE).verify()
    assert (check.problem, check.checked, check.recorded, check.broken) == (
        MISSING,
        4321,
        5000,
        4322,
    )
    records.close()
