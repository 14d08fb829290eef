"""§10 Morning peak: many desa operators at once, compressed in time (#16 part 5).

The deployment serves a province (`--kabupaten`, default 10: Nusa Tenggara Barat's 8
kabupaten and 2 kota as tenant folders, bench/province.py). `desa` operator accounts (one per
desa, spread evenly over the kabupaten and within each over its kecamatan, made by the bench)
log in at the same moment and each sends `requests` requests with `scans`
small scans: create (PUT) → for each scan register, upload, complete → submit. The same
load runs twice, loopback only and bounded (a fixed amount of work, no open-ended loop):

- on the local default, a real server child (`bench.serve`: waitress, 8 threads, the
  in-process worker on, so verification competes as it would): throughput, p50/p99 per
  call kind, errors;
- on the AWS adapter set on moto in-process (the stack of infra/, as tests/aws_env.py
  deploys it; the app through Flask's test client, uploads to moto's S3), then the worker
  drains the queue (verification, berkas.pdf). moto's speed says nothing about AWS, so
  only errors and counts are reported: DynamoDB operations per partition key and per
  index (bench/dynamo_keys.py), the busiest partitions' share of all write and read units,
  and per submitted request the units each takes, beside DynamoDB's per-partition limits
  (1,000 WCU, 3,000 RCU per second): the request rate at which that partition saturates.

    python -m bench.load [--desa 50] [--kabupaten 10] [--requests 1] [--scans 3]
                         [--no-local] [--no-aws]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from .common import REPO, Figure, percentile, serving
from .dynamo_keys import KeyCounts, counting, masked
from .form_fields import valid_fields
from .province import province_folders

SECTION = "10 Morning peak"
KINDS = ("login", "create", "register", "upload", "complete", "submit")
PASSWORD = "bench-kata-sandi-123"  # noqa: S105 - throwaway accounts in a temporary folder
PARTITION_WCU, PARTITION_RCU = 1_000, 3_000  # DynamoDB's per-partition limits per second
# A service whose required documents are exactly the scans sent, so every submit is valid.
SERVICES = {
    1: ("KTP_BARU", ("KK",)),
    2: ("KTP_BARU", ("KK", "AKTA_LAHIR")),
    3: ("KK_UBAH", ("F101", "KK_LAMA", "BUKTI_PERISTIWA")),
}
FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}  # moto run only


@dataclass
class Tally:
    """Latencies per call kind and errors, from every operator thread."""

    times: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    example: str = ""
    submitted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            if error is not None:
                self.errors[kind] += 1
                self.example = self.example or f"{kind}: {error[:200]}"

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.times.values())


class _Failed(Exception):
    pass


Send = Callable[..., tuple[int, Any]]  # (method, url, json=, data=, headers=) -> (status, body)


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address: each desa office is its own client."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def _address(n: int) -> str:
    # The per-client login throttle counts addresses; a desa office has its own.
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def _http(base: str, n: int) -> Send:
    session = requests.Session()
    session.mount("http://", _FromAddress(_address(n)))

    def send(method: str, url: str, **kw: Any) -> tuple[int, Any]:
        full = url if "://" in url else base + url
        answer = session.request(method, full, timeout=120, **kw)
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, answer.text

    return send


def _test_client(app: Any, n: int) -> Send:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = _address(n)

    def send(method: str, url: str, **kw: Any) -> tuple[int, Any]:
        parts = urlsplit(url)
        if parts.netloc and parts.hostname not in {"localhost", "127.0.0.1"}:  # moto's S3
            answer = requests.request(method, url, timeout=120, **kw)
            return answer.status_code, answer.text
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        got = client.open(path, method=method, **kw)
        return got.status_code, got.get_json(silent=True)

    return send


class Operator:
    def __init__(self, send: Send, username: str, desa: str, tally: Tally) -> None:
        self.send, self.username, self.desa, self.tally = send, username, desa, tally
        self.csrf = ""

    def call(self, kind: str, method: str, url: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", None) or {})
        if method != "GET" and kind != "upload":
            headers["X-CSRF-Token"] = self.csrf
        began = time.perf_counter()
        try:
            status, body = self.send(method, url, headers=headers, **kw)
        except requests.RequestException as exc:
            self.tally.note(kind, time.perf_counter() - began, type(exc).__name__)
            raise _Failed(kind) from exc
        error = None if status < 300 else f"{status} {str(body)[:150]}"
        self.tally.note(kind, time.perf_counter() - began, error)
        if error is not None:
            raise _Failed(error)
        return body

    def login(self) -> None:
        body = self.call(
            "login",
            "POST",
            "/api/v1/auth/login",
            json={"username": self.username, "password": PASSWORD},
        )
        self.csrf = body["csrf_token"]

    def one_request(self, n: int, scans: dict[str, bytes], service: str) -> None:
        request_id = str(uuid.uuid4())
        base = f"/api/v1/requests/{request_id}"
        self.call("create", "PUT", base, json=_draft(self.desa, service, n + 1))
        for requirement, data in scans.items():
            registered = self.call(
                "register",
                "POST",
                f"{base}/scans",
                json={
                    "requirement": requirement,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "content_type": "image/jpeg",
                },
            )
            upload = registered["upload"]
            if upload["method"] == "POST":  # a presigned POST sends its form fields
                self.call(
                    "upload",
                    "POST",
                    upload["url"],
                    data=upload.get("fields", {}),
                    files={"file": data},
                )
            else:
                self.call(
                    "upload",
                    upload["method"],
                    upload["url"],
                    data=data,
                    headers=upload.get("headers", {}),
                )
            self.call("complete", "POST", f"{base}/scans/{registered['scan_id']}/complete")
        self.call("submit", "POST", f"{base}/submit")
        with self.tally.lock:
            self.tally.submitted += 1


def _draft(desa: str, service: str, n: int) -> dict[str, Any]:
    # A resident of the desa's kecamatan, a different one per request: one NIK for all
    # would put every request on one partition of the NIK index.
    region = desa.replace(".", "")[:6]
    born = f"{1 + n % 28:02d}{1 + n // 28 % 12:02d}90"
    return {
        "service": service,
        "desa": desa,
        "applicant": {
            "nik": f"{region}{born}{1 + n % 9_999:04d}",
            "name": f"Warga Pagi {n}",
            "kk": f"{region}120318{1 + n % 9_999:04d}",
            "phone": "081234567890",
        },
        "subject": None,
        "notes": "",
        "version": 0,
        "fields": valid_fields(service),
    }


def _photos(scans: int) -> tuple[str, dict[str, bytes]]:
    from .api import scan_photos

    service, docs = SERVICES[scans]
    photos = list(scan_photos(20, 0.1).values())  # ~20 KB JPEGs: small, as the brief asks
    return service, {doc: photos[i % len(photos)] for i, doc in enumerate(docs)}


def _spread(regions: Any, count: int) -> list[str]:
    """`count` desa codes, dealt in turn to each kabupaten served and spread evenly over each
    one's desa (so over its kecamatan)."""
    served = [[r.code for r in regions.desa(k.code)] for k in regions.kabupaten()]
    if count > sum(len(every) for every in served):
        raise ValueError(f"the kabupaten served have fewer than {count} desa")
    shares = [
        count // len(served) + (1 if i < count % len(served) else 0) for i in range(len(served))
    ]
    return [
        every[i * len(every) // share]
        for every, share in zip(served, shares, strict=True)
        for i in range(share)
    ]


def _users(accounts: Any, desa: list[str]) -> list[tuple[str, str]]:
    made = []
    for n, code in enumerate(desa):
        username = f"op.pagi.{n:03d}"
        accounts.create_user(username, "operator", code, PASSWORD)
        made.append((username, code))
    return made


def drive(
    sends: list[Send], users: list[tuple[str, str]], requests_each: int, scans: int
) -> tuple[float, Tally]:
    """Every operator at once: log in, then its requests one after another; (wall s, tally)."""
    service, photos = _photos(scans)
    tally = Tally()
    gate = threading.Barrier(len(users))

    def work(n: int) -> None:
        operator = Operator(sends[n], users[n][0], users[n][1], tally)
        gate.wait()  # the morning's first minute: everyone at once
        try:
            operator.login()
            for i in range(requests_each):
                try:
                    operator.one_request(n * requests_each + i, photos, service)
                except _Failed:
                    continue  # counted; the next request still goes
        except _Failed:
            return

    began = time.perf_counter()
    with ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(work, range(len(users))))
    return time.perf_counter() - began, tally


