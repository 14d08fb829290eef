"""§5 Batch build: every build step of a batch of N requests × 3 scans, each request with the
real `berkas.pdf` the worker builds for it, beside `zip -0 -r` of the same files (scans and
berkas.pdf) in the same run; peak memory (RSS of the building child process) at two sizes;
and the modelled Lambda time of one build step and of a 5,000-request batch.

Requests are seeded straight through the records and blob ports (as tests/batches do), then
verified by the product's own RequestService.verify_submission, which writes their berkas.pdf:
the small set in one desa, the rest in another, so one seeded folder serves both sizes (a
batch filtered by desa, and a batch of everything). Each build runs in a fresh child process,
so its peak RSS is that build's alone; afterwards the requests are released for the next run.

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
from .form_fields import valid_fields

SMALL_DESA = "52.03.01.2001"
LARGE_DESA = "52.03.02.2002"
NOW = "2026-11-27T08:00:00.000+00:00"


def _services(data: Path) -> Any:
    from bakso import config
    from bakso.bootstrap import build_services

    return build_services(config.load({"DATA_DIR": str(data)}))


def _jpeg_header() -> bytes:
    """A real JPEG's headers (1200×1600, as the PWA sends) up to its scan data."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1200, 1600), (200, 200, 190)).save(out, "JPEG", quality=70)
    data = out.getvalue()
    sos = data.index(b"\xff\xda")
    length = int.from_bytes(data[sos + 2 : sos + 4], "big")
    return data[: sos + 2 + length]


def _scan_bytes(rng: random.Random, header: bytes, size: int) -> bytes:
    """A real JPEG header around incompressible scan data: a compressed photo, to zip and to
    fpdf2 (which embeds JPEG bytes as they are)."""
    body = rng.randbytes(max(size - len(header) - 2, 0)).replace(b"\xff", b"\xfe")
    return header + body + b"\xff\xd9"


def seed(data: Path, total: int, small: int, scan_kb: int) -> None:
    from bakso.domain.lifecycle import Status
    from bakso.domain.model import Event, Request, Scan, request_code

    svc = _services(data)
    rng = random.Random(8)  # noqa: S311 - test bytes, not secrets
    header = _jpeg_header()
    fields = valid_fields("KK_UBAH")  # the form a submitted request carries (docs/forms.md)
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
                fields=fields,
                notes="",
                status=Status.DIAJUKAN,
                version=1,
                created_by="op.bench",
                created_at=NOW,
                updated_at=NOW,
                status_since=NOW,
                submission=1,
                ready_submission=0,
            )
            svc.records.create_request(request, Event(rid, NOW, "op.bench", None, Status.DIAJUKAN))
            for n, requirement in enumerate(("F101", "KK_LAMA", "BUKTI_PERISTIWA")):
                data_bytes = _scan_bytes(rng, header, int(scan_kb * 1024 * rng.uniform(0.9, 1.1)))
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
            # The worker's own verification writes the request's real berkas.pdf.
            svc.requests.verify_submission(rid, 1)
            if not svc.records.get_request(rid).ready:
                raise RuntimeError("a seeded request failed verification")
    finally:
        _close(svc)


def _close(svc: Any) -> None:
    for adapter in (svc.records, svc.queue):
        close = getattr(adapter, "close", None)
        if close:
            close()


