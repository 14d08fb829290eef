"""The SasaranStore contract: what every sasaran store must do alike.

Every test runs once per store: the SQLite one, the DynamoDB one on moto, in
the records table that infra/bakso.yaml creates (moto's CloudFormation), and
the in-memory fake of tests/fakes.py.
No test may make the DynamoDB store Scan.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import aws_env
from bakso.adapters.local import SqliteSasaranStore
from bakso.domain.errors import Conflict, InvalidInput
from bakso.domain.sasaran import Followup, ImportResult, ImportRun, SasaranRow, row_deltas
from bakso.ports import ImportLineWrite, RowWrite, SasaranStore
from fakes import FakeSasaranStore

DESA_A, DESA_B, DESA_C = "52.03.01.2001", "52.03.02.2002", "52.03.01.2002"


@pytest.fixture(params=["local", "aws", "memory"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SasaranStore]:
    if request.param == "local":
        local = SqliteSasaranStore(tmp_path / "sasaran.sqlite3")
        yield local
        local.close()
    elif request.param == "aws":
        from bakso.adapters import aws

        with aws_env.moto_aws(monkeypatch):
            stack = aws_env.deploy_stack()
            with aws_env.dynamodb_operations() as operations:
                yield aws.build_sasaran_store(stack.config())
            assert operations["Scan"] == 0, f"the store scanned the table: {operations}"
    elif request.param == "memory":
        yield FakeSasaranStore()
    else:  # pragma: no cover - a new param without a branch here
        raise AssertionError(request.param)


def unrevised(stored: SasaranRow | None) -> SasaranRow | None:
    """The row as written, without the revision the store gave it (test_changes.py)."""
    return None if stored is None else replace(stored, revision=0)


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
    assert unrevised(store.get_row("r1")) == first
    with pytest.raises(Conflict):
        create(store, row("r1"))
    second = SasaranRow.from_record({**first.to_record(), "name": "Baru", "version": 2})
    store.save_row(RowWrite(second, 1, {}))
    with pytest.raises(Conflict):
        store.save_row(RowWrite(second, 1, {}))  # stale
    assert unrevised(store.get_row("r1")) == second
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
    assert unrevised(store.get_row("r1")) == after
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


def test_counters_upgrade_with_nothing_in_an_older_layout_is_done_at_once(store) -> None:
    create(store, row("r1"))
    before = store.counters("kabupaten", "52.03")
    assert store.upgrade_counters(limit=10) == (0, True)
    assert store.upgrade_counters(limit=10) == (0, True)
    assert store.counters("kabupaten", "52.03") == before == {"target": 1, "revision": 1}


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


def updated(before: SasaranRow, **changes: object) -> SasaranRow:
    return SasaranRow.from_record({**before.to_record(), **changes, "version": before.version + 1})


def test_a_nik_follows_its_row_when_the_row_changes_it(store) -> None:
    first = row("r1", key="ka")
    create(store, first)
    with_nik = updated(first, nik="1111")
    store.save_row(RowWrite(with_nik, 1, {}))
    assert store.find_by_niks(["1111"])["1111"].id == "r1"
    with pytest.raises(Conflict):
        create(store, row("r2", nik="1111"))
    moved = updated(with_nik, nik="2222")
    store.save_row(RowWrite(moved, 2, {}))
    assert set(store.find_by_niks(["1111", "2222"])) == {"2222"}
    create(store, row("r2", nik="1111"))  # the old NIK is free again
    assert store.find_by_niks(["1111"])["1111"].id == "r2"


def test_a_row_is_found_by_its_new_name_key_only(store) -> None:
    first = row("r1", key="ka")
    create(store, first)
    store.save_row(RowWrite(updated(first, name_key="kb"), 1, {}))
    assert {
        k: [r.id for r in rows] for k, rows in store.find_by_name_keys(["ka", "kb"]).items()
    } == {"kb": ["r1"]}


def test_an_update_taking_another_rows_nik_is_a_conflict_and_changes_nothing(store) -> None:
    create(store, row("r1", nik="1111"))
    second = row("r2")
    create(store, second)
    with pytest.raises(Conflict):
        store.save_row(RowWrite(updated(second, nik="1111", name="X"), 1, {DESA_A: {"x": 1}}))
    assert unrevised(store.get_row("r2")) == second
    assert "x" not in store.counters("desa", DESA_A)


def test_lookups_of_hundreds_of_keys_find_every_row(store) -> None:
    # More than one BatchGetItem (100 keys) on DynamoDB.
    lines = [
        ImportLineWrite(
            ImportResult("i1", 2 + i, "accepted", sasaran_id=f"r{i}"),
            RowWrite(new, 0, row_deltas(None, new)),
        )
        for i in range(130)
        for new in [row(f"r{i}", nik=f"{i:016d}", key=f"k{i % 65}")]
    ]
    store.apply_import_lines(lines)
    niks = [f"{i:016d}" for i in range(140)]
    assert sorted(store.find_by_niks(niks)) == niks[:130]
    by_key = store.find_by_name_keys([f"k{i}" for i in range(65)])
    assert sum(len(rows) for rows in by_key.values()) == 130
    assert [r.id for r in by_key["k0"]] == ["r0", "r65"]


def test_many_import_lines_count_once_each_and_repeat_safely(store) -> None:
    def line(i: int) -> ImportLineWrite:
        new = row(f"r{i}", desa=DESA_B if i % 3 else DESA_A, key=f"k{i % 40}")
        return ImportLineWrite(
            ImportResult("i1", 2 + i, "accepted", sasaran_id=new.id),
            RowWrite(new, 0, row_deltas(None, new)),
        )

    refused = [ImportLineWrite(ImportResult("i1", 2 + i, "refused", "BAD_NIK")) for i in (90, 91)]
    store.apply_import_lines([line(i) for i in range(30)])
    store.apply_import_lines([line(i) for i in range(90)] + refused)  # overlaps the first call
    results = store.import_results("i1", after_line=0, limit=200)
    assert [r.line for r in results] == list(range(2, 94))
    assert store.import_results("i1", after_line=50, limit=3)[0].line == 51
    assert store.counters("kabupaten", "52.03")["target"] == 90
    assert store.counters("desa", DESA_A)["target"] == 30
    assert store.counters("kecamatan", "52.03.02")["target"] == 60


def test_the_same_lines_applied_by_two_workers_at_once_count_once(store) -> None:
    lines = [
        ImportLineWrite(
            ImportResult("i1", 2 + i, "accepted", sasaran_id=f"r{i}"),
            RowWrite(new, 0, row_deltas(None, new)),
        )
        for i in range(40)
        for new in [row(f"r{i}", key=f"k{i}")]
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def apply() -> None:
        start.wait()
        try:
            store.apply_import_lines(lines)
        except Conflict:
            pass  # the service plans again and finds every line stored
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close = getattr(store, "close", None)
            if close:
                close()

    threads = [threading.Thread(target=apply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store.apply_import_lines(lines)  # what the service's retry does
    assert len(store.import_results("i1", after_line=0, limit=100)) == 40
    assert store.counters("desa", DESA_A)["target"] == 40


def test_followups_are_listed_in_the_order_they_were_recorded(store) -> None:
    current = row("r1")
    create(store, current)
    times = ["2026-01-03T00:00:00.000+00:00", "2026-01-02T00:00:00.000+00:00"]
    for number, at in enumerate(times, start=1):
        followup = Followup(f"f{number}", "r1", "DITEMUKAN", "", at, "op", at)
        after = updated(current, followup_count=number)
        assert store.record_followup(followup, RowWrite(after, current.version, {}))
        current = after
    assert [f.id for f in store.list_followups("r1")] == ["f2", "f1"]
    assert store.list_followups("r2") == []
    assert store.get_followup("nope") is None


def test_counters_that_return_to_zero_are_left_out(store) -> None:
    assert store.apply_once("a", {DESA_A: {"requests:DRAF": 1, "jemput_bola": 1}})
    assert store.apply_once("b", {DESA_A: {"requests:DRAF": -1, "requests:DIAJUKAN": 1}})
    assert store.counters("desa", DESA_A) == {"requests:DIAJUKAN": 1, "jemput_bola": 1}


def test_bad_cursor_is_invalid_input(store) -> None:
    with pytest.raises(InvalidInput):
        store.list_rows(DESA_A, cursor="%%%", limit=10)
    with pytest.raises(InvalidInput):
        store.list_rows(DESA_A, cursor=None, limit=0)


def test_desa_list_follows_a_row_that_is_renamed_or_moves_desa(store) -> None:
    first = row("r1", name="Budi")
    create(store, first)
    create(store, row("r2", name="Cici"))
    renamed = updated(first, name="Dedi")
    store.save_row(RowWrite(renamed, 1, {}))
    assert [r.name for r in store.list_rows(DESA_A, cursor=None, limit=10).items] == [
        "Cici",
        "Dedi",
    ]
    store.save_row(RowWrite(updated(renamed, desa=DESA_B), 2, {}))
    assert [r.id for r in store.list_rows(DESA_A, cursor=None, limit=10).items] == ["r2"]
    assert [r.id for r in store.list_rows(DESA_B, cursor=None, limit=10).items] == ["r1"]
    assert store.list_rows(DESA_B, cursor=None, limit=10).items[0].version == 3
