"""Every list the API offers reads the local set through an index (#15).

Each list is called through its service, as its view calls it (every filter an
operator, Dukcapil or the admin can set, with and without a cursor); every SELECT
it runs is then planned by SQLite (`EXPLAIN QUERY PLAN`). None may read a whole
table (a bare `SCAN`) or sort its matches (`USE TEMP B-TREE`): either makes the call
grow with the data. Where a filter has an index of its own, the plan must use it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bakso import config
from bakso.bootstrap import Services, build_services
from bakso.domain import paging
from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Role
from bakso.domain.model import Actor
from bakso.services.batch_build import BatchFilters

DESA = "52.03.01.2001"
KECAMATAN = "52.03.01"
OPERATOR = Actor("op.desa", Role.OPERATOR, DESA)
DUKCAPIL = Actor("dukcapil.ana", Role.DUKCAPIL, None)
ADMIN = Actor("admin", Role.ADMIN, None)
CURSOR = paging.encode_position(
    "2026-05-01T08:00:00.000+00:00", "0f6b7c1e-0000-4000-8000-000000000000"
)
# A table read whole, or matches sorted after reading them all.
LINEAR = re.compile(r"^SCAN \w+$|TEMP B-TREE")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    data: Path = tmp_path_factory.mktemp("plans")
    built = build_services(config.load({"DATA_DIR": str(data)}))
    # One audit entry, so a cursor into the log by time names an entry that exists.
    built.records.append_audit(
        chain="52.03",
        at="2026-05-01T08:00:00.000+00:00",
        actor="admin",
        action="x",
        target="t",
        data={},
    )
    yield built


def _connections(services: Services) -> list[sqlite3.Connection]:
    stores: list[Any] = [services.records, services.sasaran.store]
    return [store._db.connection() for store in stores]


def _plans(services: Services, call: Callable[[], object]) -> dict[str, list[str]]:
    """Each SELECT the call ran (values inlined, as SQLite traced it) → its plan's lines."""
    connections = _connections(services)
    traced: list[tuple[sqlite3.Connection, str]] = []
    for db in connections:
        db.set_trace_callback(lambda sql, db=db: traced.append((db, sql)))
    try:
        call()
    finally:
        for db in connections:
            db.set_trace_callback(None)
    plans: dict[str, list[str]] = {}
    for db, sql in traced:
        if sql.lstrip().upper().startswith("SELECT"):
            rows = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            plans[sql] = [row[3] for row in rows]
    assert plans, "the call ran no SELECT"
    return plans


def _requests(actor: Actor, **filters: Any) -> Callable[[], object]:
    def call(svc: Services) -> object:
        query: dict[str, Any] = {"status": None, "desa": None, "cursor": None, "limit": 50}
        return svc.requests.list_requests(actor, **{**query, **filters})

    return call  # type: ignore[return-value]


REQUEST_LISTS: dict[str, tuple[Actor, dict[str, Any], str | None]] = {
    # name: (who, filters, the index the plan must use)
    "operator": (OPERATOR, {}, "requests_desa_newest"),
    "operator status": (OPERATOR, {"status": "DIAJUKAN"}, "requests_desa_status_newest"),
    "operator status page 2": (
        OPERATOR,
        {"status": "PERLU_PERBAIKAN", "cursor": CURSOR},
        "requests_desa_status_newest",
    ),
    "operator age": (OPERATOR, {"older_than_days": 7}, "requests_desa_newest"),
    "operator status service": (
        OPERATOR,
        {"status": "SELESAI", "service": "akta-kelahiran"},
        "requests_desa_status_newest",
    ),
    "operator name": (OPERATOR, {"q": "siti"}, "requests_desa_newest"),
    "operator code": (OPERATOR, {"q": "LT-ABCD-EFGH"}, None),
    "operator nik": (OPERATOR, {"q": "5203014101900001"}, "requests_nik"),
    "dukcapil": (DUKCAPIL, {}, "requests_kabupaten_newest"),
    "dukcapil page 2": (DUKCAPIL, {"cursor": CURSOR}, "requests_kabupaten_newest"),
    "dukcapil status": (DUKCAPIL, {"status": "DIAJUKAN"}, "requests_kabupaten_status_newest"),
    "dukcapil desa": (DUKCAPIL, {"desa": DESA}, "requests_desa_newest"),
    "dukcapil desa status": (
        DUKCAPIL,
        {"desa": DESA, "status": "DIPROSES", "cursor": CURSOR},
        "requests_desa_status_newest",
    ),
    "dukcapil kecamatan status": (
        DUKCAPIL,
        {"kecamatan": KECAMATAN, "status": "DIAJUKAN"},
        "requests_desa_status_newest",  # each desa's list, merged (#16)
    ),
    "dukcapil kecamatan service age name": (
        DUKCAPIL,
        {"kecamatan": KECAMATAN, "service": "akta-kelahiran", "older_than_days": 14, "q": "ali"},
        "requests_desa_newest",
    ),
    "admin": (ADMIN, {"status": "DITOLAK"}, "requests_kabupaten_status_newest"),
}

