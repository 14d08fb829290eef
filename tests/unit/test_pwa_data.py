"""Data the PWA ships for offline NIK checks must match what the server checks with."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pwa_kabupaten_list_matches_python_stdnum() -> None:
    script = runpy.run_path(str(ROOT / "pwa" / "scripts" / "kabupaten.py"))
    shipped = json.loads((ROOT / "pwa" / "src" / "data" / "kabupaten.json").read_text())
    assert shipped["codes"].split() == script["known_codes"](), (
        "pwa/src/data/kabupaten.json is stale: run .venv/bin/python pwa/scripts/kabupaten.py"
    )
    assert "5203" in shipped["codes"].split()  # Lombok Timur
    assert "5299" not in shipped["codes"].split()
