"""A SQLite sasaran file from before rows carried a revision: its rows sync as revision 0."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bakso.adapters.local import SqliteSasaranStore
from bakso.adapters.local.sasaran import MIGRATIONS
from bakso.adapters.local.sqlite import SqliteDatabase
from bakso.domain.sasaran import row_deltas
from bakso.ports import RowWrite
from sasaran.test_store import DESA_A, row


def test_rows_stored_before_revisions_are_revision_0_until_their_next_change(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sasaran.sqlite3"
    old = SqliteDatabase(path, MIGRATIONS[:2])
    stored = row("old", name="Lama")
    record = {k: v for k, v in stored.to_record().items() if k not in ("revision", "withdrawn_at")}
    with old.transaction() as db:
        db.execute(
            "INSERT INTO rows (id, desa, sort_key, nik, name_key, version, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("old", DESA_A, stored.sort_key, None, "k", 1, json.dumps(record)),
        )
        db.execute(
            "INSERT INTO counters (level, code, name, value) VALUES ('desa', ?, 'revision', 7)",
            (DESA_A,),
        )
    old.close()

    store = SqliteSasaranStore(path)
    page = store.changes(DESA_A, since=0, cursor=None, limit=10)
    # A device at any revision already has the old row: it did not change.
    assert page is not None and page.rows == [] and page.revision == 7
    assert [r.id for r in store.list_rows(DESA_A, cursor=None, limit=10).items] == ["old"]

    before = store.get_row("old")
    assert before is not None and before.revision == 0
    after = replace(before, address="Baru", version=2)
    store.save_row(RowWrite(after, 1, row_deltas(before, after)))
    changed = store.changes(DESA_A, since=7, cursor=None, limit=10)
    assert changed is not None and [(r.id, r.revision) for r in changed.rows] == [("old", 8)]
    store.close()


def test_a_delta_is_read_through_the_desa_revision_indexes(tmp_path: Path) -> None:
    store = SqliteSasaranStore(tmp_path / "sasaran.sqlite3")
    for i in range(3):
        new = row(f"r{i}", name=f"W {i}", key=f"k{i}")
        store.save_row(RowWrite(new, 0, row_deltas(None, new)))
    db = store._db.connection()
    traced: list[str] = []
    db.set_trace_callback(traced.append)
    try:
        store.changes(DESA_A, since=1, cursor=None, limit=10)
    finally:
        db.set_trace_callback(None)
    plans = {
        sql: " / ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        for sql in traced
        if sql.lstrip().upper().startswith("SELECT")
    }
    assert len(plans) == 4, plans
    for sql, plan in plans.items():
        assert "SCAN" not in plan and "TEMP B-TREE" not in plan, (sql, plan)
    assert any("rows_changes" in plan for plan in plans.values()), plans
    assert any("tombstones" in plan for plan in plans.values()), plans
    store.close()
