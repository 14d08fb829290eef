"""Service times in the open (#19, docs/service-times.md): pure rules, no I/O.

A request counts once when it reaches SELESAI and once when it reaches DISERAHKAN: its
whole days from its latest DIAJUKAN, as calendar days in its kabupaten's zone (submitted
Monday 16:00, done Tuesday 09:00: 1 day; done the same day: 0), into its desa's histogram
of the day it got there. The figures are read from those histograms only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from .lifecycle import Status

COUNTED = (Status.SELESAI, Status.DISERAHKAN)
WINDOW_DAYS = 90  # the page's period: today and the 89 days before, in the kabupaten's zone
MAX_DAYS = 3650  # a longer span (bad data) is counted as this many days


def local_day(at: str, zone: tzinfo) -> date:
    """The calendar day of an ISO timestamp (or a plain yyyy-mm-dd) in `zone`."""
    if len(at) == 10:
        return date.fromisoformat(at)
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return moment.astimezone(zone).date()


def whole_days(start: str, end: str, zone: tzinfo) -> int:
    """Calendar days from `start` to `end` in `zone`, within 0..MAX_DAYS."""
    span = (local_day(end, zone) - local_day(start, zone)).days
    return min(max(span, 0), MAX_DAYS)


def nearest_rank(histogram: Mapping[int, int], percent: int) -> int | None:
    """The nearest-rank percentile of a histogram {days: count}: the smallest `days` whose
    cumulative count reaches ceil(percent/100 × N). None when it is empty. The median is
    percent=50 (with an even N, the lower of the two middle values)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = max(1, math.ceil(percent * total / 100))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)  # unreachable: the last value reaches N


def merged(histograms: Iterable[Mapping[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for histogram in histograms:
        for days, count in histogram.items():
            out[days] = out.get(days, 0) + count
    return out


@dataclass(frozen=True)
class DayCounts:
    """One desa's histograms for one completion day, as the store holds them."""

    desa: str
    day: str  # yyyy-mm-dd in the kabupaten's zone
    selesai: dict[int, int] = field(default_factory=dict)
    diserahkan: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Spread:
    """How many, and the median and 90th percentile of their days."""

    count: int
    median: int | None
    p90: int | None

    @classmethod
    def of(cls, histogram: Mapping[int, int]) -> Spread:
        return cls(
            sum(histogram.values()), nearest_rank(histogram, 50), nearest_rank(histogram, 90)
        )
