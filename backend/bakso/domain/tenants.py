"""The kabupaten/kota a deployment serves: each one a tenant, configured as data.

A kabupaten is a folder (`data/kabupaten/<kode>/`, or one named by BAKSO_KABUPATEN_DIRS):
`kabupaten.json` (names, the request-code prefix, time zone, where to report a demand for
money, the Dukcapil office), optionally `wilayah.csv` (its regions; without it, its part of
the nationwide list) and `catalog.json` (changes to the services, domain/catalog.py).
Adding a kabupaten is adding a folder: nothing in the code names one.

Every record of a request, batch, worklist or audit entry belongs to the kabupaten of its
desa; an officer or admin belongs to one kabupaten and sees nothing of another. The first
kabupaten listed is the deployment's default: accounts and records from before #16, which
name none, belong to it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .localtime import is_zone
from .nationwide import FILE as NATIONWIDE_FILE
from .nationwide import HEADER
from .regions import Region, Regions, kabupaten_of

PACKAGED_DIR = Path(__file__).resolve().parents[1] / "data" / "kabupaten"
_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")
_PREFIX = re.compile(r"[A-Z0-9]{1,8}")


class TenantError(ValueError):
    """A kabupaten folder cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class DukcapilOffice:
    name: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Kabupaten:
    code: str  # Kemendagri code, "52.03"
    name: str  # "Kabupaten Lombok Timur"
    short_name: str  # "Lombok Timur": in sentences ("loket Dukcapil di setiap desa ...")
    code_prefix: str  # of its request codes, "LT" → LT-7K2P-9QXD
    timezone: str  # IANA zone of every date its people read
    report_channels: tuple[str, ...]  # where residents report a demand for money
    dukcapil: DukcapilOffice
    folder: Path

    @property
    def provinsi(self) -> str:
        return self.code[:2]

    @property
    def catalog_file(self) -> Path | None:
        """The kabupaten's changes to the services, if it has any."""
        path = self.folder / "catalog.json"
        return path if path.is_file() else None

    def public(self) -> dict[str, Any]:
        """What screens show of it (no folder)."""
        return {
            "code": self.code,
            "name": self.name,
            "short_name": self.short_name,
            "code_prefix": self.code_prefix,
            "timezone": self.timezone,
            "report_channels": list(self.report_channels),
            "dukcapil": {
                "name": self.dukcapil.name,
                "address": self.dukcapil.address,
                "phone": self.dukcapil.phone,
            },
        }


