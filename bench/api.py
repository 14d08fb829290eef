"""§7 API: one request's whole way through the server — create (PUT /api/v1/requests/<uuid>),
its three scans (~300 KB document photos, each registered, uploaded and completed), submit,
and the worker's verification with its berkas.pdf, until GET says it is ready — by 20
clients at once, against BAKSO served as `bakso serve` serves it (waitress, 8 threads, the
in-process worker on). Nothing runs outside the timed part: a request's time ends when its
client sees it verified.

Baseline, same run: the same HTTP calls with the same bodies (300 KB uploads included) to bare
Flask routes that only read them, served the same way. The servers run one at a time.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from .common import Figure, median, percentile, serving
from .form_fields import valid_fields
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
        "fields": valid_fields(SERVICE),
    }


def scan_photos(kb: int, scale: float = 0.4) -> dict[str, bytes]:
    """Three document photos (bench.photos), re-encoded to about `kb` KB each, as the PWA's
    compression leaves them (it sends ~270–320 KB JPEGs of 1200×1600)."""
    from PIL import Image

    from .photos import KINDS, document_photo

    out = {}
    for n, (doc, (kind, (w, h))) in enumerate(zip(DOCS, KINDS, strict=True)):
        photo, _ = document_photo(n, kind, (int(w * scale), int(h * scale)))
        image = Image.open(io.BytesIO(photo))
        for quality in range(92, 20, -4):
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality)
            if buffer.tell() <= kb * 1024:
                break
        out[doc] = buffer.getvalue()
    return out


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


def phase(clients: list[Client], work: list[Any], step: Callable[[Client, Any], None]) -> float:
    """Run `step` over `work` spread across the clients at once; items done per second."""
    shares = [work[i :: len(clients)] for i in range(len(clients))]
    failures: list[str] = []
    start_gate = threading.Barrier(len(clients) + 1)

    def worker(n: int) -> None:
        start_gate.wait()
        for item in shares[n]:
            try:
                step(clients[n], item)
            except Exception as exc:  # reported below, with how many failed
                failures.append(str(exc)[:300])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(work)} failed, e.g. {failures[0]}")
    return len(work) / wall


def timed_call(
    times: dict[str, list[float]], name: str, call: Callable[[], requests.Response]
) -> Any:
    t0 = time.perf_counter()
    answer = call()
    times.setdefault(name, []).append(time.perf_counter() - t0)
    if answer.status_code >= 300:
        raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:200]}")
    return answer


def whole_way(
    client: Client,
    request_id: str,
    body: dict[str, Any],
    scans: dict[str, bytes],
    times: dict[str, list[float]],
    poll: float,
) -> None:
    """Create, attach the three scans, submit, and wait until the worker verified it."""
    t0 = time.perf_counter()
    timed_call(
        times, "create", lambda: client.call("PUT", f"/api/v1/requests/{request_id}", json=body)
    )
    for requirement, data in scans.items():
        u0 = time.perf_counter()
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
        answer = registered.json()
        upload = answer["upload"]
        url = upload["url"] if "://" in upload["url"] else client.base + upload["url"]
        put = client.http.request(
            upload["method"], url, data=data, headers=upload.get("headers", {}), timeout=60
        )
        put.raise_for_status()
        done = client.call(
            "POST", f"/api/v1/requests/{request_id}/scans/{answer['scan_id']}/complete"
        )
        done.raise_for_status()
        times.setdefault("scan", []).append(time.perf_counter() - u0)
    timed_call(
        times, "submit", lambda: client.call("POST", f"/api/v1/requests/{request_id}/submit")
    )
    while True:
        state = client.call("GET", f"/api/v1/requests/{request_id}")
        state.raise_for_status()
        found = state.json()
        if found.get("ready"):
            break
        if found.get("status") != "DIAJUKAN":
            raise RuntimeError(f"not verified: {found.get('status')} {found.get('verify_problem')}")
        time.sleep(poll)
    times.setdefault("whole", []).append(time.perf_counter() - t0)


def bare_way(
    client: Client,
    item: str,
    body: dict[str, Any],
    scans: dict[str, bytes],
    times: dict[str, list[float]],
    poll: float,
) -> None:
    """The same calls and bodies against bare routes: what HTTP alone costs here."""
    del poll
    t0 = time.perf_counter()
    timed_call(times, "create", lambda: client.call("PUT", f"/bare/{item}", json=body))
    for requirement, data in scans.items():
        u0 = time.perf_counter()
        meta = {"requirement": requirement, "sha256": hashlib.sha256(data).hexdigest()}
        client.call("POST", f"/bare/{item}", json=meta).raise_for_status()
        client.call("PUT", f"/bare/{item}/blob", data=data).raise_for_status()
        client.call("POST", f"/bare/{item}", json={}).raise_for_status()
        times.setdefault("scan", []).append(time.perf_counter() - u0)
    timed_call(times, "submit", lambda: client.call("POST", f"/bare/{item}", json={}))
    client.call("GET", "/bare").raise_for_status()
    times.setdefault("whole", []).append(time.perf_counter() - t0)


def all_the_way(
    clients: list[Client],
    way: Callable[..., None],
    count: int,
    scans: dict[str, bytes],
    poll: float,
) -> tuple[float, dict[str, list[float]]]:
    """`count` requests spread over the clients at once; (verified per second, step times)."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    times: dict[str, list[float]] = {}
    lock = threading.Lock()

    def step(client: Client, item: tuple[int, str]) -> None:
        mine: dict[str, list[float]] = {}
        way(client, item[1], draft(item[0]), scans, mine, poll)
        with lock:
            for key, values in mine.items():
                times.setdefault(key, []).extend(values)

    return phase(clients, list(enumerate(ids)), step), times


