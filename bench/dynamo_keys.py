"""DynamoDB operations per partition key and per index, counted under moto (bench/load.py).

moto's speed says nothing about DynamoDB; its counts do. Every DynamoDB request the app
sends is seen at moto's door (BotocoreStubber.process_request, where tests/aws_env.py
already serves one request at a time): reads are counted on the key or index partition
they name (GetItem's Key, a Query's hash-key value, BatchGetItem's keys); writes on the
item they write (Put/Update/Delete, TransactWriteItems, BatchWriteItem), and on every
index partition the write changes, found by comparing the item before and after the write
in moto's own table, with DynamoDB's rules: an index entry whose key changes is a delete
from the old partition and a put into the new one; one whose key stays is one write.

Units: a write costs ceil(item KB) WCU, twice in a transaction (a ConditionCheck too), an
index write once; a read ceil(KB / 4) RCU, half when eventually consistent (item sizes are
moto's own estimate; a Query's, the size of the JSON it returned).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

BASE = "(table)"  # the index name of the base table's partitions
READ_OPS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems", "Scan"}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
_HASH_CONDITION = re.compile(r"^\s*\(?\s*(#?[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)")
_LONG_ID = re.compile(r"[0-9a-fA-F-]{16,}|[A-Za-z0-9_-]{24,}")


def masked(key: str) -> str:
    """A key fit to print: long ids and tokens (sessions, status tokens, NIK hashes) cut."""
    return _LONG_ID.sub(lambda m: m.group(0)[:6] + "…", key)


@dataclass
class KeyCounts:
    """What the app asked of DynamoDB: (index, partition key) → units and operations."""

    operations: Counter[str] = field(default_factory=Counter)
    write_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    read_units: Counter[tuple[str, str]] = field(default_factory=Counter)
    writes: Counter[tuple[str, str]] = field(default_factory=Counter)
    reads: Counter[tuple[str, str]] = field(default_factory=Counter)

    def busiest(self, *, write: bool, n: int) -> list[tuple[str, str, float, float]]:
        """(index, key, units, share of all units) of the n busiest partitions."""
        units = self.write_units if write else self.read_units
        total = sum(units.values()) or 1.0
        return [(i, k, u, u / total) for (i, k), u in units.most_common(n)]

    def per_index(self, *, write: bool) -> Counter[str]:
        out: Counter[str] = Counter()
        for (index, _), units in (self.write_units if write else self.read_units).items():
            out[index] += units
        return out


def _json(body: Any) -> dict[str, Any]:
    text = body.decode() if isinstance(body, bytes) else str(body or "{}")
    loaded: dict[str, Any] = json.loads(text or "{}")
    return loaded


def _value(attribute: dict[str, Any]) -> str:
    return str(next(iter(attribute.values())))


class _Moto:
    """moto's tables (the in-process backend), read without going through the API."""

    def __init__(self) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self.backends = dynamodb_backends[DEFAULT_ACCOUNT_ID]

    def table(self, name: str) -> Any:
        for backend in self.backends.values():
            table = backend.tables.get(name)
            if table is not None:
                return table
        return None

    def item(self, table_name: str, key: dict[str, Any]) -> tuple[dict[str, str], float] | None:
        """The item's attributes as strings, and its size in KB; None if there is none."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self.table(table_name)
        if table is None or table.hash_key_attr not in key:
            return None
        range_attr = table.range_key_attr
        range_key = DynamoType(key[range_attr]) if range_attr and range_attr in key else None
        found = table.get_item(DynamoType(key[table.hash_key_attr]), range_key)
        if found is None:
            return None
        attrs = {name: str(value.value) for name, value in found.attrs.items()}
        return attrs, found.size() / 1024

    def indexes(self, table_name: str) -> list[tuple[str, list[str]]]:
        """(index name, its key attributes, hash first) of the table's global indexes."""
        table = self.table(table_name)
        out = []
        for index in getattr(table, "global_indexes", []) or []:
            schema = sorted(index.schema, key=lambda s: s["KeyType"] != "HASH")
            out.append((index.name, [s["AttributeName"] for s in schema]))
        return out


