"""The keyed audit chain on every adapter set: what someone who can write the table can try.

Each test tampers with the stored rows the way an attacker with write access to
the table (SQLite file, DynamoDB table, the fake's memory) could, without the
audit key, and checks that `AuditService.verify` names what was done.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bakso.domain.audit_chain import AuditHead, AuditKeys
from bakso.domain.errors import StoreUnavailable
from bakso.domain.model import AuditEntry, Role, User, audit_hash
from bakso.ports import Records
from bakso.services.audit import HEAD_FORGED, HEAD_MISSING, LINK, MISSING, WIPED, AuditService

if TYPE_CHECKING:
    from conftest import AdapterSet

KEYS = AuditKeys.from_settings(None)  # what every set uses when given no keys
LT = "52.03"  # the default kabupaten's chain (the packaged default): the log from before #16
SB = "52.04"  # Sumbawa's


class Table:
    """Raw writes to the stored audit rows and heads of one adapter set, behind its back."""

    def __init__(self, adapter_set: AdapterSet, tmp_path: Path) -> None:
        self.kind = adapter_set.name
        self.records: Any = adapter_set.records
        self.path = tmp_path / "records.sqlite3"
        self.legacy = False  # on DynamoDB: the log from before #16, in partition AUDIT

    def _sql(self, sql: str, *params: Any) -> None:
        db = sqlite3.connect(self.path)
        with db:
            db.execute(sql, params)
        db.close()

    @staticmethod
    def _stored(chain: str) -> str:
        return "" if chain == LT else chain  # SQLite keeps the default's rows under ''

    def _key(self, seq: int | None, chain: str = LT) -> dict[str, Any]:
        sk = "HEAD" if seq is None else f"ENTRY#{seq:012d}"
        pk = "AUDIT" if chain == LT and self.legacy else f"AUDIT#{chain}"
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    def delete(self, seq: int, chain: str = LT) -> None:
        if self.kind == "local":
            self._sql("DELETE FROM audit WHERE chain = ? AND seq = ?", self._stored(chain), seq)
        elif self.kind == "aws":
            self.records.client.delete_item(TableName=self.records.table, Key=self._key(seq, chain))
        else:
            rows = self.records._audit[chain]
            rows[:] = [e for e in rows if e.seq != seq]

    def delete_head(self, chain: str = LT) -> None:
        if self.kind == "local":
            self._sql("DELETE FROM audit_head WHERE chain = ?", self._stored(chain))
        elif self.kind == "aws":
            self.records.client.delete_item(
                TableName=self.records.table, Key=self._key(None, chain)
            )
        else:
            self.records._audit_head.pop(chain, None)

    def put_head(self, head: AuditHead, chain: str = LT) -> None:
        if self.kind == "local":
            self._sql(
                "INSERT OR REPLACE INTO audit_head (chain, seq, link, key_id, mac)"
                " VALUES (?, ?, ?, ?, ?)",
                self._stored(chain),
                head.length,
                head.link,
                head.key_id,
                head.mac,
            )
        elif self.kind == "aws":
            item = {
                **self._key(None, chain),
                "seq": {"N": str(head.length)},
                "hash": {"S": head.link},
                "key_id": {"S": head.key_id},
                "mac": {"S": head.mac},
            }
            self.records.client.put_item(TableName=self.records.table, Item=item)
        else:
            self.records._audit_head[chain] = dataclasses.replace(head, chain=chain)

    def rewrite(self, entry: AuditEntry) -> None:
        """Replace the stored row of `entry.seq` in `entry.chain` by `entry`."""
        chain = entry.chain or LT
        if self.kind == "local":
            self._sql(
                "UPDATE audit SET actor = ?, data = ?, prev_hash = ?, hash = ?, key_id = ?"
                " WHERE chain = ? AND seq = ?",
                entry.actor,
                _json(entry.data),
                entry.prev_hash,
                entry.hash,
                entry.key_id,
                self._stored(chain),
                entry.seq,
            )
        elif self.kind == "aws":
            self.records.client.update_item(
                TableName=self.records.table,
                Key=self._key(entry.seq, chain),
                UpdateExpression="SET actor = :a, #d = :d, prev_hash = :p, #h = :h, key_id = :k",
                ExpressionAttributeNames={"#d": "data", "#h": "hash"},
                ExpressionAttributeValues={
                    ":a": {"S": entry.actor},
                    ":d": {"S": _json(entry.data)},
                    ":p": {"S": entry.prev_hash},
                    ":h": {"S": entry.hash},
                    ":k": {"S": entry.key_id},
                },
            )
        else:
            log = self.records._audit[chain]
            log[[e.seq for e in log].index(entry.seq)] = dataclasses.replace(entry, chain=chain)

    def put_legacy(self, entries: list[AuditEntry]) -> None:
        """The log as the unkeyed code left it: rows without key_id; on DynamoDB, HEAD unsealed
        (and in partition AUDIT, as before #16)."""
        self.legacy = True
        for e in entries:
            if self.kind == "local":
                self._sql(
                    "INSERT INTO audit (seq, at, actor, action, target, data, prev_hash, hash)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    e.seq,
                    e.at,
                    e.actor,
                    e.action,
                    e.target,
                    _json(e.data),
                    e.prev_hash,
                    e.hash,
                )
            elif self.kind == "aws":
                item = {
                    **self._key(e.seq),
                    "seq": {"N": str(e.seq)},
                    **{
                        name: {"S": value}
                        for name, value in (
                            ("at", e.at),
                            ("actor", e.actor),
                            ("action", e.action),
                            ("target", e.target),
                            ("data", _json(e.data)),
                            ("prev_hash", e.prev_hash),
                            ("hash", e.hash),
                            ("audit_target", e.target),
                            ("audit_actor", e.actor),
                        )
                    },
                }
                self.records.client.put_item(TableName=self.records.table, Item=item)
            else:
                self.records._audit.setdefault(LT, []).append(dataclasses.replace(e, chain=LT))
        if self.kind == "aws":
            head = {**self._key(None), "seq": {"N": str(entries[-1].seq)}}
            head["hash"] = {"S": entries[-1].hash}
            self.records.client.put_item(TableName=self.records.table, Item=head)

    def with_keys(self, keys: AuditKeys) -> Records:
        """The same stored log, through a store holding `keys` (a restart with new settings)."""
        if self.kind == "local":
            from bakso.adapters.local import SqliteRecords

            return SqliteRecords(self.path, keys)
        if self.kind == "aws":
            from bakso.adapters.aws import DynamoRecords

            return DynamoRecords(self.records.client, self.records.table, keys)
        self.records.audit_keys = keys
        return self.records  # type: ignore[no-any-return]


def _legacy(count: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = "0" * 64
    for n in range(1, count + 1):
        data = {"n": n}
        digest = audit_hash(n, _at(n), "admin", "user.create", f"u{n}", data, prev)
        entries.append(AuditEntry(n, _at(n), "admin", "user.create", f"u{n}", data, prev, digest))
        prev = digest
    return entries


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@pytest.fixture
def table(adapter_set: AdapterSet, tmp_path: Path) -> Table:
    return Table(adapter_set, tmp_path)


def _at(n: int) -> str:
    return f"2026-03-01T08:{n // 60:02d}:{n % 60:02d}Z"


def fill(records: Records, count: int, chain: str = LT) -> list[AuditEntry]:
    for n in range(1, count + 1):
        records.append_audit(
            chain=chain,
            at=_at(n),
            actor="admin",
            action="user.create",
            target=f"u{n}",
            data={"n": n},
        )
    return records.audit_entries(limit=10_000, chain=chain)


def verify(records: Records, chain: str = LT) -> Any:
    return AuditService(records, KEYS, page_size=4).verify(chain)


def test_entries_are_keyed_and_the_head_is_sealed_apart(records: Records) -> None:
    entries = fill(records, 6)
    assert {e.key_id for e in entries} == {KEYS.key_id}
    head = records.audit_head()
    assert head == KEYS.seal(6, entries[-1].hash, chain=LT)
    # The link is not the unkeyed SHA-256 anyone could recompute.
    e = entries[0]
    assert e.hash != audit_hash(e.seq, e.at, e.actor, e.action, e.target, e.data, e.prev_hash)
    check = verify(records)
    assert (check.problem, check.checked, check.recorded) == (None, 6, 6)


def test_an_empty_log_has_no_head_and_holds(records: Records) -> None:
    assert records.audit_head() is None
    check = verify(records)
    assert (check.problem, check.checked) == (None, 0)


def test_a_log_wiped_whole_with_its_head_is_detected_once_accounts_exist(
    records: Records, table: Table
) -> None:
    """Deleting every row and the head looked like a new log (the #13 review)."""
    records.save_user(User("admin", Role.ADMIN, None, "hash"))
    fill(records, 5)
    for seq in range(1, 6):
        table.delete(seq)
    table.delete_head()

    check = AuditService(records, KEYS, page_size=4, users=records).verify()

    assert (check.problem, check.checked) == (WIPED, 0)


@pytest.mark.parametrize("kept", [0, 3, 9])
def test_truncation_after_entry_k_is_detected(records: Records, table: Table, kept: int) -> None:
    fill(records, 10)
    for seq in range(kept + 1, 11):
        table.delete(seq)

    check = verify(records)

    assert (check.problem, check.checked, check.recorded, check.broken) == (
        MISSING,
        kept,
        10,
        kept + 1,
    )


def test_a_deleted_middle_row_names_the_first_broken_link(records: Records, table: Table) -> None:
    fill(records, 10)
    table.delete(6)
    check = verify(records)
    assert (check.problem, check.broken, check.checked) == (LINK, 6, 5)


def test_a_rewritten_row_with_a_recomputed_unkeyed_hash_is_detected(
    records: Records, table: Table
) -> None:
    entries = fill(records, 8)
    # Entry 4 rewritten, and it and every later link recomputed the old, unkeyed way.
    prev = entries[2].hash
    for entry in entries[3:]:
        forged = dataclasses.replace(
            entry, actor="someone" if entry.seq == 4 else entry.actor, prev_hash=prev
        )
        digest = audit_hash(
            forged.seq, forged.at, forged.actor, forged.action, forged.target, forged.data, prev
        )
        forged = dataclasses.replace(forged, hash=digest)
        table.rewrite(forged)
        prev = digest
    check = verify(records)
    assert (check.problem, check.broken, check.checked) == (LINK, 4, 3)


def test_a_head_rewritten_to_match_a_truncation_is_detected(records: Records, table: Table) -> None:
    entries = fill(records, 8)
    head = records.audit_head()
    assert head is not None
    for seq in (6, 7, 8):
        table.delete(seq)
    # Without the key the attacker can only move the numbers, not the seal.
    table.put_head(dataclasses.replace(head, length=5, link=entries[4].hash))
    assert verify(records).problem == HEAD_FORGED
    with pytest.raises(StoreUnavailable):  # nothing is chained onto a head we did not seal
        records.append_audit(chain=LT, at=_at(99), actor="admin", action="x", target="t", data={})


def test_deleting_the_head_with_the_rows_is_detected_and_never_rebuilt(
    records: Records, table: Table
) -> None:
    fill(records, 8)
    for seq in (7, 8):
        table.delete(seq)
    table.delete_head()
    check = verify(records)
    assert (check.problem, check.checked) == (HEAD_MISSING, 6)
    # An append does not make a new head from what is left: that would bless the cut.
    with pytest.raises(StoreUnavailable):
        records.append_audit(chain=LT, at=_at(99), actor="admin", action="x", target="t", data={})
    assert verify(records).problem == HEAD_MISSING


def test_appends_go_on_from_the_head(records: Records) -> None:
    fill(records, 3)
    entry = records.append_audit(
        chain=LT, at=_at(4), actor="admin", action="x", target="t", data={}
    )
    assert entry.seq == 4 and entry.key_id == KEYS.key_id
    assert records.audit_head() == KEYS.seal(4, entry.hash, chain=LT)
    assert verify(records).problem is None


def test_one_append_is_one_write_of_the_entry_and_the_head_on_dynamodb(
    adapter_set: AdapterSet,
) -> None:
    # The HEAD item is a hot key (#16): the seal rides in the write it always had.
    if adapter_set.name != "aws":
        pytest.skip("counts DynamoDB calls")
    records: Any = adapter_set.records
    fill(records, 1)
    calls: list[tuple[str, int]] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        calls.append(("TransactWriteItems", len(params.get("TransactItems", []))))

    def other(event_name: str, **_: Any) -> None:
        calls.append((event_name.rsplit(".", 1)[-1], 0))

    events = records.client.meta.events
    events.register("provide-client-params.dynamodb.TransactWriteItems", count)
    events.register("provide-client-params.dynamodb.GetItem", other)
    records.append_audit(chain=LT, at=_at(2), actor="admin", action="x", target="t", data={})
    events.unregister("provide-client-params.dynamodb.TransactWriteItems", count)
    events.unregister("provide-client-params.dynamodb.GetItem", other)
    assert calls == [("GetItem", 0), ("TransactWriteItems", 2)]


def test_a_legacy_log_is_extended_after_the_cut_over_set_in_configuration(
    records: Records, table: Table
) -> None:
    table.put_legacy(_legacy(3))
    # Not told where the unkeyed entries end: nothing is built on them.
    with pytest.raises(StoreUnavailable):
        records.append_audit(chain=LT, at=_at(4), actor="admin", action="x", target="t", data={})
    assert verify(records).broken == 1

    keys = AuditKeys(KEYS.current, legacy_until=3)
    upgraded = table.with_keys(keys)
    assert AuditService(upgraded, keys).verify().problem is None  # at the cut-over, no head yet
    entry = upgraded.append_audit(
        chain=LT, at=_at(4), actor="admin", action="x", target="t", data={}
    )

    assert (entry.seq, entry.prev_hash, entry.key_id) == (4, _legacy(3)[-1].hash, keys.key_id)
    check = AuditService(upgraded, keys).verify()
    assert (check.problem, check.checked, check.legacy, check.recorded) == (None, 4, 3, 4)
    # Legacy rows rewritten after the cut-over, rehashed the old way to stay consistent
    # among themselves: the first keyed entry covers entry 3's hash, so it breaks there.
    prev = _legacy(1)[0].hash
    for old in _legacy(3)[1:]:
        e = dataclasses.replace(old, actor="someone", prev_hash=prev)
        e = dataclasses.replace(
            e, hash=audit_hash(e.seq, e.at, e.actor, e.action, e.target, e.data, prev)
        )
        table.rewrite(e)
        prev = e.hash
    check = AuditService(upgraded, keys).verify()
    assert (check.problem, check.broken) == (LINK, 4)


# One chain per kabupaten (#16) -------------------------------------------------------


def _interleave(records: Records, count: int) -> None:
    """Entries of Lombok Timur and Sumbawa, alternating, with the same target and actor."""
    for n in range(1, count + 1):
        for chain in (LT, SB):
            records.append_audit(
                chain=chain,
                at=_at(n),
                actor="system",
                action="x",
                target="t",
                data={"chain": chain, "n": n},
            )


def test_two_chains_interleaved_keep_their_own_seq_and_each_verifies(records: Records) -> None:
    _interleave(records, 5)

    for chain in (LT, SB):
        entries = records.audit_entries(chain=chain)
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert {e.data["chain"] for e in entries} == {chain}
        assert {e.chain for e in entries} == {chain}
        head = records.audit_head(chain)
        assert head is not None and head.length == 5 and head.chain == chain
        assert verify(records, chain).problem is None
    both = AuditService(records, KEYS, chains=[LT, SB]).verify_all()
    assert [(c.chain, c.problem, c.checked) for c in both] == [(LT, None, 5), (SB, None, 5)]
    assert records.audit_entries() == records.audit_entries(chain=LT)  # "" is the default's


def test_a_search_never_leaves_its_chain(records: Records) -> None:
    _interleave(records, 4)

    def search(**filters: Any) -> set[str]:
        found = records.audit_search(
            **{"target": None, "actor": None, "since": None, "until": None, "before_seq": None}
            | filters,
            limit=50,
            chain=SB,
        )
        return {e.data["chain"] for e in found}

    assert search() == {SB}
    assert search(target="t") == {SB}
    assert search(actor="system") == {SB}  # the worker writes to every chain
    assert search(since="2026-03-01") == {SB}
    assert search(target="t", since="2026-03-01", before_seq=3) == {SB}
    assert search(actor="system", until="2026-04-01", before_seq=3) == {SB}
    assert [e.seq for e in records.audit_search(**_none(), before_seq=3, limit=9, chain=SB)] == [
        2,
        1,
    ]


def _none() -> dict[str, Any]:
    return {"target": None, "actor": None, "since": None, "until": None}


def test_tampering_with_one_chain_breaks_only_that_chain(records: Records, table: Table) -> None:
    _interleave(records, 6)
    entry = records.audit_entries(chain=SB)[2]
    table.rewrite(dataclasses.replace(entry, actor="someone"))

    assert verify(records, LT).problem is None
    check = verify(records, SB)
    assert (check.problem, check.broken, check.chain) == (LINK, 3, SB)
    both = AuditService(records, KEYS, chains=[LT, SB]).verify_all()
    assert [(c.chain, c.problem) for c in both] == [(LT, None), (SB, LINK)]
    # Lombok Timur's chain goes on; Sumbawa's head still holds, so appends go on there too.
    records.append_audit(chain=LT, at=_at(99), actor="admin", action="x", target="t", data={})


def test_a_head_moved_to_another_chain_does_not_hold_there(records: Records, table: Table) -> None:
    """Sumbawa's rows and head replaced by a copy of Lombok Timur's (no key needed to copy)."""
    fill(records, 3, LT)
    fill(records, 5, SB)
    lt_head = records.audit_head(LT)
    assert lt_head is not None
    for seq in (4, 5):
        table.delete(seq, SB)
    for entry in records.audit_entries(chain=LT):
        table.rewrite(dataclasses.replace(entry, chain=SB))
    table.put_head(lt_head, SB)

    assert verify(records, SB).problem == HEAD_FORGED
    with pytest.raises(StoreUnavailable):
        records.append_audit(chain=SB, at=_at(99), actor="admin", action="x", target="t", data={})
    assert verify(records, LT).problem is None


def test_a_head_sealed_before_chains_had_names_holds_for_the_default_chain_only(
    records: Records, table: Table
) -> None:
    """The head of #13 (no chain in its seal) is the default kabupaten's, until its next append."""
    entries = {chain: fill(records, 3, chain) for chain in (LT, SB)}
    for chain in (LT, SB):
        last = entries[chain][-1].hash
        unnamed = KEYS._mac(KEYS.key_id, ["bakso.audit.head.v1", 3, last, KEYS.key_id])
        assert unnamed is not None
        table.put_head(AuditHead(3, last, KEYS.key_id, unnamed), chain)

    assert verify(records, LT).problem is None
    entry = records.append_audit(
        chain=LT, at=_at(9), actor="admin", action="x", target="t", data={}
    )
    assert entry.seq == 4 and records.audit_head(LT) == KEYS.seal(4, entry.hash, chain=LT)
    assert verify(records, SB).problem == HEAD_FORGED


def test_appends_to_two_chains_advance_two_head_items_on_dynamodb(
    adapter_set: AdapterSet,
) -> None:
    """No head every audited write shares (#16): each kabupaten's HEAD is its own item."""
    if adapter_set.name != "aws":
        pytest.skip("reads DynamoDB's calls")
    records: Any = adapter_set.records
    heads: list[str] = []

    def written(params: dict[str, Any], **_: Any) -> None:
        for item in params.get("TransactItems", []):
            put = item.get("Put", {}).get("Item", {})
            if put.get("SK", {}).get("S") == "HEAD":
                heads.append(put["PK"]["S"])

    events = records.client.meta.events
    events.register("provide-client-params.dynamodb.TransactWriteItems", written)
    try:
        _interleave(records, 2)
    finally:
        events.unregister("provide-client-params.dynamodb.TransactWriteItems", written)
    assert heads == ["AUDIT#52.03", "AUDIT#52.04"] * 2
    # The other chain's entries are in its own partition and time-index partition.
    item = records.client.get_item(
        TableName=records.table,
        Key={"PK": {"S": "AUDIT#52.04"}, "SK": {"S": "ENTRY#000000000001"}},
    )["Item"]
    assert (item["kind"]["S"], item["audit_target"]["S"], item["audit_actor"]["S"]) == (
        "audit#52.04",
        "52.04#t",
        "52.04#system",
    )


def test_the_log_from_before_the_chains_per_kabupaten_is_moved_while_it_grows(
    adapter_set: AdapterSet, records: Records, table: Table
) -> None:
    """DynamoDB's partition AUDIT becomes AUDIT#52.03 (`bakso audit move-legacy`); the
    other sets keep their rows where they are. Appends go on before, during and after."""
    table.put_legacy(_legacy(3))
    keys = AuditKeys(KEYS.current, legacy_until=3)
    store: Any = table.with_keys(keys)
    service = AuditService(store, keys, page_size=2)
    store.append_audit(chain=LT, at=_at(4), actor="admin", action="x", target="t", data={})

    moved, done = service.move_legacy(pages=1)  # two entries copied, not yet switched
    aws = adapter_set.name == "aws"
    assert (moved, done) == ((2, False) if aws else (0, True))
    store.append_audit(chain=LT, at=_at(5), actor="admin", action="x", target="t", data={})
    while not done:
        _, done = service.move_legacy(pages=1)
    store.append_audit(chain=LT, at=_at(6), actor="admin", action="x", target="t", data={})

    check = service.verify(LT)
    assert (check.problem, check.checked, check.legacy) == (None, 6, 3)
    assert [e.seq for e in store.audit_entries(chain=LT)] == [1, 2, 3, 4, 5, 6]
    search = {"actor": None, "since": None, "until": None, "before_seq": None, "limit": 9}
    found = store.audit_search(target="t", **search, chain=LT)
    assert [e.seq for e in found] == [6, 5, 4]
    by_time = store.audit_search(**{**search, "since": "2026-03-01"}, target=None, chain=LT)
    assert [e.seq for e in by_time] == [6, 5, 4, 3, 2, 1]
    if aws:
        left = store.client.query(
            TableName=store.table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "AUDIT"}},
        )["Items"]
        assert left == []
        # A process that never saw the move finds the chain where it is now.
        fresh = table.with_keys(keys)
        assert AuditService(fresh, keys).verify(LT).problem is None
