"""`make bench` (python -m bench): the budgets of DESIGN §6, each beside a baseline measured in
the same run; one table on stdout, every figure in bench/results.json. A full run also puts
the table into docs/benchmarks.md. `--smoke` runs everything at tiny sizes (make test).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .common import REPO, Figure, fmt

# A new section: its name here, its sizes in FULL and SMOKE, its import in section_runner
SECTIONS = (
    "weight", "load", "scans", "sync", "batch", "imports", "api", "lists", "worklist", "peak",
)  # fmt: skip
DOCS = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:table -->", "<!-- /bench:table -->"

# Sizes and repeats: the full run as the issue sets it, the smoke run as small as still works.
FULL: dict[str, dict[str, Any]] = {
    "weight": {"runs": 3},
    "load": {"runs": 3},
    "scans": {"count": 3},
    "sync": {"count": 10, "runs": 3},
    "batch": {"total": 1000, "small": 100, "scan_kb": 300, "runs": 3},
    "imports": {"runs": 9},
    "api": {"calls": 120, "runs": 3},
    "lists": {"small": 1000, "large": 100_000, "calls": 30, "runs": 3},
    "worklist": {"rows": 2000},
    "peak": {"desa": 50, "requests": 1, "scans": 3},
}
SMOKE: dict[str, dict[str, Any]] = {
    "weight": {"runs": 1},
    "load": {"runs": 1},
    "scans": {"count": 1, "scale": 0.3},
    "sync": {"count": 2, "runs": 1, "clean_runs": 0, "scale": 0.3},
    "batch": {"total": 12, "small": 4, "scan_kb": 20, "runs": 1},
    "imports": {"runs": 1, "explain": False},
    "api": {"calls": 6, "runs": 1, "scan_kb": 20, "scale": 0.1},
    "lists": {"small": 20, "large": 200, "calls": 2, "runs": 1},
    "worklist": {"rows": 30},
    "peak": {"desa": 3, "requests": 1, "scans": 1},
}


def section_runner(name: str) -> Callable[..., list[Figure]]:
    # Imported on demand: a section's failure to import must not stop the others.
    if name == "weight":
        from .pwa import run_weight

        return run_weight
    if name == "load":
        from .pwa import run_load

        return run_load
    if name == "scans":
        from .scans import run as run_scans

        return run_scans
    if name == "sync":
        from .sync import run as run_sync

        return run_sync
    if name == "batch":
        from .batch import run as run_batch

        return run_batch
    if name == "imports":
        from .imports import run as run_imports

        return lambda work, **kw: run_imports(**kw)
    if name == "lists":  # §8 list paths flat in data (bench/lists.py)
        from .lists import run as run_lists

        return run_lists
    if name == "worklist":  # §9 the worklist synced by change (bench/worklist.py)
        from .worklist import run as run_worklist

        return run_worklist
    if name == "peak":  # §10 a morning peak, and DynamoDB operations per key (bench/load.py)
        from .load import run as run_peak

        return run_peak
    from .api import run as run_api

    return run_api


def verdict_cell(figure: Figure) -> str:
    return {"ok": "ok", "OVER": "OVER", "-": "", "not measured": "n/m"}[figure.verdict]


def budget_cell(figure: Figure) -> str:
    if figure.budget is None:
        return ""
    return f"{'≤' if figure.op == '<=' else '≥'} {fmt(figure.budget, figure.unit)}"


def baseline_cell(figure: Figure) -> str:
    if figure.baseline is None:
        return ""
    value = fmt(figure.baseline, figure.baseline_unit or figure.unit)
    return f"{value} ({figure.baseline_label})" if figure.baseline_label else value


def table(figures: list[Figure]) -> str:
    """A Markdown table (readable as plain text too), notes numbered beneath it."""
    rows = [("§", "figure", "value", "budget", "baseline, same run", "")]
    notes: list[str] = []
    for figure in figures:
        name = figure.name
        if figure.note:
            notes.append(figure.note)
            name += f" [{len(notes)}]"
        value = fmt(figure.value, figure.unit) if figure.value is not None else "not measured"
        rows.append(
            (
                figure.section.split(" ", 1)[0],
                name,
                value,
                budget_cell(figure),
                baseline_cell(figure),
                verdict_cell(figure),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines.append("")
    lines.extend(f"[{i}] {note}" for i, note in enumerate(notes, 1))
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    chromium = os.environ.get("BAKSO_CHROMIUM", "/usr/bin/chromium")
    version = ""
    if Path(chromium).exists():
        done = subprocess.run(  # noqa: S603
            [chromium, "--version"], capture_output=True, text=True, check=False, timeout=30
        )
        version = done.stdout.strip()
    tesseract = shutil.which("tesseract")
    return {
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "chromium": version,
        "tesseract": tesseract or None,
        "zip": shutil.which("zip"),
    }


def write_docs(text: str, meta: dict[str, Any]) -> None:
    if not DOCS.is_file() or BEGIN not in DOCS.read_text():
        return
    block = (
        f"{BEGIN}\nMeasured {meta['generated_at'][:16].replace('T', ' ')} UTC on"
        f" {meta['machine']['cpus']} cores (load average before the run"
        f" {meta['machine']['load_average'][0]:.1f}), Python {meta['machine']['python']},"
        f" {meta['machine']['chromium'] or 'no Chromium'}; {meta['seconds']:.0f} s.\n\n"
        f"{text}\n{END}"
    )
    doc = DOCS.read_text()
    doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    DOCS.write_text(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--only", help=f"comma-separated sections of: {', '.join(SECTIONS)}")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    chosen = args.only.split(",") if args.only else list(SECTIONS)
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    sizes = SMOKE if args.smoke else FULL
    meta: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "smoke" if args.smoke else "full",
        "machine": machine(),
    }
    started = time.monotonic()
    figures: list[Figure] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bakso-bench-") as tmp:
        for name in SECTIONS:
            if name not in chosen:
                continue
            work = Path(tmp) / name
            work.mkdir()
            t0 = time.monotonic()
            print(f"bench: {name} …", file=sys.stderr, flush=True)
            try:
                figures += section_runner(name)(work, **sizes[name])
            except Exception as exc:
                traceback.print_exc()
                failed.append(name)
                figures.append(
                    Figure(f"{name}.error", name, f"{name}: failed", "", note=f"error: {exc}"[:300])
                )
            print(f"bench: {name} done in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    meta["seconds"] = time.monotonic() - started
    text = table(figures)
    print(text)
    meta["figures"] = [f.to_json() for f in figures]
    meta["failed_sections"] = failed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    if not args.smoke and not args.only and not args.no_docs:
        write_docs(text, meta)
    return 1 if failed else 0
