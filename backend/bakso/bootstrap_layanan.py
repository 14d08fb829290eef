"""Wiring beside bootstrap.py: the service times of /layanan (docs/service-times.md) and
the IKM grade it shows beside them (the survey's tallies, bootstrap_ikm.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .bootstrap_notify import utc_now
from .domain.ikm import Tally, pooled, score
from .domain.tenants import Tenants
from .ports import Queue
from .services.ikm import IkmService
from .services.service_times import (
    IkmGrades,
    ServiceTimeRecords,
    ServiceTimeService,
    ServiceTimeSettings,
)

__all__ = ["ServiceTimeService", "attach_ikm_grades", "build_service_times"]


def build_service_times(
    config: Mapping[str, Any], records: ServiceTimeRecords, queue: Queue, tenants: Tenants
) -> ServiceTimeService:
    settings = ServiceTimeSettings(
        min_requests=config["SERVICE_TIMES_MIN_REQUESTS"],
        ikm_min_respondents=config["SERVICE_TIMES_IKM_MIN_RESPONDENTS"],
    )
    return ServiceTimeService(records, queue, tenants, tenants.regions, settings, utc_now)


def attach_ikm_grades(service: ServiceTimeService, ikm: IkmService | None) -> ServiceTimeService:
    """Let the table show each desa's IKM grade, when the deployment runs the survey."""
    if ikm is not None:
        service.ikm_grades = ikm_grades_of(ikm)
    return service


def ikm_grades_of(ikm: IkmService) -> IkmGrades:
    def grades(kabupaten: str, months: list[str]) -> dict[str, tuple[int, str | None]]:
        per_desa: dict[str, Tally] = {}
        for month in months:  # one bounded read per kabupaten-month (ports/ikm.py)
            for desa, tally in ikm.store.tallies(kabupaten, month).items():
                per_desa[desa] = per_desa.get(desa, Tally.empty()).plus(tally)
        found: dict[str, tuple[int, str | None]] = {}
        for desa, tally in {**per_desa, kabupaten: pooled(list(per_desa.values()))}.items():
            result = score(tally)
            found[desa] = (result.respondents, result.grade.letter if result.grade else None)
        return found

    return grades
