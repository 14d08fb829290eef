"""Write src/data/wilayah.json: today's province, kabupaten/kota and kecamatan codes of all
of Indonesia, from the server's backend/bakso/data/wilayah_indonesia.csv.gz.

The PWA checks where a NIK was first registered offline with the same codes as the server
(backend/bakso/domain/identity.py). Compact: the province codes, then per kabupaten its
kecamatan numbers as ranges ("5203:1-21" is 52.03.01 to 52.03.21), about 2 KB gzipped.
Run from the repo root with the project's venv:
    .venv/bin/python pwa/scripts/wilayah.py
tests/unit/test_pwa_data.py fails when this file drifts from the server's data.
"""

from __future__ import annotations

import json
from pathlib import Path

from bakso.domain.nationwide import national_codes

OUT = Path(__file__).resolve().parents[1] / "src" / "data" / "wilayah.json"
SOURCE = "Kemendagri (Kepmendagri 300.2.2-2138/2025) via cahyadsn/wilayah, MIT"


def _ranges(numbers: list[int]) -> str:
    runs: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if n is not None:
            start = previous = n
    return ",".join(runs)


def compact_codes() -> dict[str, str]:
    codes = national_codes()
    kecamatan: dict[str, list[int]] = {k: [] for k in codes.kabupaten}
    for code in codes.kecamatan:
        parent, _, number = code.rpartition(".")
        kecamatan[parent].append(int(number))
    return {
        "source": SOURCE,
        "provinsi": " ".join(sorted(codes.provinsi)),
        "kecamatan": " ".join(
            k.replace(".", "") + ":" + (_ranges(sorted(ns)) if ns else "")
            for k, ns in sorted(kecamatan.items())
        ),
    }


if __name__ == "__main__":
    data = compact_codes()
    OUT.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(data['kecamatan'].split())} kabupaten/kota -> {OUT}")
