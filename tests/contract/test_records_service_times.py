"""The ServiceTimeStore contract (ports/service_times.py), on every adapter set: a move is
counted once per (request, status) whatever the replays, a day's read gives each desa's
two histograms, and on DynamoDB the counts sit in a kabupaten-day partition."""

from __future__ import annotations

from datetime import UTC, datetime

from bakso.domain.service_times import DayCounts
from bakso.ports import Records
from contract.conftest import AdapterSet

KAB = "52.03"
DESA_1, DESA_2 = "52.03.01.2001", "52.03.02.2002"
ID = "0b6f3e9a-2c1d-4e5f-8a7b-9c0d1e2f3a4b"


def test_a_move_counts_once_however_often_it_is_replayed(records: Records) -> None:
    assert records.count_service_time(ID, "SELESAI", KAB, DESA_1, "2026-11-02", 4)
    assert not records.count_service_time(ID, "SELESAI", KAB, DESA_1, "2026-11-02", 4)
    # A replay naming another day or span (a later correction) still does not count.
    assert not records.count_service_time(ID, "SELESAI", KAB, DESA_1, "2026-11-03", 5)
    # The same request's handover is another count.
    assert records.count_service_time(ID, "DISERAHKAN", KAB, DESA_1, "2026-11-02", 6)

    assert records.service_time_day(KAB, "2026-11-02") == [
        DayCounts(DESA_1, "2026-11-02", {4: 1}, {6: 1})
    ]
    assert records.service_time_day(KAB, "2026-11-03") == []


def test_a_day_holds_each_desa_histograms_and_nothing_of_other_days(records: Records) -> None:
    for n, (desa, days) in enumerate([(DESA_2, 3), (DESA_1, 3), (DESA_1, 0), (DESA_1, 3)]):
        assert records.count_service_time(f"r{n}", "SELESAI", KAB, desa, "2026-11-02", days)
    records.count_service_time("r9", "SELESAI", KAB, DESA_1, "2026-11-01", 9)
    records.count_service_time("r8", "SELESAI", "52.04", "52.04.01.2001", "2026-11-02", 9)

    assert records.service_time_day(KAB, "2026-11-02") == [
        DayCounts(DESA_1, "2026-11-02", {0: 1, 3: 2}, {}),
        DayCounts(DESA_2, "2026-11-02", {3: 1}, {}),
    ]


def test_on_dynamodb_the_counts_are_keyed_by_kabupaten_day_and_desa(
    adapter_set: AdapterSet,
) -> None:
    records = adapter_set.records
    records.count_service_time(ID, "SELESAI", KAB, DESA_1, "2026-11-02", 4)
    if adapter_set.name != "aws":
        return
    from bakso.adapters.aws import DynamoRecords

    assert isinstance(records, DynamoRecords)
    item = records.client.get_item(
        TableName=records.table,
        Key={"PK": {"S": f"STIMES#{KAB}#2026-11-02"}, "SK": {"S": f"DESA#{DESA_1}"}},
    )["Item"]
    assert item["st_s4"] == {"N": "1"}
    # Named so no index picks the item up (the request lists key on `desa`).
    assert "desa" not in item and "kind" not in item
    marker = records.client.get_item(
        TableName=records.table, Key={"PK": {"S": f"STCOUNTED#{ID}"}, "SK": {"S": "SELESAI"}}
    )["Item"]
    # Both go a week after the day leaves the page's 90 days: 2026-11-02 + 97 days is
    # 2027-02-07, 00:00 UTC (the table's TTL attribute; the stack enables it).
    gone = str(int(datetime(2027, 2, 7, tzinfo=UTC).timestamp()))
    assert item["expires_at"] == {"N": gone} and marker["expires_at"] == {"N": gone}
