"""Shapes of the coverage figures (DESIGN §2: coverage = served ÷ target)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...schemas import Out


class RentanOut(Out):
    category: str
    label: str
    target: int
    followed_up: int
    served: int
    pct_served: float | None


class DwellOut(Out):
    label: str
    count: int = Field(description="completed stays in this status")
    median: int | None = Field(description="whole days, nearest-rank")
    p90: int | None = Field(description="whole days, nearest-rank")


class WeekOut(Out):
    week: str = Field(description="ISO week in WITA, e.g. 2026-W03")
    served: int
    followed_up: int


class FiguresOut(Out):
    target: int
    followed_up: int
    served: int
    pct_served: float | None = Field(description="served ÷ target × 100; null without target")
    followups: dict[str, int] = Field(description="rows by their latest follow-up outcome")
    rentan: list[RentanOut]
    requests: dict[str, int] = Field(description="requests now in each status")
    jemput_bola: int = Field(description="requests taken at the resident's home")
    days_in_status: dict[str, DwellOut]
    trend: list[WeekOut]


class CoverageItemOut(FiguresOut):
    code: str
    name: str
    level: str


class CoverageOut(Out):
    level: Literal["kabupaten", "kecamatan", "desa"]
    kabupaten: str | None = Field(
        description="the kabupaten whose scopes these are; null in the province's summary"
    )
    provinsi: str | None = Field(description="the province role's province; null for others")
    kecamatan: str | None
    desa: str | None
    generated_at: str
    total: FiguresOut
    items: list[CoverageItemOut]
