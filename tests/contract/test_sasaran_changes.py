"""Worklist sync by change (SasaranStore.changes, expire_tombstones): the same on each store.

Runs on the SQLite store, the DynamoDB one on moto (the table of
infra/bakso.yaml; a Scan fails the test) and the in-memory fake.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bakso.domain.sasaran import (
    ImportResult,
    SasaranRow,
    Tombstone,
    erased,
    row_deltas,
    withdrawn,
)
from bakso.ports import ImportLineWrite, RowWrite, SasaranStore
from sasaran.test_store import DESA_A, DESA_C, create, row
from sasaran.test_store import store as store_of_each_kind

store = store_of_each_kind  # every test runs on each store

PAST = "2026-01-01T00:00:00.000+00:00"
REMOVED = "2026-02-01T00:00:00.000+00:00"
LATER = "2026-06-01T00:00:00.000+00:00"


def revision(store: SasaranStore, desa: str = DESA_A) -> int:
    return store.counters("desa", desa).get("revision", 0)


def change(store: SasaranStore, row_id: str, **fields: object) -> SasaranRow:
    before = store.get_row(row_id)
    assert before is not None
    after = replace(before, version=before.version + 1, updated_at=REMOVED, **fields)  # type: ignore[arg-type]
    store.save_row(RowWrite(after, before.version, row_deltas(before, after)))
    return after


def seeded(store: SasaranStore, count: int = 5) -> int:
    for i in range(count):
        create(store, row(f"r{i}", name=f"Warga {i}", key=f"k{i}"))
    return revision(store)


def test_a_delta_after_one_change_holds_exactly_that_row(store: SasaranStore) -> None:
    since = seeded(store)
    assert since == 5
    change(store, "r3", address="Dusun Lain")
    page = store.changes(DESA_A, since=since, cursor=None, limit=50)
    assert page is not None
    assert [(r.id, r.address, r.revision) for r in page.rows] == [("r3", "Dusun Lain", 6)]
    assert page.removed == [] and page.cursor is None and page.revision == 6
    # Nothing after the current revision; everything after 0 (each row once, at its revision).
    assert store.changes(DESA_A, since=6, cursor=None, limit=50) == replace(page, rows=[])
    whole = store.changes(DESA_A, since=0, cursor=None, limit=50)
    assert whole is not None
    assert [(r.id, r.revision) for r in whole.rows] == [
        ("r0", 1),
        ("r1", 2),
        ("r2", 4 - 1),
        ("r4", 5),
        ("r3", 6),
    ]


def test_a_removed_row_arrives_as_a_tombstone_with_nothing_personal(store: SasaranStore) -> None:
    since = seeded(store)
    purged = store.get_row("r1")
    assert purged is not None
    after = erased(purged, REMOVED)
    store.save_row(RowWrite(after, purged.version, row_deltas(purged, after)))
    gone = store.get_row("r2")
    assert gone is not None
    out = withdrawn(gone, REMOVED)
    store.save_row(RowWrite(out, gone.version, row_deltas(gone, out)))
    page = store.changes(DESA_A, since=since, cursor=None, limit=50)
    assert page is not None and page.rows == []
    assert page.removed == [
        Tombstone("r1", DESA_A, since + 1, REMOVED),
        Tombstone("r2", DESA_A, since + 2, REMOVED),
    ]
    # A withdrawn row no longer counts; the purged one still does (retention keeps figures).
    assert store.counters("desa", DESA_A)["target"] == 4
    # A purged row written again (a late request change) leaves no second tombstone.
    again = store.get_row("r1")
    assert again is not None
    store.save_row(
        RowWrite(replace(again, version=again.version + 1), again.version, row_deltas(again, again))
    )
    later = store.changes(DESA_A, since=since + 2, cursor=None, limit=50)
    assert later is not None and later.rows == [] and later.removed == []


def test_a_row_moved_to_another_desa_is_a_tombstone_there_and_a_row_here(
    store: SasaranStore,
) -> None:
    since = seeded(store)
    change(store, "r4", desa=DESA_C)
    left = store.changes(DESA_A, since=since, cursor=None, limit=50)
    arrived = store.changes(DESA_C, since=0, cursor=None, limit=50)
    assert left is not None and arrived is not None
    assert [t.id for t in left.removed] == ["r4"] and left.rows == []
    assert [(r.id, r.desa) for r in arrived.rows] == [("r4", DESA_C)] and arrived.removed == []


def test_changes_page_in_revision_order_rows_and_tombstones_together(store: SasaranStore) -> None:
    since = seeded(store)
    change(store, "r0", address="A")
    victim = store.get_row("r1")
    assert victim is not None
    out = withdrawn(victim, REMOVED)
    store.save_row(RowWrite(out, victim.version, row_deltas(victim, out)))
    change(store, "r2", address="B")
    seen: list[tuple[str, int]] = []
    cursor = None
    pages = 0
    while True:
        page = store.changes(DESA_A, since=since, cursor=cursor, limit=2)
        assert page is not None
        seen += [(r.id, r.revision) for r in page.rows] + [(t.id, t.revision) for t in page.removed]
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break
    assert sorted(seen, key=lambda s: s[1]) == [("r0", 6), ("r1", 7), ("r2", 8)]
    assert pages == 2


def test_each_import_line_and_followup_takes_its_own_revision(store: SasaranStore) -> None:
    since = seeded(store, 1)
    news = [row(f"n{i}", name=f"Baru {i}", key=f"n{i}") for i in range(3)]
    store.apply_import_lines(
        [
            ImportLineWrite(
                ImportResult("imp", i + 2, "accepted", None, "", new.id),
                RowWrite(new, 0, row_deltas(None, new)),
            )
            for i, new in enumerate(news)
        ]
    )
    page = store.changes(DESA_A, since=since, cursor=None, limit=50)
    assert page is not None
    assert [(r.id, r.revision) for r in page.rows] == [("n0", 2), ("n1", 3), ("n2", 4)]
    assert page.revision == 4


def test_tombstones_expire_and_then_an_older_revision_must_start_over(
    store: SasaranStore,
) -> None:
    since = seeded(store)
    victim = store.get_row("r1")
    assert victim is not None
    out = withdrawn(victim, REMOVED)
    store.save_row(RowWrite(out, victim.version, row_deltas(victim, out)))
    assert store.expire_tombstones(before=PAST, limit=10) == 0  # not old enough
    kept = store.changes(DESA_A, since=since, cursor=None, limit=50)
    assert kept is not None and [t.id for t in kept.removed] == ["r1"]

    assert store.expire_tombstones(before=LATER, limit=10) == 1
    assert store.changes(DESA_A, since=since, cursor=None, limit=50) is None  # too old
    current = store.changes(DESA_A, since=since + 1, cursor=None, limit=50)
    assert current is not None and current.removed == [] and current.rows == []
    assert store.expire_tombstones(before=LATER, limit=10) == 0
    # Another desa is not affected.
    assert store.changes(DESA_C, since=0, cursor=None, limit=50) is not None


def test_concurrent_writes_to_one_desa_take_distinct_revisions(store: SasaranStore) -> None:
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            create(store, row(f"c{i}", name=f"C {i}", key=f"c{i}"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    page = store.changes(DESA_A, since=0, cursor=None, limit=50)
    assert page is not None
    assert sorted(r.revision for r in page.rows) == [1, 2, 3, 4, 5, 6]
    assert page.revision == 6


@pytest.mark.parametrize("cursor", ["!!", "YWJj"])  # not base64; base64 of "abc"
def test_a_bad_changes_cursor_is_refused(store: SasaranStore, cursor: str) -> None:
    from bakso.domain.errors import InvalidInput

    with pytest.raises(InvalidInput):
        store.changes(DESA_A, since=0, cursor=cursor, limit=5)
