"""§8 List paths: every list the API offers, timed at two sizes of the local set, and the
ratio large ÷ small (budget ≤ 1.5×: no list may grow with the data, #15).

Two data folders are seeded straight through the SQLite records and sasaran stores' own
schema (each opened, and so migrated, by the product's `create_app`): `small` and `large`
requests, 4 audit entries per request (the ratio of the deployed log, 461k entries beside
100k requests), a batch and a sasaran import per 40 requests; officers are a fixed set
(they do not grow with the requests). Rows are written with the adapter's own row function
(`_request_row`) in one transaction each, so 100k requests seed in seconds.

Each path is then called through Flask's test client as the officer who uses it (login,
session, the view, the service, the store and the JSON): `calls` calls per size per run,
the two sizes interleaved; the figure is the ratio of the medians. Every page is asked
for `LIMIT` items, and the data is spread so that every page is full at both sizes (the
operator's desa holds about `OP_REQUESTS` requests at either size, as one desa's work does
not grow with the kabupaten's; every filter matches a good share), so both sizes do the
same work unless the store's read grows with the data.

    python -m bench.lists [--small 1000] [--large 100000] [--calls 30]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .common import Figure, median
from .form_fields import valid_fields

SECTION = "8 List paths"
OP_DESA = "52.03.01.2001"
KECAMATAN = "52.03.01"
LIMIT = 25
INTERLEAVE = 3  # calls of one size before the other's
AUDIT_PER_REQUEST = 4
# The operator's desa holds about this many requests at either size: one desa's work does
# not grow with the kabupaten's, and its lists then fill the same pages at both sizes.
OP_REQUESTS = 200
PER_BATCH = 40  # requests per seeded batch and per seeded sasaran import
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SPAN = timedelta(days=365)  # the requests' creation times, spread evenly
PASSWORD = "kata-sandi-bench-123"  # noqa: S105 - the seeded officers' own
OFFICERS = [("op.bench", "operator", OP_DESA), ("dukcapil.ana", "dukcapil", None)]
OFFICERS += [("dukcapil.budi", "dukcapil", None), ("admin.bench", "admin", None)]
SERVICES = ("AKTA_LAHIR", "KK_BARU", "KIA")
STATUSES = [  # (status, share): every filtered status has a good share
    ("DIAJUKAN", 0.3),
    ("DIPROSES", 0.2),
    ("SELESAI", 0.2),
    ("DISERAHKAN", 0.2),
    ("PERLU_PERBAIKAN", 0.1),
]
WEEK_AGO = (NOW - timedelta(days=7)).date().isoformat()
MONTH_AGO = (NOW - timedelta(days=30)).date().isoformat()
# A fortnight two months back: deep in the log, as an audit by date reads it.
PAST_FROM = (NOW - timedelta(days=75)).date().isoformat()
PAST_TO = (NOW - timedelta(days=61)).date().isoformat()


@dataclass(frozen=True)
class Path_:
    key: str
    label: str
    user: str
    url: str
    next_page: str | None = None  # "cursor" or "before": time the second page instead


PATHS = [
    Path_("op", "operator: own desa", "op.bench", "/requests"),
    Path_("op_status", "operator: own desa by status", "op.bench", "/requests?status=DIAJUKAN"),
    Path_(
        "op_status_p2",
        "operator: by status, page 2",
        "op.bench",
        "/requests?status=DIAJUKAN",
        "cursor",
    ),
    Path_("op_age", "operator: older than 7 days", "op.bench", "/requests?older_than_days=7"),
    Path_("op_name", "operator: name search", "op.bench", "/requests?q=siti"),
    Path_("dk_all", "Dukcapil: everything", "dukcapil.ana", "/requests"),
    Path_("dk_status", "Dukcapil: by status", "dukcapil.ana", "/requests?status=SELESAI"),
    Path_("dk_desa", "Dukcapil: one desa", "dukcapil.ana", f"/requests?desa={OP_DESA}"),
    Path_(
        "dk_desa_status",
        "Dukcapil: desa and status, page 2",
        "dukcapil.ana",
        f"/requests?desa={OP_DESA}&status=DIAJUKAN",
        "cursor",
    ),
    Path_(
        "dk_kec",
        "Dukcapil: kecamatan and service",
        "dukcapil.ana",
        f"/requests?kecamatan={KECAMATAN}&service=AKTA_LAHIR",
    ),
    Path_(
        "dk_age",
        "Dukcapil: submitted over 14 days ago",
        "dukcapil.ana",
        "/requests?status=DIAJUKAN&older_than_days=14",
    ),
    Path_("audit", "audit: newest", "admin.bench", "/audit"),
    Path_("audit_p2", "audit: page 2", "admin.bench", "/audit", "before"),
    Path_("audit_user", "audit: one officer", "admin.bench", "/audit?user=dukcapil.ana"),
    Path_("audit_since", "audit: last 30 days", "admin.bench", f"/audit?from={MONTH_AGO}"),
    Path_(
        "audit_dates",
        "audit: a fortnight 2 months back",
        "admin.bench",
        f"/audit?from={PAST_FROM}&to={PAST_TO}",
    ),
    Path_(
        "audit_dates_p2",
        "audit: that fortnight, page 2",
        "admin.bench",
        f"/audit?from={PAST_FROM}&to={PAST_TO}",
        "before",
    ),
    Path_(
        "audit_user_dates",
        "audit: one officer in that fortnight",
        "admin.bench",
        f"/audit?user=dukcapil.ana&from={PAST_FROM}&to={PAST_TO}",
    ),
    Path_("batches", "batches", "dukcapil.ana", "/batches"),
    Path_("imports", "sasaran imports", "dukcapil.ana", "/sasaran/import"),
    Path_("users", "officers (a fixed set)", "admin.bench", "/users"),
]


def _app(data: Path) -> Any:
    from bakso import create_app

    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(data),
            "SECRET_KEY": "bench-secret-key",
            "SESSION_COOKIE_SECURE": False,
            "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        }
    )


@contextmanager
def _unsynced(store: Any) -> Iterator[Any]:
    """The store's connection on this thread without fsync per commit (seeding only)."""
    db = store._db.connection()
    # A cache that holds the indexes: random ids would otherwise thrash the default 2 MB.
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -400000")
    try:
        yield store._db
    finally:
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA cache_size = -2000")


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _row(request: Any) -> tuple[Any, ...]:
    """The adapter's row of a request (records_requests._request_row), its record built
    shallow: `dataclasses.asdict` would take most of the seeding time."""
    from dataclasses import fields

    from bakso.adapters.local.records_rows import _dump
    from bakso.domain.retention import retention_clock

    clock = retention_clock(request)
    record = {f.name: getattr(request, f.name) for f in fields(request)}
    return (
        request.id,
        request.code,
        request.desa,
        request.status.value,
        request.created_at,
        request.version,
        _dump(record),
        request.token,
        request.batch_id,
        clock.name if clock else None,
        clock.since if clock else None,
        request.nik_key,
    )


