"""What every benchmark shares: figures, medians, sizes, child processes, free ports."""

from __future__ import annotations

import json
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KB = 1024
MB = 1024 * 1024


@dataclass
class Figure:
    """One line of the table: a value beside its budget and a baseline from the same run.

    `value` is None when the figure could not be measured; `note` then says why.
    `verdict` compares the value to the budget with `op` ("<=" or ">="); figures without
    a budget (informative ones) have `budget` None and no verdict.
    """

    key: str
    section: str
    name: str
    unit: str
    value: float | None = None
    budget: float | None = None
    op: str = "<="
    baseline: float | None = None
    baseline_label: str = ""
    baseline_unit: str = ""  # when the baseline is not in `unit` (a ratio's denominator)
    runs: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "not measured"
        if self.budget is None:
            return "-"
        ok = self.value <= self.budget if self.op == "<=" else self.value >= self.budget
        return "ok" if ok else "OVER"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict
        return data


def unmeasured(figures: Sequence[Figure], reason: str) -> list[Figure]:
    """Mark every figure of a section as not measured, saying why (never a made-up number)."""
    for figure in figures:
        figure.value = None
        figure.baseline = None
        figure.runs = []
        figure.note = reason
    return list(figures)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return float(ordered[rank - 1])


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment for child Python processes: the repo's backend importable."""
    env = dict(os.environ)
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), str(REPO / "backend"), env.get("PYTHONPATH", "")) if p
    )
    return env


def run_json(args: Sequence[str], timeout: float = 600, **extra_env: str) -> dict[str, Any]:
    """Run a child process that prints one JSON object as its last line of stdout."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_env(**extra_env),
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed: {done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


class Server:
    """A child process serving a WSGI app with waitress, as `bakso serve` does (bench.serve)."""

    def __init__(self, args: Sequence[str], **extra_env: str) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [PYTHON, "-m", "bench.serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=child_env(**extra_env),
            cwd=REPO,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError("bench server did not start")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def serving(args: Sequence[str], **extra_env: str) -> Iterator[Server]:
    server = Server(args, **extra_env)
    try:
        yield server
    finally:
        server.stop()


def fmt_bytes(value: float) -> str:
    if value >= MB:
        return f"{value / MB:.2f} MB"
    if value >= KB:
        return f"{value / KB:.1f} KB"
    return f"{value:.0f} B"


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "bytes":
        return fmt_bytes(value)
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "x":
        return f"{value:.2f}×"
    if unit == "req/s":
        return f"{value:.0f} req/s"
    if unit == "%":
        return f"{value:.0f} %"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "dB":
        return f"{value:.1f} dB"
    return f"{value:g} {unit}".strip()
