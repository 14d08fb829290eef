"""Bulk return of results: a run (the uploaded CSV and zip of issued PDFs) and its line results.

A run goes WAITING_UPLOAD → QUEUED (files checked) → RUNNING (the worker read
the files and knows how many rows there are) → DONE, or FAILED when a file as
a whole cannot be used. Each row of the CSV — and each PDF no row names — gets
one stored result, keyed by `seq` (the CSV line number; PDFs without a row come
after the last line), so a redelivered chunk skips what is already stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .fields import known_fields
from .lifecycle import LABELS, NEEDS_REASON, TRANSITIONS, Role, Status

RETURN_WAITING_UPLOAD = "WAITING_UPLOAD"
RETURN_QUEUED = "QUEUED"
RETURN_RUNNING = "RUNNING"
RETURN_DONE = "DONE"
RETURN_FAILED = "FAILED"
RETURN_STATUSES = (
    RETURN_WAITING_UPLOAD,
    RETURN_QUEUED,
    RETURN_RUNNING,
    RETURN_DONE,
    RETURN_FAILED,
)

APPLIED = "applied"
UNCHANGED = "unchanged"
REFUSED = "refused"
OUTCOMES = (APPLIED, UNCHANGED, REFUSED)


@dataclass(frozen=True)
class ReturnFile:
    """What the officer registered for one uploaded file."""

    filename: str
    sha256: str
    size: int
    content_type: str

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReturnRun:
    id: str
    created_by: str
    role: str  # the officer's role: the worker moves requests on their behalf
    created_at: str
    table: ReturnFile
    pdfs: ReturnFile | None
    status: str = RETURN_WAITING_UPLOAD
    rows_total: int = 0  # CSV rows plus PDFs without a row, known once RUNNING
    chunks_total: int = 0
    chunk_starts: list[int] = field(default_factory=list)  # each chunk's first entry
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    # The kabupaten whose requests it may move (#16); "" in runs from before: the default's.
    kabupaten: str = ""

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data["table"] = self.table.to_record()
        data["pdfs"] = self.pdfs.to_record() if self.pdfs else None
        return data

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ReturnRun:
        values = known_fields(cls, data)
        values["table"] = ReturnFile(**known_fields(ReturnFile, values["table"]))
        pdfs = values.get("pdfs")
        values["pdfs"] = ReturnFile(**known_fields(ReturnFile, pdfs)) if pdfs else None
        return cls(**values)

    def same_files(self, table: ReturnFile, pdfs: ReturnFile | None) -> bool:
        return (self.table, self.pdfs) == (table, pdfs)


@dataclass(frozen=True)
class ReturnLine:
    """The result of one row (row = its CSV line; 0 for a PDF that no row names)."""

    return_id: str
    seq: int
    row: int
    code: str
    outcome: str  # applied | unchanged | refused
    detail: str

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ReturnLine:
        return cls(**known_fields(cls, data))


def counts_of(lines: Mapping[str, int] | None = None) -> dict[str, int]:
    """Outcome counts with every outcome present."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome, value in (lines or {}).items():
        counts[outcome] = counts.get(outcome, 0) + value
    return counts


def target_statuses() -> list[Status]:
    """The statuses a bulk return's row may name: where Dukcapil may move a request."""
    reachable = {to for (_, to), roles in TRANSITIONS.items() if Role.DUKCAPIL in roles}
    return [status for status in Status if status in reachable]


def target_guide() -> list[tuple[str, str, str]]:
    """(status code, its Indonesian label, when a note is needed) for the template and the PWA."""
    return [
        (
            status.value,
            LABELS[status],
            "alasan wajib diisi" if status in NEEDS_REASON else "catatan boleh kosong",
        )
        for status in target_statuses()
    ]


def parse_target(text: str) -> Status | None:
    """A row's status cell: the code (any case, spaces for '_') or its Indonesian label."""
    wanted = " ".join(text.replace("_", " ").split()).lower()
    for status in Status:
        if wanted in (status.value.replace("_", " ").lower(), LABELS[status].lower()):
            return status
    return None
