"""The SasaranStore contract: what every sasaran store must do alike.

Parametrised over store kinds; the DynamoDB store joins by adding a param to
the `store` fixture (e.g. on moto with the table from infra/).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bakso.adapters.local import SqliteSasaranStore
from bakso.domain.errors import Conflict
from bakso.domain.sasaran import Followup, ImportResult, ImportRun, SasaranRow, row_deltas
from bakso.ports import ImportLineWrite, RowWrite, SasaranStore

DESA_A, DESA_B, DESA_C = "52.03.01.2001", "52.03.02.2002", "52.03.01.2002"


@pytest.fixture(params=["local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SasaranStore]:
    if request.param == "local":
        local = SqliteSasaranStore(tmp_path / "sasaran.sqlite3")
        yield local
        local.close()
    else:  # pragma: no cover - a new param without a branch here
        raise AssertionError(request.param)


def row(
    row_id: str,
    *,
    desa: str = DESA_A,
    name: str = "Warga",
    nik: str | None = None,
    category: str | None = None,
    key: str = "k",
) -> SasaranRow:
    return SasaranRow(
        id=row_id,
        desa=desa,
        name=name,
        address="Dusun",
        documents=["KK"],
        nik=nik,
        category=category,
        name_key=key,
        created_at="2026-01-01T00:00:00.000+00:00",
    )


def create(store: SasaranStore, new: SasaranRow) -> None:
    store.save_row(RowWrite(new, 0, row_deltas(None, new)))


def test_row_is_created_once_and_updated_only_from_its_version(store) -> None:
    first = row("r1")
    create(store, first)
    assert store.get_row("r1") == first
    with pytest.raises(Conflict):
        create(store, row("r1"))
    second = SasaranRow.from_record({**first.to_record(), "name": "Baru", "version": 2})
    store.save_row(RowWrite(second, 1, {}))
    with pytest.raises(Conflict):
        store.save_row(RowWrite(second, 1, {}))  # stale
    assert store.get_row("r1") == second
    assert store.get_row("nope") is None


def test_a_nik_belongs_to_one_row(store) -> None:
    create(store, row("r1", nik="5203015708900001"))
    with pytest.raises(Conflict):
        create(store, row("r2", nik="5203015708900001"))
    assert store.get_row("r2") is None


def test_rows_are_found_by_nik_and_by_name_key_in_batches(store) -> None:
    create(store, row("r1", nik="1111", key="ka"))
    create(store, row("r2", key="ka"))
    create(store, row("r3", nik="3333", key="kb"))
    assert {n: r.id for n, r in store.find_by_niks(["1111", "3333", "9999"]).items()} == {
        "1111": "r1",
        "3333": "r3",
    }
    found = store.find_by_name_keys(["ka", "kz"])
    assert {k: sorted(r.id for r in rows) for k, rows in found.items()} == {"ka": ["r1", "r2"]}
    assert store.find_by_niks([]) == {}


def test_desa_list_puts_rentan_first_then_names_and_pages_with_a_cursor(store) -> None:
    create(store, row("r1", name="Budi"))
    create(store, row("r2", name="Ani"))
    create(store, row("r3", name="Zainal", category="LANSIA"))
    create(store, row("r4", name="Cici", desa=DESA_B))
    first = store.list_rows(DESA_A, cursor=None, limit=2)
    assert [r.name for r in first.items] == ["Zainal", "Ani"]
    assert first.cursor is not None
    second = store.list_rows(DESA_A, cursor=first.cursor, limit=2)
    assert ([r.name for r in second.items], second.cursor) == (["Budi"], None)


def test_followup_id_is_stored_once_with_its_row_change(store) -> None:
    before = row("r1")
    create(store, before)
    followup = Followup("f1", "r1", "DITEMUKAN", "", "2026-01-02T00:00:00.000+00:00", "op", "x")
    after = SasaranRow.from_record({**before.to_record(), "followup_count": 1, "version": 2})
    assert store.record_followup(followup, RowWrite(after, 1, {DESA_A: {"followed_up": 1}}))
    again = SasaranRow.from_record({**after.to_record(), "followup_count": 2, "version": 3})
    assert not store.record_followup(followup, RowWrite(again, 2, {DESA_A: {"followed_up": 1}}))
    assert store.get_row("r1") == after
    assert store.get_followup("f1") == followup
    assert store.list_followups("r1") == [followup]
    assert store.counters("desa", DESA_A)["followed_up"] == 1


def test_counters_add_up_in_the_desa_its_kecamatan_and_kabupaten(store) -> None:
    create(store, row("r1"))
    create(store, row("r2", desa=DESA_C, category="LANSIA"))
    create(store, row("r3", desa=DESA_B))
    assert store.counters("desa", DESA_A) == {"target": 1, "revision": 1}
    assert store.counters("kecamatan", "52.03.01")["target"] == 2
    assert store.counters("kecamatan", "52.03.01")["rentan:LANSIA:target"] == 1
    assert store.counters("kabupaten", "52.03")["target"] == 3
    under = store.counters_under("desa", "52.03.01.")
    assert sorted(under) == [DESA_A, DESA_C]
    assert sorted(store.counters_under("kecamatan", "52.03.")) == ["52.03.01", "52.03.02"]
    assert store.counters("desa", "52.03.09.2001") == {}


def test_a_change_key_is_applied_once(store) -> None:
    assert store.apply_once("request:x:1", {DESA_A: {"requests:DRAF": 1}})
    assert not store.apply_once("request:x:1", {DESA_A: {"requests:DRAF": 1}})
    assert store.counters("kabupaten", "52.03") == {"requests:DRAF": 1}


def test_import_lines_already_stored_are_skipped_whole(store) -> None:
    new = row("r1")
    line = ImportLineWrite(
        ImportResult("i1", 2, "accepted", sasaran_id="r1"), RowWrite(new, 0, row_deltas(None, new))
    )
    refused = ImportLineWrite(ImportResult("i1", 3, "refused", "BAD_NIK", "NIK salah."))
    store.apply_import_lines([line, refused])
    store.apply_import_lines([line, refused])  # a redelivered chunk
    assert store.import_results("i1", after_line=0, limit=10) == [line.result, refused.result]
    assert store.import_results("i1", after_line=2, limit=10) == [refused.result]
    assert store.counters("desa", DESA_A)["target"] == 1


def test_import_line_on_a_stale_row_is_a_conflict(store) -> None:
    create(store, row("r1"))
    stale = SasaranRow.from_record({**row("r1").to_record(), "name": "X", "version": 5})
    with pytest.raises(Conflict):
        store.apply_import_lines(
            [ImportLineWrite(ImportResult("i1", 2, "updated"), RowWrite(stale, 4, {}))]
        )
    assert store.get_row("r1").name == "Warga"


def test_imports_are_kept_listed_newest_first_and_chunks_set_not_added(store) -> None:
    older = ImportRun("i1", "dukcapil", "2026-01-01T00:00:00", "a.csv", "s", 1, "text/csv", "csv")
    newer = ImportRun("i2", "dukcapil", "2026-01-02T00:00:00", "b.csv", "s", 1, "text/csv", "csv")
    assert store.create_import(older)
    assert store.create_import(newer)
    assert not store.create_import(older)
    older.status = "DONE"
    store.save_import(older)
    assert store.get_import("i1") == older
    assert [r.id for r in store.list_imports(limit=10)] == ["i2", "i1"]
    store.record_chunk("i1", 0, {"accepted": 3})
    store.record_chunk("i1", 0, {"accepted": 3})
    store.record_chunk("i1", 1, {"refused": 1})
    assert store.chunk_counts("i1") == {0: {"accepted": 3}, 1: {"refused": 1}}