def release(data: Path, batch_id: str, keys: list[str]) -> None:
    """Undo a build: the requests become claimable again and the volumes go."""
    svc = _services(data)
    try:
        for request in svc.records.requests_in_batch(batch_id):
            svc.records.save_request(replace(request, batch_id=None), request.version, None)
        for key in keys:
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
    """Create a batch and run every build step in this process, as the worker would."""
    from bakso.domain.lifecycle import Role
    from bakso.domain.model import Actor
    from bakso.services.batches import BatchFilters

    svc = _services(data)
    _reset_peak()
    rss_before = _status_kb("VmRSS")
    actor = Actor("dukcapil.bench", Role.DUKCAPIL, None)
    # Where the time goes: each phase's steps, timed in place.
    phases: dict[str, float] = {}
    counts: dict[str, int] = {}
    start = time.perf_counter()
    batch = svc.batches.create(actor, BatchFilters(desa=desa))
    svc.queue.receive(max_messages=10, visibility_timeout=3600)  # the build runs here instead
    while batch.status == "BUILDING":
        phase = batch.phase
        began = time.perf_counter()
        svc.batches.build_step(batch.id, batch.step)
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - began
        counts[phase] = counts.get(phase, 0) + 1
        batch = svc.records.get_batch(batch.id)
    seconds = time.perf_counter() - start
    peak_kb = _status_kb("VmHWM")
    _close(svc)
    return {
        "batch_id": batch.id,
        "keys": [v.key for v in batch.volumes if v.key],
        "status": batch.status,
        "count": batch.count,
        "size": sum(v.size for v in batch.volumes),
        "volumes": len(batch.volumes),
        "seconds": seconds,
        "phases": phases,
        "steps": counts,
        "rss_before": rss_before * 1024,
        "peak_rss": peak_kb * 1024,
    }


def build_once(data: Path, desa: str | None, expected: int) -> dict[str, Any]:
    args = [PYTHON, "-m", "bench.batch", "build", str(data)]
    if desa:
        args += ["--desa", desa]
    result = run_json(args, timeout=1200)
    release(data, result["batch_id"], result["keys"])
    if result["status"] != "READY" or result["count"] != expected:
        raise RuntimeError(f"batch built {result['count']} of {expected}: {result['status']}")
    return result


def zip_once(blobs: Path, out_dir: Path) -> tuple[float, int]:
    out = out_dir / "baseline.zip"
    start = time.perf_counter()
    subprocess.run(  # noqa: S603
        ["zip", "-0", "-r", "-q", str(out), "scans", "berkas"],  # noqa: S607
        cwd=blobs,
        check=True,
    )
    seconds = time.perf_counter() - start
    size = out.stat().st_size
    out.unlink()
    return seconds, size


# The Lambda model (docs/batches.md): figures for S3 and DynamoDB from inside the region,
# conservative for a 1,024 MB worker. Each build step is its calls × latency plus its bytes
# at S3's single-stream rate (read and multipart write each), plus this machine's CPU time
# for the same work (zipping, hashing), measured here.
LAMBDA_CALL_SECONDS = 0.010  # one DynamoDB call or S3 HEAD/small GET
LAMBDA_FIRST_BYTE_SECONDS = 0.030  # an S3 GET until the first byte
LAMBDA_S3_BYTES_PER_SECOND = 80 * MB  # one stream, each way
MODEL_REQUESTS = 5000
MODEL_SCANS = 4
MODEL_SCAN_BYTES = 330 * 1024  # DESIGN §6: ≤ 350 KB a scan
MODEL_STEP_REQUESTS = 100
MODEL_VOLUME_REQUESTS = 250


def lambda_model(cpu_seconds_per_byte: float) -> dict[str, float]:
    """Modelled seconds of each kind of build step on Lambda, and of a whole 5,000 × 4 batch."""
    per_request = MODEL_SCANS * MODEL_SCAN_BYTES * 2  # berkas.pdf carries the scans again
    gather = (1 + MODEL_STEP_REQUESTS + 3) * LAMBDA_CALL_SECONDS
    plan = (2 + 2 * MODEL_STEP_REQUESTS) * LAMBDA_CALL_SECONDS
    volume_bytes = MODEL_VOLUME_REQUESTS * per_request
    files = MODEL_VOLUME_REQUESTS * (MODEL_SCANS + 1)
    pack = (
        (3 + MODEL_VOLUME_REQUESTS) * LAMBDA_CALL_SECONDS
        + files * LAMBDA_FIRST_BYTE_SECONDS
        + 2 * volume_bytes / LAMBDA_S3_BYTES_PER_SECOND
        + volume_bytes * cpu_seconds_per_byte
    )
    steps = MODEL_REQUESTS / MODEL_STEP_REQUESTS
    volumes = MODEL_REQUESTS / MODEL_VOLUME_REQUESTS
    return {
        "gather": gather,
        "plan": plan,
        "pack": pack,
        "pack_bytes": volume_bytes,
        "batch": steps * gather + steps * plan + volumes * pack,
        "volumes": volumes,
    }


