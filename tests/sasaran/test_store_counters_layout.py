"""Coverage counters on DynamoDB (moto): a partition per desa, summed on read (issue #16).

A botocore hook records the key of every item each write touches: counter
writes of two desa share no partition key, and nothing writes the constant
partitions of the layout before #16 (`COUNTERS#desa`, `#kecamatan`,
`#kabupaten`). The upgrade from that layout keeps every figure, the desa's
revision and tombstone floor, while it runs and after.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

import aws_env
from bakso.adapters.aws import DynamoSasaranStore
from bakso.domain.sasaran import SasaranRow, merge_counters, row_deltas
from bakso.ports import RowWrite
from sasaran.test_store import DESA_A, DESA_B, DESA_C, create, row

LEGACY = {"COUNTERS#desa", "COUNTERS#kecamatan", "COUNTERS#kabupaten"}


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoSasaranStore]:
    from bakso.adapters import aws

    with aws_env.moto_aws(monkeypatch):
        stack = aws_env.deploy_stack()
        yield aws.build_sasaran_store(stack.config())


def written_keys(store: DynamoSasaranStore) -> list[tuple[str, str]]:
    """(PK, SK) of every item the store's writes touch from now on, in order."""
    keys: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        ops: list[dict[str, Any]] = []
        if model.name == "TransactWriteItems":
            for item in params["TransactItems"]:
                ops.extend(body for kind, body in item.items() if kind != "ConditionCheck")
        elif model.name in ("PutItem", "UpdateItem", "DeleteItem"):
            ops.append(params)
        for op in ops:
            key = op.get("Item") or op["Key"]
            keys.append((key["PK"]["S"], key["SK"]["S"]))

    store.client.meta.events.register("before-parameter-build.dynamodb", record)
    return keys


def counter_pks(keys: list[tuple[str, str]]) -> set[str]:
    return {pk for pk, _ in keys if pk.startswith("COUNTERS#")}


def put_legacy(store: DynamoSasaranStore, level: str, code: str, **values: int) -> None:
    item: dict[str, Any] = {"PK": {"S": f"COUNTERS#{level}"}, "SK": {"S": code}}
    for name, value in values.items():
        attribute = "tombstone_floor" if name == "floor" else "c:" + name.replace("__", ":")
        item[attribute] = {"N": str(value)}
    store.client.put_item(TableName=store.table, Item=item)


def test_counter_writes_of_two_desa_touch_two_partitions_and_no_constant_one(store) -> None:
    keys = written_keys(store)
    create(store, row("a1", desa=DESA_A))
    in_a = counter_pks(keys)
    keys.clear()
    create(store, row("b1", desa=DESA_B))
    in_b = counter_pks(keys)
    keys.clear()
    assert store.apply_once("request:x:1", {DESA_A: {"requests:DRAF": 1}})
    status_a = counter_pks(keys)
    keys.clear()
    assert store.apply_once("request:y:1", {DESA_B: {"requests:DIAJUKAN": 1}})
    status_b = counter_pks(keys)
    assert in_a == status_a == {f"COUNTERS#{DESA_A}"}
    assert in_b == status_b == {f"COUNTERS#{DESA_B}"}
    assert not counter_pks(keys) & LEGACY
    # A row moved to another desa: the partitions of the two desa only.
    keys.clear()
    moved = replace(row("a1", desa=DESA_C), version=2)
    stored = store.get_row("a1")
    assert stored is not None
    store.save_row(RowWrite(moved, 1, row_deltas(stored, moved)))
    assert counter_pks(keys) == {f"COUNTERS#{DESA_A}", f"COUNTERS#{DESA_C}"}


def test_kecamatan_and_kabupaten_are_the_sums_of_their_desa(store) -> None:
    create(store, row("r1", desa=DESA_A))
    create(store, row("r2", desa=DESA_C, category="LANSIA"))
    create(store, row("r3", desa=DESA_B))
    store.apply_once("request:x:1", {DESA_B: {"requests:DRAF": 1, "jemput_bola": 1}})
    desa = store.counters_under("desa", "52.03.")
    assert sorted(desa) == sorted([DESA_A, DESA_B, DESA_C])
    for kecamatan in ("52.03.01", "52.03.02"):
        mine = [c for code, c in desa.items() if code.startswith(kecamatan + ".")]
        assert store.counters("kecamatan", kecamatan) == merge_counters(mine)
        assert store.counters_under("kecamatan", "52.03.")[kecamatan] == merge_counters(mine)
    whole = store.counters("kabupaten", "52.03")
    assert whole == merge_counters(desa.values())
    assert (whole["target"], whole["requests:DRAF"], whole["rentan:LANSIA:target"]) == (3, 1, 1)
    assert store.counters_under("kabupaten", "52.") == {"52.03": whole}


