"""Coverage figures per kabupaten, kecamatan and desa, read from stored counters.

A page view reads one counter item per scope shown (a Get, or one Query for
the scopes under a parent); nothing reads the rows or requests themselves.
The counters are kept by SasaranService on every row and request change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.lifecycle import LABELS, Role, Status
from ..domain.model import Actor
from ..domain.regions import Region, Regions, kabupaten_of
from ..domain.sasaran import Category, Outcome, figures, merge_counters
from ..domain.sasaran.vocabulary import CATEGORY_LABELS, OUTCOME_LABELS
from ..ports import CounterStore

LEVELS = ("kabupaten", "kecamatan", "desa")
UPGRADE_PAGE = 100  # counter items moved per store call


class CoverageService:
    def __init__(
        self,
        store: CounterStore,
        regions: Regions,
        clock: Callable[[], datetime],
        default_kabupaten: str,
    ) -> None:
        self.store = store
        self.regions = regions
        self.clock = clock
        # Whose figures the system reads (officers' actors always name their kabupaten).
        self.default_kabupaten = default_kabupaten

    def coverage(
        self,
        actor: Actor,
        *,
        level: str | None,
        kecamatan: str | None,
        desa: str | None,
        kabupaten: str | None = None,
    ) -> dict[str, Any]:
        """Figures for every scope of `level` (optionally within one kecamatan), and their total.

        An operator always gets their own desa, whatever level was asked; a Dukcapil
        officer or admin their own kabupaten's scopes. Asking for another desa,
        kecamatan or kabupaten is answered as if it did not exist. The province role
        reads its served kabupaten side by side, or one kabupaten's kecamatan (_province).
        """
        if actor.role is Role.PROVINSI:
            return self._province(actor, level, kabupaten, kecamatan, desa)
        if actor.role is Role.OPERATOR:
            assert actor.desa is not None
            own_kecamatan = self.regions.kecamatan_of(actor.desa)
            if (
                (desa and desa != actor.desa)
                or (kecamatan and kecamatan != own_kecamatan)
                or (kabupaten and kabupaten != kabupaten_of(actor.desa))
            ):
                raise NotFound("Wilayah tidak ditemukan.")
            level, kecamatan, desa = "desa", None, actor.desa
        own = kabupaten_of(actor.desa) if actor.desa else actor.kabupaten
        own = own or self.default_kabupaten
        if kabupaten and kabupaten != own:
            raise NotFound("Wilayah tidak ditemukan.")
        # Whatever the level asked, a kecamatan or desa named must be the caller's: the
        # answer names them, so another kabupaten's code must not come back labelled.
        for code in (kecamatan, desa):
            if code and (self.regions.get(code) is None or kabupaten_of(code) != own):
                raise NotFound("Wilayah tidak ditemukan.")
        level = level or "kecamatan"
        if level not in LEVELS:
            raise InvalidInput("Parameter level harus kabupaten, kecamatan atau desa.")
        scopes, counters = self._scopes(own, level, kecamatan, desa)
        return self._report(level, own, kecamatan, desa, scopes, counters)

    def _province(
        self,
        actor: Actor,
        level: str | None,
        kabupaten: str | None,
        kecamatan: str | None,
        desa: str | None,
    ) -> dict[str, Any]:
        """The province role's figures: one line per served kabupaten of its province, or
        (with `kabupaten`) that kabupaten's kecamatan. Never a desa: the province reads
        figures to compare kabupaten, not any village's list."""
        served = [k for k in self.regions.kabupaten() if k.code[:2] == actor.provinsi]
        if not served:
            raise Forbidden("Akun provinsi ini tidak terhubung ke kabupaten yang dilayani.")
        if desa or kecamatan or level == "desa":
            raise Forbidden("Peran provinsi melihat angka per kabupaten dan per kecamatan saja.")
        if kabupaten is None:
            if level not in (None, "kabupaten"):
                raise InvalidInput("Pilih kabupaten (parameter kabupaten) untuk angka kecamatan.")
            counters = {k.code: self.store.counters("kabupaten", k.code) for k in served}
            report = self._report("kabupaten", None, None, None, served, counters)
        else:
            if kabupaten not in {k.code for k in served}:
                raise NotFound("Wilayah tidak ditemukan.")
            level = level or "kecamatan"
            scopes, counters = self._scopes(kabupaten, level, None, None)
            report = self._report(level, kabupaten, None, None, scopes, counters)
        report["provinsi"] = actor.provinsi
        return report

    def _report(
        self,
        level: str,
        kabupaten: str | None,
        kecamatan: str | None,
        desa: str | None,
        scopes: list[Region],
        counters: dict[str, dict[str, int]],
    ) -> dict[str, Any]:
        items = [
            {"code": r.code, "name": r.name, "level": r.level, **figures(counters.get(r.code, {}))}
            for r in scopes
        ]
        total = figures(merge_counters(counters.get(r.code, {}) for r in scopes))
        return {
            "level": level,
            "kabupaten": kabupaten,
            "kecamatan": kecamatan,
            "desa": desa,
            "provinsi": None,
            "generated_at": self.clock().isoformat(timespec="seconds"),
            "total": total,
            "items": items,
        }

    def upgrade_counters(self, pages: int = 10) -> tuple[int, bool]:
        """Move counters kept in an older store layout into the current one (once, after
        upgrading a DynamoDB deployment past #16; figures read the same meanwhile).

        At most `pages` pages of UPGRADE_PAGE items; returns how many were moved and
        whether the upgrade is done. Safe to stop and run again.
        """
        moved, done = 0, False
        for _ in range(pages):
            count, done = self.store.upgrade_counters(limit=UPGRADE_PAGE)
            moved += count
            if done:
                break
        return moved, done

    def _scopes(
        self, kabupaten: str, level: str, kecamatan: str | None, desa: str | None
    ) -> tuple[list[Region], dict[str, dict[str, int]]]:
        """The scopes of `level` within one kabupaten; another kabupaten's are not found."""
        if level == "kabupaten":
            region = self.regions.get(kabupaten)
            if region is None:
                raise NotFound("Wilayah tidak ditemukan.")
            return [region], {kabupaten: self.store.counters("kabupaten", kabupaten)}
        if level == "kecamatan":
            return self.regions.kecamatan(kabupaten), self.store.counters_under(
                "kecamatan", kabupaten + "."
            )
        if desa:
            region = self.regions.get(desa)
            if region is None or not self.regions.is_desa(desa) or kabupaten_of(desa) != kabupaten:
                raise NotFound("Desa tidak ditemukan.")
            return [region], {desa: self.store.counters("desa", desa)}
        if kecamatan:
            found = self.regions.get(kecamatan)
            if found is None or found.level != "kecamatan" or kabupaten_of(kecamatan) != kabupaten:
                raise NotFound("Kecamatan tidak ditemukan.")
            return [r for r in self.regions.desa(kabupaten) if r.parent == kecamatan], (
                self.store.counters_under("desa", kecamatan + ".")
            )
        return self.regions.desa(kabupaten), self.store.counters_under("desa", kabupaten + ".")