def _close(app: Any) -> None:
    svc = app.extensions["bakso"]
    for store in (svc.records, svc.queue, svc.sasaran.store):
        close = getattr(store, "close", None)
        if close is not None:
            close()


def run_local(
    work: Path, desa: int, requests_each: int, scans: int, kabupaten: list[str]
) -> tuple[float, Tally]:
    from bakso import create_app

    data = work / "peak-data"
    # As bench.serve opens it, hashing as deployed, serving the same kabupaten.
    app = create_app({"DATA_DIR": str(data), "KABUPATEN_DIRS": tuple(kabupaten)})
    try:
        users = _users(
            app.extensions["bakso"].accounts, _spread(app.extensions["bakso"].regions, desa)
        )
    finally:
        _close(app)
    with serving(
        ["bakso", "--data", str(data)], BAKSO_KABUPATEN_DIRS=json.dumps(kabupaten)
    ) as server:
        sends = [_http(server.url, n) for n in range(len(users))]
        return drive(sends, users, requests_each, scans)


@contextmanager
def _moto_app(kabupaten: list[str]) -> Iterator[Any]:
    """The AWS adapter set on moto in-process, as the API tests build it."""
    import pytest

    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.insert(0, tests)
    import aws_env  # tests/aws_env.py: moto, the stack of infra/, BAKSO_CONFIG=aws
    from bakso import create_app

    with pytest.MonkeyPatch.context() as patch, aws_env.aws_app_settings(patch):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench-secret-key",
                "SESSION_COOKIE_SECURE": False,
                "ARGON2_PARAMS": FAST_ARGON2,
                "KABUPATEN_DIRS": tuple(kabupaten),
            }
        )
        try:
            yield app
        finally:
            _close(app)


