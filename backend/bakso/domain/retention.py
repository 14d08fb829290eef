"""How long a request's personal data is kept (DESIGN §3, docs/retention.md). Pure rules.

Every request runs at most one retention *clock* at a time, started by its last
change of status (or of anything, for a draft):

- `final`: DITOLAK, DISERAHKAN, DIBATALKAN; RETENTION_DAYS after the status.
- `uncollected`: SELESAI never handed over; UNCOLLECTED_DAYS after the status.
  A SELESAI document the resident downloaded with the PIN counts as collected: it
  runs `final` instead, RETENTION_DAYS after the first download (#18).
- `abandoned`: DRAF or PERLU_PERBAIKAN left untouched; ABANDONED_DAYS after the
  last change. The desa is warned WARNING_DAYS before; then the system cancels
  the request and erases it at once.

The stores index a request by its clock and the moment it started (both derived
from the request alone, like the other index keys), and the policy is applied
when the job asks what is due: a changed setting takes effect on the next run
without rewriting any record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from .lifecycle import FINAL, Status
from .model import Request

FINAL_CLOCK = "final"
UNCOLLECTED_CLOCK = "uncollected"
ABANDONED_CLOCK = "abandoned"
# The order the job runs them in: an abandoned request, once cancelled, is erased at once.
CLOCKS = (ABANDONED_CLOCK, UNCOLLECTED_CLOCK, FINAL_CLOCK)
ABANDONED = frozenset({Status.DRAF, Status.PERLU_PERBAIKAN})
WARNING_DAYS = 7

# Where every blob of a request lives (scans, each submission's berkas.pdf, every
# issued PDF ever attached). A new kind of per-request blob must go under a prefix
# listed here, or the purge will not find it.
_BLOB_PREFIXES = ("scans", "berkas", "issued")
# What an erased handover and issued document keep: how it was collected, when issued
# (no state: nothing can be downloaded any more).
_HANDOVER_KEPT = ("relation", "via", "printed")
_ISSUED_KEPT = ("at",)


@dataclass(frozen=True)
class RetentionPolicy:
    retention_days: int = 90
    uncollected_days: int = 365
    abandoned_days: int = 60
    warning_days: int = WARNING_DAYS

    def days(self, clock: str) -> int:
        return {
            FINAL_CLOCK: self.retention_days,
            UNCOLLECTED_CLOCK: self.uncollected_days,
            ABANDONED_CLOCK: self.abandoned_days,
        }[clock]

    def cutoff(self, clock: str, now: datetime) -> str:
        """A request whose `clock` started at or before this instant is due now."""
        return _iso(now - timedelta(days=self.days(clock)))


@dataclass(frozen=True)
class RetentionClock:
    name: str  # one of CLOCKS
    since: str  # ISO instant it started


def retention_clock(request: Request) -> RetentionClock | None:
    """The clock running for this request, or None (open work, or already erased)."""
    purged = request.purged_at
    # An older version's purge deleted files only: such a request is still to erase.
    if purged is not None and purged >= request.status_since and erased(request, purged) == request:
        return None
    if request.status in FINAL:
        return RetentionClock(FINAL_CLOCK, request.status_since)
    if request.status is Status.SELESAI:
        downloaded = request.downloaded_at
        if downloaded is not None and downloaded >= request.status_since:
            return RetentionClock(FINAL_CLOCK, downloaded)
        return RetentionClock(UNCOLLECTED_CLOCK, request.status_since)
    if request.status in ABANDONED:
        return RetentionClock(ABANDONED_CLOCK, request.updated_at)
    return None


def purge_due(request: Request, policy: RetentionPolicy) -> datetime | None:
    """When this request's personal data goes, or None if no clock runs."""
    clock = retention_clock(request)
    if clock is None:
        return None
    return datetime.fromisoformat(clock.since) + timedelta(days=policy.days(clock.name))


def is_due(request: Request, policy: RetentionPolicy, now: datetime) -> bool:
    due = purge_due(request, policy)
    return due is not None and due <= now


def purge_warning(request: Request, policy: RetentionPolicy, now: datetime) -> bool:
    """True when the desa must be told this abandoned request will soon be deleted."""
    clock = retention_clock(request)
    if clock is None or clock.name != ABANDONED_CLOCK:
        return False
    due = datetime.fromisoformat(clock.since) + timedelta(days=policy.abandoned_days)
    return now >= due - timedelta(days=policy.warning_days)


@dataclass(frozen=True)
class RetentionNote:
    """What the API tells officers: when the personal data goes, and whether to warn."""

    purge_due: str | None  # ISO instant
    purge_warning: bool  # an abandoned request the desa must be told about


def retention_note(request: Request, policy: RetentionPolicy, now: datetime) -> RetentionNote:
    due = purge_due(request, policy)
    return RetentionNote(
        _iso(due) if due is not None else None, purge_warning(request, policy, now)
    )


def erased(request: Request, at: str) -> Request:
    """The request without any personal value: the skeleton kept for statistics.

    Kept: ids, code, service, desa, status and its times, counters, who served
    it, the sasaran link, how a document was collected. The version is the
    caller's to bump.
    """
    handover = request.handover
    issued = request.issued
    return replace(
        request,
        applicant={},
        subject=None,
        fields={},  # members', parents' and witnesses' NIK, names, dates (docs/forms.md)
        notes="",
        warnings=[],
        token=None,  # the resident's link leads nowhere once there is nothing to show
        verify_problem=None,
        berkas_key=None,
        issued=_kept(issued, _ISSUED_KEPT) if issued else None,
        handover=_kept(handover, _HANDOVER_KEPT) if handover else None,
        purged_at=at,
        nik_key=None,  # out of the NIK search index with the NIK itself
        pin_hash=None,  # nothing is left to download (downloaded_at stays: a statistic)
    )


def blob_prefixes(request_id: str) -> list[str]:
    """The blob-store prefixes holding every blob this request ever had."""
    return [f"{kind}/{request_id}/" for kind in _BLOB_PREFIXES]


def _kept(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: values[key] for key in keys if key in values}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")
