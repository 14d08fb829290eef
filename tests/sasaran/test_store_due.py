"""The retention index of the sasaran store (bakso.ports.due), alike on every store.

Closed rows are listed by the time they closed, oldest first; a row leaves
the list when it is reopened or purged, and a purged row leaves its desa's
worklist and frees its NIK. Unfinished imports are listed until they finish.
"""

from __future__ import annotations

import dataclasses

from bakso.domain.sasaran import (
    IMPORT_DONE,
    Followup,
    ImportRun,
    SasaranRow,
    apply_followup,
    erased,
    row_deltas,
)
from bakso.ports import RowWrite, SasaranStore
from sasaran.test_store import DESA_A, create, row, unrevised
from sasaran.test_store import store as store_of_each_kind

store = store_of_each_kind  # the same fixture: every test runs on each store

NOW = "2026-04-01T00:00:00.000+00:00"


def at(day: int) -> str:
    return f"2026-03-{day:02d}T08:00:00.000+00:00"


def followed(store: SasaranStore, current: SasaranRow, outcome: str, day: int) -> SasaranRow:
    followup = Followup(
        f"f-{current.id}-{day}", current.id, outcome, f"catatan {day}", at(day), "op", at(day)
    )
    after = apply_followup(current, followup, at(day))
    assert store.record_followup(followup, RowWrite(after, current.version, {}))
    return after


def test_closed_rows_are_listed_by_close_time_until_reopened_or_purged(
    store: SasaranStore,
) -> None:
    made = {
        row_id: row(row_id, nik=f"52030157089000{n:02d}", key=row_id)
        for n, row_id in enumerate(("moved", "served", "open", "found"), start=1)
    }
    for new in made.values():
        create(store, new)
    moved = followed(store, made["moved"], "PINDAH", 3)
    followed(store, made["found"], "DITEMUKAN", 1)
    served = dataclasses.replace(
        made["served"],
        requests={"KTP_EL": {"id": "req", "status": "SELESAI", "version": 5}},
        served_at=at(2),
        version=2,
    )
    store.save_row(RowWrite(served, 1, {}))

    first = store.closed_rows(before=at(10), cursor=None, limit=1)
    assert [r.id for r in first.items] == ["served"] and first.cursor is not None
    second = store.closed_rows(before=at(10), cursor=first.cursor, limit=1)
    assert [r.id for r in second.items] == ["moved"]
    assert [unrevised(r) for r in store.closed_rows(before=at(3), cursor=None, limit=5).items] == [
        served
    ]

    # Found after all: open again, so no longer due.
    followed(store, moved, "DITEMUKAN", 4)
    assert [r.id for r in store.closed_rows(before=at(10), cursor=None, limit=5).items] == [
        "served"
    ]
    purged = erased(served, NOW)
    store.save_row(RowWrite(purged, served.version, row_deltas(served, purged)))
    assert store.closed_rows(before=NOW, cursor=None, limit=5).items == []
    assert unrevised(store.get_row("served")) == purged
    listed = [r.id for r in store.list_rows(DESA_A, cursor=None, limit=10).items]
    assert sorted(listed) == ["found", "moved", "open"]
    assert served.nik and store.find_by_niks([served.nik]) == {}
    assert store.find_by_name_keys(["served"]) == {}
    # The NIK is free for a resident listed again later.
    create(store, row("again", nik=served.nik, key="again"))


def test_follow_up_notes_are_erased_and_the_rest_kept(store: SasaranStore) -> None:
    create(store, row("r1"))
    followed(store, row("r1"), "PINDAH", 2)

    store.erase_followup_notes("r1")
    store.erase_followup_notes("r1")  # repeatable

    (kept,) = store.list_followups("r1")
    assert (kept.note, kept.outcome, kept.at) == ("", "PINDAH", at(2))
    assert store.get_followup(kept.id) == kept


def test_unfinished_imports_are_listed_oldest_first_until_finished(store: SasaranStore) -> None:
    runs = [
        ImportRun(f"i{day}", "dukcapil", at(day), "s.csv", "a" * 64, 10, "text/csv", "csv")
        for day in (2, 1, 8)
    ]
    for run in runs:
        assert store.create_import(run)

    listed = store.unfinished_imports(before=at(5), cursor=None, limit=1)
    assert [r.id for r in listed.items] == ["i1"] and listed.cursor is not None
    rest = store.unfinished_imports(before=at(5), cursor=listed.cursor, limit=5)
    assert [r.id for r in rest.items] == ["i2"] and rest.cursor is None

    store.save_import(dataclasses.replace(runs[1], status=IMPORT_DONE))
    assert [r.id for r in store.unfinished_imports(before=at(9), cursor=None, limit=5).items] == [
        "i2",
        "i8",
    ]