def run(
    work: Path, *, calls: int, runs: int, scan_kb: int = 320, scale: float = 0.4, poll: float = 0.05
) -> list[Figure]:
    section = "7 API (20 clients)"
    scans = scan_photos(scan_kb, scale)
    sizes = sorted(len(data) for data in scans.values())
    base = "bare Flask routes, same calls"
    figures = {
        "rate": Figure("api.whole.rps", section, "requests verified per second", "req/s"),
        "whole_p50": Figure(
            "api.whole.p50",
            section,
            f"create → 3 scans (~{sizes[1] // 1024} KB) → submit → verified (berkas.pdf made): p50",
            "ms",
        ),
        "whole_p99": Figure("api.whole.p99", section, "  the same: p99", "ms"),
        "create_p50": Figure("api.create.p50", section, "  create (PUT request): p50", "ms"),
        "scan_p50": Figure(
            "api.scan.p50", section, "  one scan: register, upload, complete: p50", "ms"
        ),
        "submit_p50": Figure("api.submit.p50", section, "  submit: p50", "ms"),
    }
    for figure in figures.values():
        figure.baseline_label = base
    figures["rate"].note = (
        f"{calls} requests per run, median of {runs} runs; scans {sizes[0] // 1024}–"
        f"{sizes[-1] // 1024} KB JPEG; verified = GET shows it ready (polled every"
        f" {poll * 1000:.0f} ms); waitress 8 threads, worker in-process"
    )
    per_run: dict[str, list[float]] = {}

    def record(prefix: str, rate: float, times: dict[str, list[float]]) -> None:
        per_run.setdefault(prefix + "rate", []).append(rate)
        for step in ("whole", "create", "scan", "submit"):
            per_run.setdefault(f"{prefix}{step}_p50", []).append(percentile(times[step], 50) * 1000)
        per_run.setdefault(prefix + "whole_p99", []).append(percentile(times["whole"], 99) * 1000)

    # Both servers are up for the whole run, each idle while the other is measured.
    with serving(["bare"]) as bare, serving(["bakso", "--data", str(work / "api-data")]) as bakso:
        bare_clients = [Client(bare.url) for _ in range(CLIENTS)]
        clients = [Client(bakso.url) for _ in range(CLIENTS)]
        for client in clients:
            client.login(USERS[0][0])
        for _ in range(runs):
            settle(bakso.process.pid)  # the previous run's last PDFs: before the timing starts
            record("bare_", *all_the_way(bare_clients, bare_way, calls, scans, poll))
            record("", *all_the_way(clients, whole_way, calls, scans, poll))

    for key, figure in figures.items():
        figure.runs = per_run[key]
        figure.value = median(per_run[key])
        figure.baseline = median(per_run["bare_" + key])
    return list(figures.values())
