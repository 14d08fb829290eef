"""Coverage counters: what a row or a request change adds to its desa, kecamatan and kabupaten.

Counters are derived from state — a row counts as (before → after) — so
applying every change's delta keeps them equal to a full recount. Stores add
the rolled-up deltas in the same transaction as the rows they count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ..lifecycle import LABELS, Status
from ..localtime import local
from .rows import SasaranRow
from .vocabulary import CATEGORY_LABELS, Category, Outcome

MAX_DWELL_DAYS = 365  # stays longer than a year share the last bucket


def scopes(desa: str) -> list[tuple[str, str]]:
    """The (level, code) counter scopes a desa's changes add to."""
    parts = desa.split(".")
    return [("desa", desa), ("kecamatan", ".".join(parts[:3])), ("kabupaten", ".".join(parts[:2]))]


# (level, code) → counter name → change: what a store adds, in one atomic write.
ScopeDeltas = dict[tuple[str, str], dict[str, int]]


def rolled_up(deltas: Iterable[Mapping[str, Mapping[str, int]]]) -> ScopeDeltas:
    """Desa deltas (desa → name → change) spread over each desa's scopes and added up.

    The desa → kecamatan → kabupaten roll-up of every counter write, once for
    both stores: they add exactly these per-scope changes, in the same
    transaction as the rows they count. Zeros are left out, and a scope left
    with no change is not there at all.
    """
    total: ScopeDeltas = {}
    for item in deltas:
        for desa, changes in item.items():
            for scope in scopes(desa):
                bucket = total.setdefault(scope, {})
                for name, value in changes.items():
                    bucket[name] = bucket.get(name, 0) + value
    pruned = {scope: {k: v for k, v in c.items() if v} for scope, c in total.items()}
    return {scope: changes for scope, changes in pruned.items() if changes}


Deltas = dict[str, dict[str, int]]  # desa → counter name → change


def iso_week(at: str) -> str:
    """'2026-W03': the ISO week, in the kabupaten's time (weeks start Monday 00:00 there)."""
    year, week, _ = local(at).isocalendar()
    return f"{year}-W{week:02d}"


def row_counters(row: SasaranRow) -> dict[str, int]:
    """What one row contributes to its desa's counters (nothing once withdrawn)."""
    counts: dict[str, int] = defaultdict(int)
    if row.withdrawn_at:
        return counts
    flags = {"target": True, "followed_up": row.followup is not None, "served": row.served}
    for name, on in flags.items():
        if on:
            counts[name] += 1
            if row.category:
                counts[f"rentan:{row.category}:{name}"] += 1
    if row.followup is not None:
        counts[f"followup:{row.followup['outcome']}"] += 1
        if row.first_followup_at:
            counts[f"week:{iso_week(row.first_followup_at)}:followed_up"] += 1
    if row.served and row.served_at:
        counts[f"week:{iso_week(row.served_at)}:served"] += 1
    return counts


def _add(
    deltas: dict[str, dict[str, int]], desa: str, counts: Mapping[str, int], sign: int
) -> None:
    bucket = deltas.setdefault(desa, {})
    for name, value in counts.items():
        bucket[name] = bucket.get(name, 0) + sign * value


def _pruned(deltas: dict[str, dict[str, int]]) -> Deltas:
    pruned = {desa: {k: v for k, v in c.items() if v} for desa, c in deltas.items()}
    return {desa: c for desa, c in pruned.items() if c}


def row_deltas(before: SasaranRow | None, after: SasaranRow | None) -> Deltas:
    """Counter changes of a row write, per desa; each written row bumps its desa's revision."""
    deltas: dict[str, dict[str, int]] = {}
    if before is not None:
        _add(deltas, before.desa, row_counters(before), -1)
    if after is not None:
        _add(deltas, after.desa, row_counters(after), +1)
    for row in (before, after):
        if row is not None:
            deltas.setdefault(row.desa, {})["revision"] = 1
    return _pruned(deltas)


@dataclass(frozen=True)
class RequestChange:
    """What coverage needs of one saved request change: ids, desa and statuses only."""

    request_id: str
    version: int
    desa: str
    at: str
    after_status: str
    before_status: str | None = None  # None: the request was just created
    before_since: str | None = None
    sasaran_id: str | None = None
    jemput_bola: bool = False
    before_jemput_bola: bool = False
    service: str | None = None  # the document it issues; None when queued by older code

    @property
    def key(self) -> str:
        return f"{self.request_id}:{self.version}"

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


def days_between(start: str, end: str) -> int:
    """Whole days completed between two stored timestamps (never negative)."""
    seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    return max(0, min(MAX_DWELL_DAYS, math.floor(seconds / 86400)))


def request_deltas(change: RequestChange) -> dict[str, int]:
    """Requests per status, completed stays per status (whole days), and jemput bola."""
    deltas: dict[str, int] = defaultdict(int)
    if change.before_status != change.after_status:
        if change.before_status is not None:
            deltas[f"requests:{change.before_status}"] -= 1
            if change.before_since:
                days = days_between(change.before_since, change.at)
                deltas[f"dwell:{change.before_status}:{days}"] += 1
        deltas[f"requests:{change.after_status}"] += 1
    deltas["jemput_bola"] += int(change.jemput_bola) - int(change.before_jemput_bola)
    return {k: v for k, v in deltas.items() if v}


def merge_counters(items: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for item in items:
        for name, value in item.items():
            total[name] += value
    return dict(total)


def percentile(histogram: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - rank <= n always stops the loop


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures(counters: Mapping[str, int]) -> dict[str, Any]:
    """The coverage figures of one scope, from its counters."""
    target = counters.get("target", 0)
    served = counters.get("served", 0)
    dwell: dict[str, dict[int, int]] = defaultdict(dict)
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: {"served": 0, "followed_up": 0})
    for name, value in counters.items():
        kind, _, rest = name.partition(":")
        if kind == "dwell" and value:
            status, _, days = rest.partition(":")
            dwell[status][int(days)] = value
        elif kind == "week" and value:
            week, _, what = rest.partition(":")
            weeks[week][what] = value
    rentan = []
    for category in Category:
        c_target = counters.get(f"rentan:{category}:target", 0)
        c_served = counters.get(f"rentan:{category}:served", 0)
        rentan.append(
            {
                "category": category.value,
                "label": CATEGORY_LABELS[category],
                "target": c_target,
                "followed_up": counters.get(f"rentan:{category}:followed_up", 0),
                "served": c_served,
                "pct_served": _pct(c_served, c_target),
            }
        )
    return {
        "target": target,
        "followed_up": counters.get("followed_up", 0),
        "served": served,
        "pct_served": _pct(served, target),
        "followups": {o.value: counters.get(f"followup:{o}", 0) for o in Outcome},
        "rentan": rentan,
        "requests": {s.value: counters.get(f"requests:{s}", 0) for s in Status},
        "jemput_bola": counters.get("jemput_bola", 0),
        "days_in_status": {
            s.value: {
                "label": LABELS[s],
                "count": sum(dwell[s.value].values()),
                "median": percentile(dwell[s.value], 50),
                "p90": percentile(dwell[s.value], 90),
            }
            for s in Status
            if s.value in dwell
        },
        "trend": [{"week": week, **weeks[week]} for week in sorted(weeks)],
    }
