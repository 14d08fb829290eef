"""`python -m bench --smoke`: every benchmark at tiny sizes, so `make bench` cannot rot.

Marked e2e (it drives Chromium against the built PWA): `make bench-smoke`, part of `make test`,
runs it after `make pwa` and `make browser`. The figures' values are not judged here, only that
each one was measured, with its budget and its baseline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e]


def test_smoke_run_measures_every_figure_beside_its_baseline(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "backend"), str(REPO)])}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:] + done.stdout[-2000:]
    results = json.loads(out.read_text())
    assert results["mode"] == "smoke"
    assert results["failed_sections"] == []
    figures = {f["key"]: f for f in results["figures"]}
    sections = {f["section"].split(" ", 1)[0] for f in figures.values()}
    assert sections == {"1", "2", "3", "4", "5", "6", "7"}
    unmeasured = [f"{k}: {f['note']}" for k, f in figures.items() if f["value"] is None]
    assert unmeasured == []
    for key in ("pwa.js_css_gzip", "load.first_visit", "load.repeat_offline", "scan.size"):
        assert figures[key]["budget"] is not None and figures[key]["baseline"] is not None, key
    for key in ("sync.ratio", "batch.time_ratio", "batch.peak_large", "import.web"):
        assert figures[key]["budget"] is not None, key
    for key in ("batch.time_ratio", "import.web", "import.worker", "api.create.rps"):
        assert figures[key]["baseline"] is not None, key
    # The one table, with the budgets' verdicts.
    assert "| §" in done.stdout and "figure" in done.stdout
