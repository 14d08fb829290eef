"""The NotificationLog contract (ports/notification_log.py), on every adapter set: a key
marked sent reads as sent until it expires, other keys never do, and the record holds the
key and times only (on DynamoDB in its own partition, with the TTL attribute)."""

from __future__ import annotations

from bakso.ports import Records
from contract.conftest import START, AdapterSet

KEY = "0b6f3e9a-2c1d-4e5f-8a7b-9c0d1e2f3a4b:7"
DAY = 86400.0


def test_a_marked_key_is_sent_until_it_expires(records: Records) -> None:
    assert not records.notification_sent(KEY, START)
    records.mark_notification_sent(KEY, START, START + 30 * DAY)

    assert records.notification_sent(KEY, START)
    assert records.notification_sent(KEY, START + 29 * DAY)
    assert not records.notification_sent(KEY, START + 31 * DAY)
    # The next version of the same request is another notification.
    assert not records.notification_sent(KEY[:-1] + "8", START)


def test_marking_a_key_again_keeps_it_sent(records: Records) -> None:
    records.mark_notification_sent(KEY, START, START + 30 * DAY)
    records.mark_notification_sent(KEY, START + 60, START + 30 * DAY + 60)
    assert records.notification_sent(KEY, START + 30 * DAY + 30)


def test_the_record_is_its_own_partition_holding_no_number_or_text(
    adapter_set: AdapterSet,
) -> None:
    records = adapter_set.records
    records.mark_notification_sent(KEY, START, START + 30 * DAY)
    if adapter_set.name == "aws":
        from bakso.adapters.aws import DynamoRecords

        assert isinstance(records, DynamoRecords)
        item = records.client.get_item(
            TableName=records.table, Key={"PK": {"S": f"NOTIFIED#{KEY}"}, "SK": {"S": "NOTIFIED"}}
        )["Item"]
        assert set(item) == {"PK", "SK", "sent_at", "expires_at"}  # expires_at: the table's TTL
        assert item["expires_at"]["N"] == str(int(START + 30 * DAY))
    elif adapter_set.name == "local":
        from bakso.adapters.local import SqliteRecords

        assert isinstance(records, SqliteRecords)
        columns = records._db.connection().execute("SELECT * FROM notifications_sent").description
        assert [c[0] for c in columns] == ["key", "sent_at", "expires_at"]
