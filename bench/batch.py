"""§5 Batch build: BatchService.build over N requests × 3 scans, beside `zip -0 -r` of the same
scan files in the same run; peak memory (RSS of the building child process) at two sizes.

Requests are seeded straight through the records and blob ports (as tests/batches do): the
small set in one desa, the rest in another, so one seeded folder serves both sizes (a batch
filtered by desa, and a batch of everything). Each build runs in a fresh child process, so
its peak RSS is that build's alone; afterwards the requests are released for the next run.

    python -m bench.batch build DATA_DIR [--desa CODE]   (the child; prints one JSON line)
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from .common import MB, PYTHON, Figure, median, run_json, unmeasured

SMALL_DESA = "52.03.01.2001"
LARGE_DESA = "52.03.02.2002"
NOW = "2026-11-27T08:00:00.000+00:00"


def _services(data: Path) -> Any:
    from bakso import config
    from bakso.bootstrap import build_services

    return build_services(config.load({"DATA_DIR": str(data)}))


def _scan_bytes(rng: random.Random, size: int) -> bytes:
    """JPEG framing around incompressible bytes: what a compressed photo looks like to zip."""
    body = rng.randbytes(size - 6)
    return b"\xff\xd8\xff\xe0" + body + b"\xff\xd9"


def seed(data: Path, total: int, small: int, scan_kb: int) -> None:
    from bakso.domain.lifecycle import Status
    from bakso.domain.model import Event, Request, Scan, request_code

    svc = _services(data)
    rng = random.Random(8)  # noqa: S311 - test bytes, not secrets
    try:
        for i in range(total):
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            request = Request(
                id=rid,
                code=request_code(rid),
                service="KK_UBAH",
                desa=SMALL_DESA if i < small else LARGE_DESA,
                applicant={"nik": "5203015708900001", "name": f"Warga Uji {i}", "kk": None},
                subject=None,
                notes="",
                status=Status.DIAJUKAN,
                version=1,
                created_by="op.bench",
                created_at=NOW,
                updated_at=NOW,
                status_since=NOW,
                submission=1,
                ready_submission=1,
            )
            svc.records.create_request(request, Event(rid, NOW, "op.bench", None, Status.DIAJUKAN))
            for n, requirement in enumerate(("F101", "KK_LAMA", "BUKTI_PERISTIWA")):
                data_bytes = _scan_bytes(rng, int(scan_kb * 1024 * rng.uniform(0.9, 1.1)))
                key = f"scans/{rid}/{hashlib.sha256(data_bytes).hexdigest()}"
                svc.blobs.put(key, io.BytesIO(data_bytes), "image/jpeg")
                svc.records.add_scan(
                    Scan(
                        f"s{n}",
                        rid,
                        requirement,
                        hashlib.sha256(data_bytes).hexdigest(),
                        len(data_bytes),
                        "image/jpeg",
                        key,
                        "ok",
                        NOW,
                    )
                )
    finally:
        _close(svc)


def _close(svc: Any) -> None:
    for adapter in (svc.records, svc.queue):
        close = getattr(adapter, "close", None)
        if close:
            close()


def release(data: Path, batch_id: str, key: str | None) -> None:
    """Undo a build: the requests become claimable again and the zip goes."""
    svc = _services(data)
    try:
        for request in svc.records.requests_in_batch(batch_id):
            svc.records.save_request(replace(request, batch_id=None), request.version, None)
        if key:
            svc.blobs.delete(key)
    finally:
        _close(svc)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    """Forget the peak so far (Linux ≥ 4.0): building the services has a transient of its own
    (argon2's 64 MiB at start-up), which is not the build's."""
    Path("/proc/self/clear_refs").write_text("5")


def child_build(data: Path, desa: str | None) -> dict[str, Any]:
    from bakso.domain.model import Batch

    svc = _services(data)
    _reset_peak()
    rss_before = _status_kb("VmRSS")
    batch = Batch(
        id=uuid.uuid4().hex,
        created_by="dukcapil.bench",
        created_at=NOW,
        filters={"kecamatan": None, "desa": desa, "service": None},
    )
    svc.records.create_batch(batch)
    # Where the time goes, for the note: the build's own steps, timed in place.
    steps: dict[str, float] = {}

    def timing(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                steps[label] = steps.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)

    timing(svc.batches, "_claim", "claim")
    timing(svc.batches, "write_zip", "write_zip")
    timing(svc.blobs, "put", "store")
    start = time.perf_counter()
    svc.batches.build(batch.id)
    seconds = time.perf_counter() - start
    built = svc.records.get_batch(batch.id)
    peak_kb = _status_kb("VmHWM")
    _close(svc)
    return {
        "batch_id": batch.id,
        "key": built.key,
        "status": built.status,
        "count": built.count,
        "size": built.size,
        "seconds": seconds,
        "steps": steps,
        "rss_before": rss_before * 1024,
        "peak_rss": peak_kb * 1024,
    }


def build_once(data: Path, desa: str | None, expected: int) -> dict[str, Any]:
    args = [PYTHON, "-m", "bench.batch", "build", str(data)]
    if desa:
        args += ["--desa", desa]
    result = run_json(args, timeout=1200)
    release(data, result["batch_id"], result["key"])
    if result["status"] != "READY" or result["count"] != expected:
        raise RuntimeError(f"batch built {result['count']} of {expected}: {result['status']}")
    return result


def zip_once(blobs: Path, out_dir: Path) -> tuple[float, int]:
    out = out_dir / "baseline.zip"
    start = time.perf_counter()
    subprocess.run(["zip", "-0", "-r", "-q", str(out), "scans"], cwd=blobs, check=True)  # noqa: S603,S607
    seconds = time.perf_counter() - start
    size = out.stat().st_size
    out.unlink()
    return seconds, size


def run(work: Path, *, total: int, small: int, scan_kb: int, runs: int) -> list[Figure]:
    ratio = Figure(
        "batch.time_ratio",
        "5 Batch build",
        f"build {total} requests × 3 scans (~{scan_kb} KB) ÷ zip -0 -r of the same files",
        "x",
        budget=1.5,
        baseline_label="zip -0 -r",
        baseline_unit="s",
    )
    build_time = Figure(
        "batch.build_seconds", "5 Batch build", f"build time, {total} requests", "s"
    )
    write_time = Figure(
        "batch.write_zip_seconds", "5 Batch build", "  of which writing the zip (write_zip)", "s"
    )
    peak_small = Figure(
        "batch.peak_small",
        "5 Batch build",
        f"peak RSS of the build process, {small} requests",
        "bytes",
        budget=150 * MB,
        baseline_label="RSS before the build",
    )
    peak_large = Figure(
        "batch.peak_large",
        "5 Batch build",
        f"peak RSS of the build process, {total} requests",
        "bytes",
        budget=150 * MB,
        baseline_label="RSS before the build",
    )
    growth = Figure(
        "batch.peak_growth",
        "5 Batch build",
        f"peak RSS growth {small} → {total} requests, per 100 MB more zipped",
        "bytes",
        budget=2 * MB,
        baseline_label="extra data zipped",
    )
    figures = [ratio, build_time, write_time, peak_small, peak_large, growth]
    if shutil.which("zip") is None:
        return unmeasured(figures, "`zip` is not installed (apt-get install zip)")

    data = work / "batch-data"
    seed(data, total, small, scan_kb)
    builds: list[dict[str, Any]] = []
    zips: list[float] = []
    zip_size = 0
    with tempfile.TemporaryDirectory(dir=work) as out_dir:
        for _ in range(runs):  # interleaved, so both see the same machine load
            seconds, zip_size = zip_once(data / "blobs", Path(out_dir))
            zips.append(seconds)
            builds.append(build_once(data, None, total))
    smalls = [build_once(data, SMALL_DESA, small) for _ in range(runs)]

    ratio.runs = [b["seconds"] / z for b, z in zip(builds, zips, strict=True)]
    ratio.value = median(ratio.runs)
    ratio.baseline = median(zips)
    ratio.note = f"zip -0 median {median(zips):.2f} s for {zip_size / MB:.0f} MB"
    build_time.runs = [b["seconds"] for b in builds]
    build_time.value = median(build_time.runs)
    build_time.baseline = median(zips)
    build_time.baseline_label = "zip -0 -r"
    build_time.note = "as the worker does it: " + ", ".join(
        f"{step} {median([b['steps'].get(step, 0.0) for b in builds]):.1f} s"
        for step in ("claim", "write_zip", "store")
    )
    write_time.runs = [b["steps"]["write_zip"] for b in builds]
    write_time.value = median(write_time.runs)
    write_time.baseline = median(zips)
    write_time.baseline_label = "zip -0 -r"
    peak_small.runs = [s["peak_rss"] for s in smalls]
    peak_small.value = median(peak_small.runs)
    peak_small.baseline = median([s["rss_before"] for s in smalls])
    peak_large.runs = [b["peak_rss"] for b in builds]
    peak_large.value = median(peak_large.runs)
    peak_large.baseline = median([b["rss_before"] for b in builds])
    extra_bytes = median([b["size"] for b in builds]) - median([s["size"] for s in smalls])
    growth.value = max(0.0, peak_large.value - peak_small.value) / (extra_bytes / (100 * MB))
    growth.baseline = extra_bytes
    growth.note = (
        f"{(peak_large.value - peak_small.value) / MB:+.1f} MB for {extra_bytes / MB:.0f} MB more;"
        " flat = under 2 MB per 100 MB"
    )
    shutil.rmtree(data, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["build"])
    parser.add_argument("data")
    parser.add_argument("--desa")
    args = parser.parse_args()
    os.environ.setdefault("BAKSO_DATA_DIR", args.data)
    print(json.dumps(child_build(Path(args.data), args.desa)))


if __name__ == "__main__":
    main()