def run(work: Path, *, total: int, small: int, scan_kb: int, runs: int) -> list[Figure]:
    ratio = Figure(
        "batch.time_ratio",
        "5 Batch build",
        f"build {total} requests × 3 scans (~{scan_kb} KB) + berkas.pdf ÷ zip -0 -r of the"
        " same files",
        "x",
        budget=1.2,
        baseline_label="zip -0 -r",
        baseline_unit="s",
    )
    build_time = Figure(
        "batch.build_seconds", "5 Batch build", f"build time, {total} requests, all steps", "s"
    )
    pack_time = Figure(
        "batch.pack_seconds", "5 Batch build", "  of which packing the volumes (pack steps)", "s"
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
    step_model = Figure(
        "batch.lambda_pack_step",
        "5 Batch build",
        f"modelled Lambda time of one pack step ({MODEL_VOLUME_REQUESTS} requests ×"
        f" {MODEL_SCANS} scans + berkas.pdf) [model]",
        "s",
        budget=15 * 60,
        baseline_label="Lambda's limit",
    )
    batch_model = Figure(
        "batch.lambda_batch",
        "5 Batch build",
        f"modelled Lambda time of a {MODEL_REQUESTS}-request batch, all steps in turn [model]",
        "s",
    )
    figures = [
        ratio,
        build_time,
        pack_time,
        peak_small,
        peak_large,
        growth,
        step_model,
        batch_model,
    ]
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
    ratio.note = (
        f"zip -0 median {median(zips):.2f} s for {zip_size / MB:.0f} MB; ours"
        f" {median([b['size'] for b in builds]) / MB:.0f} MB in"
        f" {builds[0]['volumes']} volumes"
    )
    build_time.runs = [b["seconds"] for b in builds]
    build_time.value = median(build_time.runs)
    build_time.baseline = median(zips)
    build_time.baseline_label = "zip -0 -r"
    build_time.note = "by phase: " + ", ".join(
        f"{phase} {median([b['phases'].get(phase, 0.0) for b in builds]):.2f} s"
        f" in {builds[0]['steps'].get(phase, 0)} steps"
        for phase in ("gather", "plan", "pack")
    )
    pack_time.runs = [b["phases"].get("pack", 0.0) for b in builds]
    pack_time.value = median(pack_time.runs)
    pack_time.baseline = median(zips)
    pack_time.baseline_label = "zip -0 -r"
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
    # CPU per byte packed, as measured here (the local pack also reads from a folder).
    cpu_per_byte = pack_time.value / max(1, median([b["size"] for b in builds]))
    model = lambda_model(cpu_per_byte)
    step_model.value = model["pack"]
    step_model.baseline = 15 * 60
    step_model.note = (
        f"{model['pack_bytes'] / MB:.0f} MB a volume; gather step {model['gather']:.1f} s,"
        f" plan step {model['plan']:.1f} s (100 requests each); memory: one 16 MB part,"
        " /tmp: none"
    )
    batch_model.value = model["batch"]
    batch_model.note = (
        f"{MODEL_REQUESTS // MODEL_STEP_REQUESTS} gather + {MODEL_REQUESTS // MODEL_STEP_REQUESTS}"
        f" plan + {model['volumes']:.0f} pack steps, each its own invocation"
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