def seed(data: Path, total: int, seed_value: int = 15) -> Any:
    """A data folder of `total` requests and what grows with them; returns the Flask app."""
    from bakso.domain.lifecycle import Status
    from bakso.domain.model import Batch, Request, request_code
    from bakso.domain.sasaran.imports import ImportRun

    app = _app(data)
    svc = app.extensions["bakso"]
    rng = random.Random(seed_value)  # noqa: S311 - sample data, not secrets
    others = [r.code for r in svc.regions.desa() if r.code != OP_DESA]
    statuses = [Status(name) for name, _ in STATUSES]
    weights = [share for _, share in STATUSES]
    for username, role, desa in OFFICERS:
        svc.accounts.create_user(username, role, desa, PASSWORD)
    start = NOW - SPAN
    rows, entries = [], []
    # Every request carries its service's form, as submit requires (read once, not per row).
    forms = {service: valid_fields(service) for service in SERVICES}
    for i in range(total):
        request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = _at(start + SPAN * (i / total))
        desa = OP_DESA if rng.random() < OP_REQUESTS / total else rng.choice(others)
        first = "Siti" if rng.random() < 0.5 else rng.choice(("Baiq", "Lalu", "Ahmad"))
        service = rng.choice(SERVICES)
        request = Request(
            id=request_id,
            code=request_code(request_id),
            service=service,
            fields=forms[service],
            desa=desa,
            applicant={"name": f"{first} Aminah {i}", "nik": f"52030141019{i % 100000:05d}"},
            subject=None,
            notes="",
            status=rng.choices(statuses, weights)[0],
            version=4,
            created_by="op.bench",
            created_at=created,
            updated_at=created,
            status_since=created,
        )
        rows.append(_row(request))
        actors = ("op.bench", "op.bench", "dukcapil.ana", "dukcapil.budi")
        for step, actor in enumerate(actors[:AUDIT_PER_REQUEST]):
            at = _at(start + SPAN * (i / total) + timedelta(minutes=7 * step))
            entries.append((at, actor, f"request.step{step}", request_id))
    entries.sort()
    with _unsynced(svc.records) as db, db.transaction() as tx:
        tx.executemany(
            "INSERT INTO requests (id, code, desa, status, created_at, version, data,"
            " token, batch_id, retention_clock, retention_since, nik_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # After the officers' own entries. The links are not computed: no list checks
        # them (`bakso audit verify` would).
        first_seq = tx.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit").fetchone()[0]
        tx.executemany(
            "INSERT INTO audit (seq, at, actor, action, target, data, prev_hash, hash, key_id)"
            " VALUES (?, ?, ?, ?, ?, '{}', '', '', '')",
            [(seq, *entry) for seq, entry in enumerate(entries, start=first_seq)],
        )
    with _unsynced(svc.records):
        for n in range(max(1, total // PER_BATCH)):
            made = _at(start + SPAN * (n / max(1, total // PER_BATCH)))
            svc.records.create_batch(
                Batch(
                    id=str(uuid.UUID(int=rng.getrandbits(128))),
                    created_by="dukcapil.ana",
                    created_at=made,
                    filters={},
                    status="READY",
                    count=PER_BATCH,
                )
            )
    store = svc.sasaran.store
    with _unsynced(store):
        for n in range(max(1, total // PER_BATCH)):
            made = _at(start + SPAN * (n / max(1, total // PER_BATCH)))
            store.create_import(
                ImportRun(
                    id=str(uuid.UUID(int=rng.getrandbits(128))),
                    created_by="dukcapil.ana",
                    created_at=made,
                    filename=f"sasaran-{n}.csv",
                    sha256="0" * 64,
                    size=1000,
                    content_type="text/csv",
                    kind="csv",
                    status="DONE",
                )
            )
    for seeded in (svc.records, store):
        # As a running deployment's file: the seeding's write-ahead log folded in.
        seeded._db.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return app


class _Officer:
    """One officer's session through the test client."""

    def __init__(self, app: Any, username: str) -> None:
        self.client = app.test_client()
        answer = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        if answer.status_code != 200:
            raise RuntimeError(f"login {username}: {answer.status_code}")

    def get(self, url: str) -> dict[str, Any]:
        answer = self.client.get(f"/api/v1{url}")
        if answer.status_code != 200:
            raise RuntimeError(f"GET {url}: {answer.status_code} {answer.get_data(as_text=True)}")
        body: dict[str, Any] = json.loads(answer.get_data())
        return body


def _url(officer: _Officer, path: Path_) -> tuple[str, int]:
    """The URL to time (the second page's, if asked) and how many items its page has."""
    sep = "&" if "?" in path.url else "?"
    url = f"{path.url}{sep}limit={LIMIT}"
    if path.next_page is not None:
        token = officer.get(url)[path.next_page]
        if token is not None:  # (the smoke run's tiny sets may have one page only)
            url += f"&{path.next_page}={token}"
    return url, len(officer.get(url)["items"])


def _time(officer: _Officer, url: str, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        officer.get(url)
        times.append(time.perf_counter() - began)
    return times


def run(work: Path | None = None, *, small: int, large: int, calls: int, runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(dir=work) as folder:
        began = time.perf_counter()
        apps = {size: seed(Path(folder) / f"lists-{size}", size) for size in (small, large)}
        seeded = time.perf_counter() - began
        officers = {
            size: {user: _Officer(app, user) for user, _, _ in OFFICERS}
            for size, app in apps.items()
        }
        figures = []
        for path in PATHS:
            urls = {size: _url(officers[size][path.user], path) for size in apps}
            for size in apps:  # warm: caches, the first statement's plan
                _time(officers[size][path.user], urls[size][0], 3)
            # The sizes alternate every few calls, so a busy moment of the machine
            # weighs on both alike.
            times: dict[int, list[float]] = {small: [], large: []}
            for _ in range(runs * max(1, calls // INTERLEAVE)):
                for size in (small, large):
                    times[size] += _time(officers[size][path.user], urls[size][0], INTERLEAVE)
            per_call = {size: median(values) for size, values in times.items()}
            figure = Figure(
                f"lists.{path.key}",
                SECTION,
                f"{path.label}: {large:,} ÷ {small:,} requests",
                "x",
                budget=1.5,
                baseline=per_call[small] * 1000,
                baseline_label=f"ms per call at {small:,}",
                baseline_unit="ms",
            )
            figure.value = per_call[large] / per_call[small]
            figure.runs = [t * 1000 for t in times[large]]
            figure.note = (
                f"{per_call[small] * 1000:.1f} ms at {small:,}, {per_call[large] * 1000:.1f} ms"
                f" at {large:,}; {urls[small][1]} / {urls[large][1]} items per page"
            )
            figures.append(figure)
        figures[0].note += f"; both sets seeded in {seeded:.1f} s"
        for app in apps.values():
            svc = app.extensions["bakso"]
            for store in (svc.records, svc.queue, svc.sasaran.store):
                close = getattr(store, "close", None)
                if close is not None:
                    close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    figures = run(small=args.small, large=args.large, calls=args.calls, runs=args.runs)
    for f in figures:
        print(f"{f.name:62} {f.value:5.2f}× ({f.verdict}) {f.note}")
    return 0 if all(f.verdict == "ok" for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
