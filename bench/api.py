"""§7 API: create (PUT /api/v1/requests/<uuid>) and submit, 20 concurrent clients, against
BAKSO served as `bakso serve` serves it (waitress, 8 threads, the in-process worker on),
beside one bare Flask route served the same way, in the same run.

Each run has three timed phases of the same number of calls: the bare route, create, submit.
Between create and submit the three mandatory scans of every draft are attached through the
upload protocol, untimed. The servers run one at a time, and each phase starts only once the
machine has settled (the worker verifies every submission in the background).
"""

from __future__ import annotations

import hashlib
import io
import random
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from .common import Figure, median, percentile, serving
from .serve import DESA, PASSWORD, USERS

CLIENTS = 20
SERVICE = "KK_UBAH"
DOCS = ("F101", "KK_LAMA", "BUKTI_PERISTIWA")


def draft(i: int) -> dict[str, Any]:
    return {
        "service": SERVICE,
        "desa": DESA,
        "applicant": {
            "nik": "5203015708900001",
            "name": f"Warga Uji {i}",
            "kk": "5203011203180002",
            "phone": "081234567890",
        },
        "subject": None,
        "notes": "",
        "version": 0,
    }


def small_jpeg(seed: str) -> bytes:
    from PIL import Image

    rng = random.Random(seed)  # noqa: S311 - test pixels, not secrets
    image = Image.new("RGB", (64, 64), (rng.randrange(256), rng.randrange(256), 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def settle(pid: int, limit: float = 120.0) -> None:
    """Wait until the server process is idle (its background worker done), at most `limit` s."""
    end = time.monotonic() + limit
    last = _cpu_seconds(pid)
    while time.monotonic() < end:
        time.sleep(0.5)
        now = _cpu_seconds(pid)
        if now - last < 0.02:
            return
        last = now


class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.csrf = ""

    def login(self, username: str) -> None:
        answer = self.http.post(
            f"{self.base}/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            timeout=60,
        )
        answer.raise_for_status()
        self.csrf = answer.json()["csrf_token"]

    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {"X-CSRF-Token": self.csrf} if method != "GET" else {}
        headers.update(kw.pop("headers", {}))
        return self.http.request(method, self.base + path, headers=headers, timeout=60, **kw)


def phase(
    clients: list[Client], work: list[Any], step: Callable[[Client, Any], requests.Response]
) -> tuple[float, list[float]]:
    """Run `step` over `work` spread across the clients at once; (calls/s, latencies in s)."""
    shares = [work[i :: len(clients)] for i in range(len(clients))]
    latencies: list[list[float]] = [[] for _ in clients]
    failures: list[str] = []
    start_gate = threading.Barrier(len(clients) + 1)

    def worker(n: int) -> None:
        start_gate.wait()
        for item in shares[n]:
            t0 = time.perf_counter()
            answer = step(clients[n], item)
            latencies[n].append(time.perf_counter() - t0)
            if answer.status_code >= 300:
                failures.append(f"{answer.status_code} {answer.text[:200]}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"{len(failures)} calls failed, e.g. {failures[0]}")
    flat = [x for per in latencies for x in per]
    return len(flat) / wall, flat


def attach_all(clients: list[Client], ids: list[str], scans: dict[str, bytes]) -> None:
    def attach(client: Client, request_id: str) -> requests.Response:
        answer: requests.Response | None = None
        for requirement, data in scans.items():
            registered = client.call(
                "POST",
                f"/api/v1/requests/{request_id}/scans",
                json={
                    "requirement": requirement,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "content_type": "image/jpeg",
                },
            )
            registered.raise_for_status()
            body = registered.json()
            upload = body["upload"]
            url = upload["url"] if "://" in upload["url"] else client.base + upload["url"]
            put = client.http.request(
                upload["method"], url, data=data, headers=upload.get("headers", {}), timeout=60
            )
            put.raise_for_status()
            answer = client.call(
                "POST", f"/api/v1/requests/{request_id}/scans/{body['scan_id']}/complete"
            )
            answer.raise_for_status()
        assert answer is not None
        return answer

    phase(clients, ids, attach)


def run(work: Path, *, calls: int, runs: int) -> list[Figure]:
    section = "7 API (20 clients)"
    figures = {
        "create_rps": Figure(
            "api.create.rps", section, "create (PUT request): throughput", "req/s"
        ),
        "create_p50": Figure("api.create.p50", section, "create: p50 latency", "ms"),
        "create_p99": Figure("api.create.p99", section, "create: p99 latency", "ms"),
        "submit_rps": Figure("api.submit.rps", section, "submit: throughput", "req/s"),
        "submit_p50": Figure("api.submit.p50", section, "submit: p50 latency", "ms"),
        "submit_p99": Figure("api.submit.p99", section, "submit: p99 latency", "ms"),
    }
    for figure in figures.values():
        figure.baseline_label = "bare Flask route"
    figures[
        "create_rps"
    ].note = f"{calls} calls per phase, median of {runs} runs; waitress 8 threads, worker on"
    scans = {doc: small_jpeg(doc) for doc in DOCS}
    per_run: dict[str, list[float]] = {k: [] for k in ("bare_rps", "bare_p50", "bare_p99")}
    for key in figures:
        per_run[key] = []

    # Both servers are up for the whole run, each idle while the other is measured.
    with serving(["bare"]) as bare, serving(["bakso", "--data", str(work / "api-data")]) as bakso:
        bare_clients = [Client(bare.url) for _ in range(CLIENTS)]
        clients = [Client(bakso.url) for _ in range(CLIENTS)]
        for client in clients:
            client.login(USERS[0][0])
        for _ in range(runs):
            settle(bakso.process.pid)
            rps, lat = phase(bare_clients, list(range(calls)), lambda c, _: c.call("GET", "/bare"))
            per_run["bare_rps"].append(rps)
            per_run["bare_p50"].append(percentile(lat, 50) * 1000)
            per_run["bare_p99"].append(percentile(lat, 99) * 1000)
            ids = [str(uuid.uuid4()) for _ in range(calls)]
            bodies = {rid: draft(i) for i, rid in enumerate(ids)}
            rps, lat = phase(
                clients,
                ids,
                lambda c, rid, bodies=bodies: c.call(
                    "PUT", f"/api/v1/requests/{rid}", json=bodies[rid]
                ),
            )
            per_run["create_rps"].append(rps)
            per_run["create_p50"].append(percentile(lat, 50) * 1000)
            per_run["create_p99"].append(percentile(lat, 99) * 1000)
            attach_all(clients, ids, scans)
            settle(bakso.process.pid)
            rps, lat = phase(
                clients, ids, lambda c, rid: c.call("POST", f"/api/v1/requests/{rid}/submit")
            )
            per_run["submit_rps"].append(rps)
            per_run["submit_p50"].append(percentile(lat, 50) * 1000)
            per_run["submit_p99"].append(percentile(lat, 99) * 1000)

    for key, figure in figures.items():
        figure.runs = per_run[key]
        figure.value = median(per_run[key])
        figure.baseline = median(per_run["bare_" + key.split("_")[1]])
    return list(figures.values())
