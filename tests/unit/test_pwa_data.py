"""Data the PWA ships for offline NIK checks must match what the server checks with."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pwa_region_codes_match_the_servers_nationwide_list() -> None:
    script = runpy.run_path(str(ROOT / "pwa" / "scripts" / "wilayah.py"))
    shipped = json.loads((ROOT / "pwa" / "src" / "data" / "wilayah.json").read_text())
    assert shipped == script["compact_codes"](), (
        "pwa/src/data/wilayah.json is stale: run .venv/bin/python pwa/scripts/wilayah.py"
    )
    kabupaten = {entry.split(":")[0]: entry.split(":")[1] for entry in shipped["kecamatan"].split()}
    assert kabupaten["5203"] == "1-21"  # Lombok Timur: 21 kecamatan
    assert "6501" in kabupaten and "3218" in kabupaten  # made after python-stdnum's list
    assert "5299" not in kabupaten
    assert "65" in shipped["provinsi"].split() and "99" not in shipped["provinsi"].split()
