"""Kemendagri region codes (kabupaten, kecamatan, desa/kelurahan)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def kabupaten_of(desa: str) -> str:
    """The kabupaten/kota of a desa (or kecamatan) code: its first two parts, "52.03"."""
    return desa[:5]


@dataclass(frozen=True)
class Region:
    code: str  # dotted Kemendagri code, e.g. 52.03.01.2001
    name: str
    level: str  # kabupaten | kecamatan | desa | kelurahan
    parent: str


class Regions:
    """The regions one deployment serves: those of each of its kabupaten (domain/tenants.py),
    from seed CSVs (kode,nama,tingkat,kode_induk)."""

    def __init__(self, rows: Iterable[Region]) -> None:
        self._by_code = {r.code: r for r in rows}
        self._kabupaten = sorted(
            (r for r in self._by_code.values() if r.level in ("kabupaten", "kota")),
            key=lambda r: r.code,
        )
        if not self._kabupaten:
            raise ValueError("the regions must hold at least one kabupaten/kota")

    @classmethod
    def from_csv(cls, path: Path) -> Regions:
        with path.open(encoding="utf-8", newline="") as handle:
            return cls(
                Region(row["kode"], row["nama"], row["tingkat"], row["kode_induk"])
                for row in csv.DictReader(handle)
            )

    def kabupaten(self) -> list[Region]:
        """The kabupaten/kota served, in code order."""
        return list(self._kabupaten)

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def is_desa(self, code: str) -> bool:
        region = self._by_code.get(code)
        return region is not None and region.level in ("desa", "kelurahan")

    def kecamatan_of(self, desa_code: str) -> str:
        return desa_code.rsplit(".", 1)[0]

    def desa_of_kecamatan(self, kecamatan: str) -> list[str]:
        """The codes of the desa/kelurahan of one kecamatan, in code order."""
        return [r.code for r in self.desa() if r.parent == kecamatan]

    def kecamatan(self, kabupaten: str | None = None) -> list[Region]:
        """The kecamatan of one kabupaten (of all, without one), in code order."""
        return sorted(
            (
                r
                for r in self._by_code.values()
                if r.level == "kecamatan" and (kabupaten is None or r.parent == kabupaten)
            ),
            key=lambda r: r.code,
        )

    def desa(self, kabupaten: str | None = None) -> list[Region]:
        """The desa/kelurahan of one kabupaten (of all, without one), in code order."""
        return sorted(
            (
                r
                for r in self._by_code.values()
                if r.level in ("desa", "kelurahan")
                and (kabupaten is None or kabupaten_of(r.code) == kabupaten)
            ),
            key=lambda r: r.code,
        )