def _text(data: dict[str, Any], key: str, where: Path, *, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise TenantError(f"{where}: '{key}' must be a non-empty text")
    return value.strip()


def load_kabupaten(
    folder: Path, nationwide: dict[str, list[Region]] | None = None
) -> tuple[Kabupaten, list[Region]]:
    """One kabupaten folder: its settings and its regions (kabupaten, kecamatan, desa);
    `nationwide` holds the rows of the kabupaten already read from the nationwide list."""
    path = folder / "kabupaten.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TenantError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise TenantError(f"{path}: expected a JSON object")
    code = _text(data, "code", path)
    if not _CODE.fullmatch(code):
        raise TenantError(f"{path}: 'code' must be a kabupaten code like 52.03, not {code!r}")
    if folder.name != code:
        raise TenantError(f"{path}: the folder must be named after its code ({code})")
    prefix = _text(data, "code_prefix", path)
    if not _PREFIX.fullmatch(prefix):
        raise TenantError(f"{path}: 'code_prefix' must be 1 to 8 capital letters or digits")
    zone = _text(data, "timezone", path)
    if not is_zone(zone):
        raise TenantError(f"{path}: 'timezone' {zone!r} is not an IANA time zone")
    channels = data.get("report_channels")
    if (
        not isinstance(channels, list)
        or not channels
        or not all(isinstance(c, str) and c.strip() for c in channels)
    ):
        raise TenantError(f"{path}: 'report_channels' must be a non-empty list of texts")
    office = data.get("dukcapil")
    if not isinstance(office, dict):
        raise TenantError(f"{path}: 'dukcapil' must be an object with its name")
    kabupaten = Kabupaten(
        code=code,
        name=_text(data, "name", path),
        short_name=_text(data, "short_name", path),
        code_prefix=prefix,
        timezone=zone,
        report_channels=tuple(c.strip() for c in channels),
        dukcapil=DukcapilOffice(
            _text(office, "name", path),
            _text(office, "address", path, required=False),
            _text(office, "phone", path, required=False),
        ),
        folder=folder,
    )
    own = folder / "wilayah.csv"
    if own.is_file():
        rows = list(_csv_regions(own))
    else:
        rows = (nationwide or _nationwide_regions({code})).get(code, [])
    if not any(r.code == code and r.level in ("kabupaten", "kota") for r in rows):
        raise TenantError(f"{folder}: no region list holds kabupaten/kota {code}")
    if any(kabupaten_of(r.code) != code for r in rows if r.level not in ("provinsi",)):
        raise TenantError(f"{own}: every region must lie in {code}")
    return kabupaten, rows


def _csv_regions(path: Path) -> Iterator[Region]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield Region(row["kode"], row["nama"], row["tingkat"], row["kode_induk"])


def _nationwide_regions(codes: set[str]) -> dict[str, list[Region]]:
    """The rows of these kabupaten in the nationwide list: one pass over the file, at
    start-up (~70 ms), however many kabupaten take their regions from it."""
    found: dict[str, list[Region]] = {code: [] for code in codes}
    with gzip.open(NATIONWIDE_FILE, "rb") as raw:
        rows = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
        if next(rows) != HEADER:
            raise TenantError(f"{NATIONWIDE_FILE}: expected the columns {','.join(HEADER)}")
        for kode, nama, tingkat, induk in rows:
            into = found.get(kode[:5])
            if into is not None and tingkat != "provinsi":
                into.append(Region(kode, nama, tingkat, induk))
    return found


class Tenants:
    """The kabupaten of one deployment, and the regions of them all."""

    def __init__(self, loaded: Sequence[tuple[Kabupaten, list[Region]]]) -> None:
        if not loaded:
            raise TenantError("a deployment serves at least one kabupaten")
        self._by_code: dict[str, Kabupaten] = {}
        prefixes: dict[str, str] = {}
        rows: list[Region] = []
        for kabupaten, regions in loaded:
            if kabupaten.code in self._by_code:
                raise TenantError(f"kabupaten {kabupaten.code} is configured twice")
            other = prefixes.get(kabupaten.code_prefix)
            if other is not None:
                raise TenantError(
                    f"kabupaten {other} and {kabupaten.code} share the request-code prefix "
                    f"{kabupaten.code_prefix}: each needs its own, so a code names its kabupaten"
                )
            prefixes[kabupaten.code_prefix] = kabupaten.code
            self._by_code[kabupaten.code] = kabupaten
            rows.extend(regions)
        self.default = loaded[0][0]
        self.regions = Regions(rows)

    @classmethod
    def from_folders(cls, folders: Iterable[Path]) -> Tenants:
        paths = [Path(f) for f in folders]
        wanted = {p.name for p in paths if not (p / "wilayah.csv").is_file()}
        nationwide = _nationwide_regions(wanted) if wanted else {}
        return cls([load_kabupaten(p, nationwide) for p in paths])

    def __iter__(self) -> Iterator[Kabupaten]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def codes(self) -> list[str]:
        return list(self._by_code)

    def get(self, code: str | None) -> Kabupaten | None:
        return self._by_code.get(code) if code else None

    def of_desa(self, desa: str) -> Kabupaten:
        """The kabupaten a desa (or kecamatan) lies in; the default for an unknown code."""
        return self._by_code.get(kabupaten_of(desa), self.default)

    def in_provinsi(self, provinsi: str) -> list[Kabupaten]:
        return [k for k in self._by_code.values() if k.provinsi == provinsi]


def folders(codes: Sequence[str], extra_dirs: Sequence[str]) -> list[Path]:
    """The folders of the configured kabupaten: the packaged ones named in `codes` (all of
    them, in code order, when none is named; Lombok Timur is the only one shipped), then
    `extra_dirs`. The first is the default."""
    packaged = sorted(p.parent for p in PACKAGED_DIR.glob("*/kabupaten.json"))
    chosen = packaged if not codes else [PACKAGED_DIR / code for code in codes]
    missing = [p.name for p in chosen if not (p / "kabupaten.json").is_file()]
    if missing:
        raise TenantError(f"no packaged kabupaten folder for {', '.join(missing)}")
    return chosen + [Path(d) for d in extra_dirs]