def run_aws(
    desa: int, requests_each: int, scans: int, kabupaten: list[str], drain: bool = True
) -> tuple[float, Tally, KeyCounts, KeyCounts]:
    """The load on moto: (wall s, tally, counts of the API calls, counts of the worker)."""
    from bakso.workers.handlers import drain_until_idle

    with _moto_app(kabupaten) as app:
        svc = app.extensions["bakso"]
        users = _users(svc.accounts, _spread(svc.regions, desa))
        with counting() as api_counts:
            sends = [_test_client(app, n) for n in range(len(users))]
            wall, tally = drive(sends, users, requests_each, scans)
        with counting() as worker_counts:
            if drain:
                drain_until_idle(svc)
    return wall, tally, api_counts, worker_counts


def merged(*parts: KeyCounts) -> KeyCounts:
    total = KeyCounts()
    for part in parts:
        for name in ("operations", "write_units", "read_units", "writes", "reads"):
            getattr(total, name).update(getattr(part, name))
    return total


def _latency_figures(prefix: str, label: str, tally: Tally, wall: float) -> list[Figure]:
    figures = []
    rate = Figure(f"{prefix}.calls_per_s", SECTION, f"{label}: HTTP calls per second", "req/s")
    rate.value = tally.calls / wall if wall else None
    rate.note = (
        f"{tally.calls} calls in {wall:.1f} s; {tally.submitted} requests submitted"
        f" ({tally.submitted / wall if wall else 0:.1f}/s)"
    )
    errors = Figure(f"{prefix}.errors", SECTION, f"{label}: failed calls", "", budget=0)
    errors.value = float(sum(tally.errors.values()))
    if tally.errors:
        errors.note = f"{dict(tally.errors)}; e.g. {tally.example}"
    figures += [rate, errors]
    for kind in KINDS:
        times = tally.times.get(kind)
        for q in (50, 99):
            f = Figure(f"{prefix}.{kind}.p{q}", SECTION, f"{label}: {kind}: p{q}", "ms")
            f.value = percentile(times, q) * 1000 if times else None
            if not times:
                f.note = "no call of this kind"
            figures.append(f)
    return figures


