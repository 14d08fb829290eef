"""One lifecycle table for the server and the PWA: backend/bakso/data/lifecycle.json.

domain/lifecycle.py builds TRANSITIONS from it and pwa/src/lib/lifecycle.ts imports it at build
time; these fail when either side stops reading it or restates the table on its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bakso.domain.lifecycle import EDITABLE, FINAL, NEEDS_REASON, TRANSITIONS, Status

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "backend" / "bakso" / "data" / "lifecycle.json"
PWA = ROOT / "pwa" / "src"


def test_transitions_are_the_data_file() -> None:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    table = {(m["from"], m["to"]): set(m["by"]) for m in data["transitions"]}
    assert len(table) == len(data["transitions"]), "a move is listed twice"
    assert table == {
        (a.value, b.value): {r.value for r in roles} for (a, b), roles in TRANSITIONS.items()
    }
    assert data["statuses"] == [s.value for s in Status]
    assert set(data["final"]) == {s.value for s in FINAL}
    assert set(data["editable"]) == {s.value for s in EDITABLE}
    assert set(data["needs_reason"]) == {s.value for s in NEEDS_REASON}


def test_the_pwa_imports_the_same_file() -> None:
    source = (PWA / "lib" / "lifecycle.ts").read_text(encoding="utf-8")
    imported = re.findall(r"^import \w+ from '([^']+\.json)';", source, re.M)
    assert imported, "pwa/src/lib/lifecycle.ts no longer imports the lifecycle data"
    assert all((PWA / "lib" / path).resolve() == DATA.resolve() for path in imported)


def test_no_pwa_module_restates_the_table() -> None:
    # e.g. `DITERIMA: ['DIPROSES', …]` or `new Set(['DRAF', 'PERLU_PERBAIKAN'])`
    status = "|".join(s.value for s in Status)
    table_row = re.compile(rf"\b({status})\s*:\s*\[\s*'({status})'")
    editable = re.compile(r"new Set\(\[\s*'DRAF',\s*'PERLU_PERBAIKAN'\s*\]\)")
    reasons = re.compile(r"new Set\(\[\s*'PERLU_PERBAIKAN',\s*'DITOLAK'\s*\]\)")
    for path in sorted(PWA.rglob("*.ts*")):
        text = path.read_text(encoding="utf-8")
        for pattern in (table_row, editable, reasons):
            assert not pattern.search(text), f"{path.relative_to(ROOT)} restates lifecycle.json"