AUDIT_SEARCHES: dict[str, tuple[dict[str, Any], str | None]] = {
    "everything": ({}, None),
    "page 2": ({"before": 1}, None),
    "request": ({"target": "t"}, "audit_target"),
    "officer": ({"user": "admin", "before": 1}, "audit_actor"),
    "from a date": ({"since": "2026-04-01"}, "audit_at"),
    "a day": ({"since": "2026-05-01", "until": "2026-05-02"}, "audit_at"),
    "a day page 2": ({"since": "2026-05-01", "until": "2026-05-02", "before": 1}, "audit_at"),
    "until a date": ({"until": "2026-05-02", "before": 1}, "audit_at"),
    "officer by date": ({"user": "admin", "since": "2026-04-01"}, "audit_actor_at"),
    "officer by date page 2": (
        {"user": "admin", "until": "2026-06-01", "before": 1},
        "audit_actor_at",
    ),
    "request by date": ({"target": "t", "since": "2026-04-01"}, "audit_target_at"),
    "request and officer by date": (
        {"target": "t", "user": "admin", "until": "2026-06-01"},
        "audit_target_at",
    ),
}


def _assert_indexed(plans: dict[str, list[str]], index: str | None) -> None:
    for sql, lines in plans.items():
        linear = [line for line in lines if LINEAR.search(line)]
        assert not linear, f"{sql}\n  reads linearly: {lines}"
    if index is not None:
        used = [line for lines in plans.values() for line in lines]
        assert any(re.search(rf"\bINDEX {index}\b", line) for line in used), (
            f"{index} not used: {plans}"
        )


@pytest.mark.parametrize("name", REQUEST_LISTS)
def test_every_request_list_reads_through_an_index(services: Services, name: str) -> None:
    who, filters, index = REQUEST_LISTS[name]
    call = _requests(who, **filters)

    plans = _plans(services, lambda: call(services))  # type: ignore[call-arg]

    _assert_indexed(plans, index)


def test_the_desk_counts_read_through_the_desa_status_index(services: Services) -> None:
    plans = _plans(services, lambda: services.requests.counts(OPERATOR, desa=None))

    _assert_indexed(plans, "requests_desa_status_newest")


def test_a_kecamatans_counts_read_its_desa_status_lists_only(services: Services) -> None:
    plans = _plans(
        services, lambda: services.requests.counts(DUKCAPIL, desa=None, kecamatan=KECAMATAN)
    )

    _assert_indexed(plans, "requests_desa_status_newest")
    assert all("kabupaten" not in sql for sql in plans), plans


BATCH_GATHERING: dict[str, tuple[BatchFilters, str]] = {
    # name: (the batch's filters, the index every read must use)
    "kabupaten": (BatchFilters(), "requests_kabupaten_status_newest"),
    "kecamatan": (BatchFilters(kecamatan=KECAMATAN), "requests_desa_status_newest"),
    "kecamatan service": (
        BatchFilters(kecamatan=KECAMATAN, service="KK_BARU"),
        "requests_desa_status_newest",
    ),
    "desa": (BatchFilters(desa=DESA), "requests_desa_status_newest"),
}


@pytest.mark.parametrize("name", BATCH_GATHERING)
def test_gathering_a_batch_reads_the_partitions_it_asks_for(services: Services, name: str) -> None:
    filters, index = BATCH_GATHERING[name]

    def create() -> None:
        with pytest.raises(Conflict):  # nothing waits: the check for waiting requests reads
            services.batches.create(DUKCAPIL, filters)

    plans = _plans(services, create)

    _assert_indexed(plans, index)
    if filters.kecamatan is not None:
        # One read per desa of the kecamatan, each through the desa's status list alone.
        assert len(plans) == len(services.regions.desa_of_kecamatan(KECAMATAN)) > 1
        for sql, lines in plans.items():
            assert any("INDEX requests_desa_status_newest" in line for line in lines), sql


@pytest.mark.parametrize("name", AUDIT_SEARCHES)
def test_every_audit_search_reads_through_an_index(services: Services, name: str) -> None:
    filters, index = AUDIT_SEARCHES[name]

    plans = _plans(services, lambda: services.audit.search(DUKCAPIL, limit=100, **filters))

    _assert_indexed(plans, index)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("batches", lambda svc: svc.batches.list_batches(DUKCAPIL, None, 20)),
        ("batches page 2", lambda svc: svc.batches.list_batches(DUKCAPIL, CURSOR, 20)),
        ("users", lambda svc: svc.accounts.list_users()),
        ("sasaran imports", lambda svc: svc.sasaran.list_imports(DUKCAPIL, limit=20)),
    ],
)
def test_the_other_lists_read_through_an_index(
    services: Services, name: str, call: Callable[[Services], object]
) -> None:
    _assert_indexed(_plans(services, lambda: call(services)), None)