def _key_figures(counts: KeyCounts, submitted: int, top: int) -> list[Figure]:
    per = max(1, submitted)
    out = []
    wcu = Figure("peak.aws.wcu_per_request", SECTION, "moto: write units per request", "WCU")
    wcu.value = sum(counts.write_units.values()) / per
    wcu.note = f"index writes included; operations {dict(counts.operations)}"
    rcu = Figure("peak.aws.rcu_per_request", SECTION, "moto: read units per request", "RCU")
    rcu.value = sum(counts.read_units.values()) / per
    out += [wcu, rcu]
    for index, units in sorted(counts.per_index(write=True).items()):
        f = Figure(f"peak.aws.index.{index}", SECTION, f"moto: WCU per request into {index}", "WCU")
        f.value = units / per
        keys = [(k, u) for (i, k), u in counts.write_units.items() if i == index]
        key, most = max(keys, key=lambda kv: kv[1])
        f.note = f"busiest partition {masked(key)}: {most / units:.0%} of this index's writes"
        out.append(f)
    for write, limit, unit, kind in (
        (True, PARTITION_WCU, "WCU", "write"),
        (False, PARTITION_RCU, "RCU", "read"),
    ):
        for rank, (index, key, units, share) in enumerate(counts.busiest(write=write, n=top), 1):
            f = Figure(
                f"peak.aws.{kind}_key.{rank}",
                SECTION,
                f"moto: busiest {kind} partition #{rank}: {index} {masked(key)}",
                "share",
            )
            f.value = share
            each = units / per
            f.note = (
                f"{share:.1%} of all {unit}; {each:.2f} {unit} per request: at {limit:,}"
                f" {unit}/s this partition saturates at {limit / each:,.0f} requests/s"
            )
            out.append(f)
    return out


def run(
    work: Path | None = None,
    *,
    desa: int = 50,
    kabupaten: int = 10,
    requests: int = 1,
    scans: int = 3,
    local: bool = True,
    aws: bool = True,
    top: int = 8,
) -> list[Figure]:
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(dir=work) as folder:
        tenants = province_folders(Path(folder), count=kabupaten)
        what = f"{desa} operators in {len(tenants) + 1} kabupaten × {requests} × {scans} scans"
        if local:
            wall, tally = run_local(Path(folder), desa, requests, scans, tenants)
            figures += _latency_figures("peak.local", f"local ({what})", tally, wall)
        if aws:
            wall, tally, api_counts, worker_counts = run_aws(desa, requests, scans, tenants)
            moto = _latency_figures("peak.aws", f"moto ({what})", tally, wall)
            for f in moto:
                if f.unit == "ms" or f.unit == "req/s":
                    f.note = (f.note + "; " if f.note else "") + "moto's speed: not AWS's"
            figures += moto[:2]  # rates and latencies of moto are no measure of anything
            figures += _key_figures(merged(api_counts, worker_counts), tally.submitted, top)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--desa", type=int, default=50)
    parser.add_argument("--kabupaten", type=int, default=10, help="kabupaten served (NTB)")
    parser.add_argument("--requests", type=int, default=1, help="requests per operator")
    parser.add_argument("--scans", type=int, default=3, choices=sorted(SERVICES))
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--no-local", action="store_true")
    parser.add_argument("--no-aws", action="store_true")
    args = parser.parse_args(argv)
    figures = run(
        desa=args.desa,
        kabupaten=args.kabupaten,
        requests=args.requests,
        scans=args.scans,
        local=not args.no_local,
        aws=not args.no_aws,
        top=args.top,
    )
    from .common import fmt

    for f in figures:
        print(f"{f.name:70} {fmt(f.value, f.unit):>12}  {f.note}")
    return 0 if all(f.verdict != "OVER" for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
