"""Today's region codes for all of Indonesia (Kemendagri), for checking where a NIK or
No. KK was first registered: data/wilayah_indonesia.csv.gz, described in data/README.md.

A NIK keeps the code of its first registration while the list holds only today's codes,
so identity.py refuses only a province that never existed; a kabupaten or kecamatan the
list lacks (retired by a split, or mistyped) is a warning for the operator to check.

Read on first use and kept per process: the file is 700 KB gzipped and most requests come
from the deployment's own kabupaten, whose codes are in its own region file. Only the
province, kabupaten/kota and kecamatan codes are kept (about 8,000), not the 84,000 desa.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "data" / "wilayah_indonesia.csv.gz"
HEADER = ["kode", "nama", "tingkat", "kode_induk"]


@dataclass(frozen=True)
class NationalCodes:
    provinsi: dict[str, str]  # "52" -> "Nusa Tenggara Barat"
    kabupaten: dict[str, str]  # "52.01" -> "Kabupaten Lombok Barat" (kota too)
    kecamatan: frozenset[str]  # "52.01.01"


@cache
def national_codes(path: Path = FILE) -> NationalCodes:
    provinsi: dict[str, str] = {}
    kabupaten: dict[str, str] = {}
    kecamatan: set[str] = set()
    with gzip.open(path, "rb") as raw:
        rows = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        if next(rows) != HEADER:
            raise ValueError(f"{path}: expected the columns {','.join(HEADER)}")
        for code, name, level, _parent in rows:
            if level == "provinsi":
                provinsi[code] = name
            elif level in ("kabupaten", "kota"):
                kabupaten[code] = name
            elif level == "kecamatan":
                kecamatan.add(code)
    return NationalCodes(provinsi, kabupaten, frozenset(kecamatan))