def coverage_table(report: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The report as one header and one row per scope plus a total, for CSV/XLSX export."""
    # Column titles in words: Dukcapil reads this in Excel, not a program.
    header = ["Kode wilayah", "Nama", "Tingkat", "Sasaran", "Ditindaklanjuti", "Terlayani"]
    header += ["Persen terlayani"]
    header += [f"Tindak lanjut: {OUTCOME_LABELS[o]}" for o in Outcome]
    for category in Category:
        label = CATEGORY_LABELS[category]
        header += [f"{label}: sasaran", f"{label}: terlayani"]
    header += [f"Permohonan: {LABELS[s]}" for s in Status]
    header += ["Jemput bola"]
    for status in Status:
        header += [f"Hari {LABELS[status]} (median)", f"Hari {LABELS[status]} (p90)"]

    def line(code: str, name: str, level: str, f: dict[str, Any]) -> list[Any]:
        values: list[Any] = [code, name, level, f["target"], f["followed_up"], f["served"]]
        values.append(f["pct_served"])
        values += [f["followups"][o.value] for o in Outcome]
        for item in f["rentan"]:
            values += [item["target"], item["served"]]
        values += [f["requests"][s.value] for s in Status]
        values.append(f["jemput_bola"])
        for status in Status:
            days = f["days_in_status"].get(status.value)
            values += [days["median"], days["p90"]] if days else [None, None]
        return values

    rows = [line(i["code"], i["name"], i["level"], i) for i in report["items"]]
    rows.append(line("", "JUMLAH", report["level"], report["total"]))
    return header, rows