def test_counters_in_the_old_layout_read_the_same_through_the_upgrade(store) -> None:
    # As the store before #16 left them: every desa in COUNTERS#desa, and the sums.
    dwell = {f"dwell__DIAJUKAN__{d}": 1 for d in range(150)}  # more than one move's worth
    put_legacy(store, "desa", DESA_A, target=5, served=2, revision=7, floor=3)
    put_legacy(store, "desa", DESA_B, target=1, revision=1, **dwell)
    put_legacy(store, "kecamatan", "52.03.01", target=5, served=2, revision=7)
    put_legacy(store, "kecamatan", "52.03.02", target=1, revision=1, **dwell)
    put_legacy(store, "kabupaten", "52.03", target=6, served=2, revision=8, **dwell)
    keys = written_keys(store)

    # Upgraded code runs before the backfill: a write goes on from the old revision.
    create(store, row("a1", desa=DESA_A))
    written = store.get_row("a1")
    assert written is not None and written.revision == 8
    assert store.apply_once("request:x:1", {DESA_B: {"requests:DRAF": 1}})
    assert not counter_pks(keys) & LEGACY

    def figures() -> tuple[object, ...]:
        changes = store.changes(DESA_A, since=3, cursor=None, limit=10)
        assert changes is not None and store.changes(DESA_A, since=2, cursor=None, limit=10) is None
        return (
            store.counters("desa", DESA_A),
            store.counters_under("desa", "52.03."),
            store.counters_under("kecamatan", "52.03."),
            store.counters("kabupaten", "52.03"),
            changes.revision,
            [r.id for r in changes.rows],
        )

    before = figures()
    assert before[0] == {"target": 6, "served": 2, "revision": 8}
    assert before[3]["target"] == 7 and before[3]["dwell:DIAJUKAN:149"] == 1
    assert before[4] == 8

    moved, done = store.upgrade_counters(limit=1)  # paged: one item a call
    assert (moved, done) == (1, False)
    assert figures() == before
    total = moved
    while not done:
        moved, done = store.upgrade_counters(limit=2)
        total += moved
    assert total == 5
    assert figures() == before
    assert store.upgrade_counters(limit=100) == (0, True)  # idempotent
    assert figures() == before
    for level, code in (("desa", DESA_A), ("kecamatan", "52.03.01"), ("kabupaten", "52.03")):
        old = store.client.get_item(
            TableName=store.table, Key={"PK": {"S": f"COUNTERS#{level}"}, "SK": {"S": code}}
        )
        assert "Item" not in old

    # After it, revisions go on from where they were, in the desa's own item.
    create(store, row("a2", desa=DESA_A))
    after = store.get_row("a2")
    assert after is not None and after.revision == 9
    assert store.counters("desa", DESA_A)["target"] == 7


def test_a_write_decided_before_a_move_decides_again_after_it(store) -> None:
    put_legacy(store, "desa", DESA_A, target=5, revision=7)
    stale = store._revisions([DESA_A])  # what a writer read before the backfill ran
    assert store.upgrade_counters(limit=100) == (1, True)
    fresh = SasaranRow.from_record({**row("a1").to_record()})

    # The write built on the stale revisions is refused by the moved item's revision;
    # _transact_revised builds it again on fresh ones.
    calls: list[int] = []
    real = store._revisions

    def revisions_once_stale(desas: Any) -> Any:
        calls.append(1)
        return stale if len(calls) == 1 else real(desas)

    store._revisions = revisions_once_stale  # type: ignore[method-assign]
    create(store, fresh)
    assert len(calls) == 2
    written = store.get_row("a1")
    assert written is not None and written.revision == 8


def test_the_backfill_command_moves_old_counters_and_says_when_it_is_done(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from bakso.cli import main
    from bakso.config import AwsConfig

    monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAKSO_SECRET_KEY", "test-secret-key")
    with aws_env.aws_app_settings(monkeypatch) as operations:
        import boto3

        client = boto3.client("dynamodb", region_name=AwsConfig.AWS_REGION)
        for code in (DESA_A, DESA_C):
            client.put_item(
                TableName=AwsConfig.TABLE_NAME,
                Item={"PK": {"S": "COUNTERS#desa"}, "SK": {"S": code}, "c:target": {"N": "2"}},
            )
        runner = CliRunner()
        result = runner.invoke(main, ["sasaran", "counters-backfill", "--pages", "1"])
        assert result.exit_code == 0, result.output
        assert "2 item penghitung dipindahkan." in result.output
        assert "Selesai" in result.output
        again = runner.invoke(main, ["sasaran", "counters-backfill"])
        assert "0 item penghitung dipindahkan." in again.output and "Selesai" in again.output
        moved = client.get_item(
            TableName=AwsConfig.TABLE_NAME,
            Key={"PK": {"S": f"COUNTERS#{DESA_A}"}, "SK": {"S": "COUNTERS"}},
            ConsistentRead=True,
        )
        assert moved["Item"]["c:target"] == {"N": "2"}
        assert operations["Scan"] == 0