def _written_keys(op: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
    """(table, key or item, cost factor) of every item a write operation names."""
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        return [(params["TableName"], params.get("Key") or params.get("Item") or {}, 1)]
    out: list[tuple[str, dict[str, Any], int]] = []
    if op == "TransactWriteItems":
        for entry in params.get("TransactItems", []):
            kind, body = next(iter(entry.items()))
            if kind != "ConditionCheck":  # it changes no item (counted in _Recorder.reads)
                out.append((body["TableName"], body.get("Key") or body.get("Item") or {}, 2))
    elif op == "BatchWriteItem":
        for table, requests in params.get("RequestItems", {}).items():
            for request in requests:
                body = request.get("PutRequest") or request.get("DeleteRequest") or {}
                out.append((table, body.get("Key") or body.get("Item") or {}, 1))
    return out


class _Recorder:
    def __init__(self, counts: KeyCounts) -> None:
        self.counts = counts
        self.moto = _Moto()

    def reads(self, op: str, params: dict[str, Any], answer: dict[str, Any]) -> None:
        table = params.get("TableName", "")
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if op == "GetItem":
            found = self.moto.item(table, params["Key"])
            self._read(BASE, _value(params["Key"]["PK"]), consistent, found[1] if found else 0)
        elif op == "Query":
            index = params.get("IndexName", BASE)
            match = _HASH_CONDITION.match(params.get("KeyConditionExpression", ""))
            key = "?"
            if match:
                values = params.get("ExpressionAttributeValues", {})
                key = _value(values.get(match.group(2), {"S": "?"}))
            size = len(json.dumps(answer.get("Items", []))) / 1024
            self._read(index, key, consistent, size)
        elif op == "BatchGetItem":
            for table_name, body in params.get("RequestItems", {}).items():
                for key in body.get("Keys", []):
                    found = self.moto.item(table_name, key)
                    self._read(BASE, _value(key["PK"]), consistent, found[1] if found else 0)
        elif op == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                if "ConditionCheck" in entry:  # billed as a transactional write of the item
                    pk = _value(entry["ConditionCheck"]["Key"]["PK"])
                    self.counts.writes[(BASE, pk)] += 1
                    self.counts.write_units[(BASE, pk)] += 2

    def _read(self, index: str, key: str, factor: float, kb: float) -> None:
        self.counts.reads[(index, key)] += 1
        self.counts.read_units[(index, key)] += max(1, math.ceil(kb / 4)) * factor

    def before(self, op: str, params: dict[str, Any]) -> list[Any]:
        return [(t, k, f, self.moto.item(t, k)) for t, k, f in _written_keys(op, params)]

    def after(self, touched: list[Any]) -> None:
        for table, key, factor, old in touched:
            new = self.moto.item(table, key)
            kb = max((new or old or ({}, 0.0))[1], 0.001)
            units = math.ceil(kb)  # an index write is a standard one, even in a transaction
            pk = _value(key["PK"]) if "PK" in key else "?"
            self.counts.writes[(BASE, pk)] += 1
            self.counts.write_units[(BASE, pk)] += units * factor
            for index, attrs in self.moto.indexes(table):
                was = _index_key(old, attrs)
                now = _index_key(new, attrs)
                if was is not None and was != now:  # leaves (or moves out of) a partition
                    self.counts.writes[(index, was[0])] += 1
                    self.counts.write_units[(index, was[0])] += units
                if now is not None and (was != now or (old and new and old[0] != new[0])):
                    self.counts.writes[(index, now[0])] += 1
                    self.counts.write_units[(index, now[0])] += units


def _index_key(
    item: tuple[dict[str, str], float] | None, attrs: list[str]
) -> tuple[str, ...] | None:
    if item is None or any(a not in item[0] for a in attrs):
        return None  # sparse: the item is not in this index
    return tuple(item[0][a] for a in attrs)


@contextmanager
def counting() -> Iterator[KeyCounts]:
    """Count every DynamoDB request served by moto inside the block (moto must be active)."""
    from moto.core.botocore_stubber import BotocoreStubber

    counts = KeyCounts()
    recorder = _Recorder(counts)
    serve = BotocoreStubber.process_request
    lock = threading.RLock()  # before, the write, after: seen as one, whatever else runs

    def counted(self: Any, request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        if not target.startswith("DynamoDB_"):
            return serve(self, request)
        op = target.split(".", 1)[1]
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        params = json.loads(body or "{}")
        with lock:
            counts.operations[op] += 1
            touched = recorder.before(op, params) if op in WRITE_OPS else []
            response = serve(self, request)  # (status, headers, body)
            if response is not None and int(response[0]) == 200:
                if op in WRITE_OPS:
                    recorder.after(touched)
                if op in READ_OPS or op == "TransactWriteItems":
                    answer = _json(response[2]) if op == "Query" else {}
                    recorder.reads(op, params, answer)
        return response

    BotocoreStubber.process_request = counted  # type: ignore[method-assign]
    try:
        yield counts
    finally:
        BotocoreStubber.process_request = serve  # type: ignore[method-assign]
