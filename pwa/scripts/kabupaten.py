"""Write src/data/kabupaten.json: every kabupaten/kota code python-stdnum knows nationwide.

The server refuses a NIK whose kabupaten is unknown (backend/bakso/domain/identity.py);
the PWA needs the same list offline. Run from the repo root with the project's venv:
    .venv/bin/python pwa/scripts/kabupaten.py
tests/unit/test_pwa_data.py fails when this file drifts from python-stdnum.
"""

from __future__ import annotations

import json
from pathlib import Path

from bakso.domain.identity import _known_kabupaten

OUT = Path(__file__).resolve().parents[1] / "src" / "data" / "kabupaten.json"


def known_codes() -> list[str]:
    return [f"{n:04d}" for n in range(10000) if _known_kabupaten(f"{n:04d}")]


if __name__ == "__main__":
    codes = known_codes()
    OUT.write_text(json.dumps({"source": "python-stdnum id/loc", "codes": " ".join(codes)}) + "\n")
    print(f"{len(codes)} kabupaten/kota -> {OUT}")
