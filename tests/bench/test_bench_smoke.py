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
    assert sections == {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}
    unmeasured = [f"{k}: {f['note']}" for k, f in figures.items() if f["value"] is None]
    assert unmeasured == []
    # What a phone receives and waits for, judged against DESIGN §6's budgets.
    budgets = {
        "pwa.login_js_css": 50 * 1024,
        "pwa.first_visit_wire": 100 * 1024,
        "load.first_visit": 3.0,
        "load.offline_capable": 6.0,
        "load.repeat_offline": 1.0,
        "scan.size": 350 * 1024,
    }
    for key, budget in budgets.items():
        assert figures[key]["budget"] == budget and figures[key]["baseline"] is not None, key
    # The whole visit holds the login screen's code and the service worker's precache.
    assert figures["pwa.first_visit_wire"]["value"] > figures["pwa.login_js_css"]["value"] > 0
    assert figures["pwa.operator_first_screen"]["value"] > 0
    for key in ("sync.ratio", "batch.time_ratio", "batch.peak_large", "import.web"):
        assert figures[key]["budget"] is not None, key
    for key in ("batch.time_ratio", "import.web", "import.worker", "scan.main_thread_cpu6_ms"):
        assert figures[key]["baseline"] is not None, key
    # The API's figure runs to the worker's verification, beside the same calls to bare routes.
    for key in ("api.whole.p50", "api.whole.rps", "api.scan.p50", "api.submit.p50"):
        assert figures[key]["baseline"] is not None, key
    # The worklist synced by change: one row's delta, beside the whole list's download.
    delta = figures["worklist.delta"]
    assert delta["budget"] == 5 and delta["baseline"] > delta["value"] > 0
    assert "(1 row)" in delta["note"] and "30 rows" in delta["note"]
    # The one table, with the budgets' verdicts.
    assert "| §" in done.stdout and "figure" in done.stdout
