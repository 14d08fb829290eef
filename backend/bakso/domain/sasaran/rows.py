"""A desa's worklist rows and their follow-ups, and which stored row an import line updates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from ..fields import known_fields
from .normalise import normalise_name
from .vocabulary import Outcome

# A follow-up with one of these outcomes means the desa need not look for the resident again.
CLOSING_OUTCOMES = frozenset({Outcome.SUDAH_PUNYA, Outcome.PINDAH, Outcome.MENINGGAL})


@dataclass
class SasaranRow:
    """One resident on a desa's worklist."""

    id: str
    desa: str
    name: str
    address: str
    documents: list[str]
    nik: str | None = None
    category: str | None = None
    note: str = ""  # from Dukcapil, for the desa
    name_key: str = ""
    version: int = 1
    created_at: str = ""
    updated_at: str = ""
    import_id: str = ""  # the import that last created or changed it
    line: int = 0
    followup: dict[str, Any] | None = None  # the latest: id, outcome, note, at, by
    first_followup_at: str | None = None
    followup_count: int = 0
    # The requests started from this row, by document code: {"id", "status", "version"}
    # (the version of the change last applied, so a late one is ignored). See links.py.
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    served_at: str | None = None  # set while every document it lacks is issued
    purged_at: str | None = None  # personal values erased, RETENTION_DAYS after closed_at
    # Withdrawn by Dukcapil (DELETE /sasaran/<id>): erased like a purge, and no longer counted.
    withdrawn_at: str | None = None
    # The desa's revision counter at the row's last write (changes.py); 0 for rows stored
    # before rows carried one, which a client holding any revision already has.
    revision: int = 0

    @property
    def served(self) -> bool:
        return self.served_at is not None

    @property
    def sort_key(self) -> str:
        """The worklist order: rentan residents first, then by name."""
        rank = 0 if self.category else 1
        return f"{rank}|{normalise_name(self.name)}|{self.id}"

    def content(self) -> dict[str, Any]:
        """What an import sets: compared to tell an update from an unchanged line."""
        return {
            "desa": self.desa,
            "name": self.name,
            "address": self.address,
            "documents": list(self.documents),
            "nik": self.nik,
            "category": self.category,
            "note": self.note,
        }

    def to_record(self) -> dict[str, Any]:
        # Shallow and by hand: asdict's deep copy dominated large imports.
        record = dict(vars(self))
        record["documents"] = list(self.documents)
        if self.followup is not None:
            record["followup"] = dict(self.followup)
        record["requests"] = {k: dict(v) for k, v in self.requests.items()}
        return record

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> SasaranRow:
        return cls(**known_fields(cls, _migrated(data)))


def _migrated(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A row stored before links were per document: one `request_id` (and
    `served_request_id` with `served_at` once served). The link goes under its
    row's only document, or under "?" until that request's next change names its
    service (links.link_request moves it). `served_at` stays: the counters
    counted the row as served, and the next change re-judges it by the new rule.
    """
    if "requests" in data or not data.get("request_id"):
        return data
    documents = data.get("documents") or []
    key = documents[0] if len(documents) == 1 else "?"
    link = {
        "id": data["request_id"],
        "status": data.get("request_status"),
        "version": int(data.get("request_version") or 0),
    }
    return {**data, "requests": {key: link}}


@dataclass(frozen=True)
class Followup:
    id: str  # made by the device, so a replayed outbox entry is recognised
    sasaran_id: str
    outcome: str
    note: str
    at: str  # when the officer recorded it (device clock, never later than the server's)
    by: str
    recorded_at: str  # when the server stored it

    def same_as(self, other: Followup) -> bool:
        return (self.sasaran_id, self.outcome, self.note) == (
            other.sasaran_id,
            other.outcome,
            other.note,
        )

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "outcome": self.outcome, "note": self.note, "at": self.at}

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Followup:
        return cls(**known_fields(cls, data))


def apply_followup(row: SasaranRow, followup: Followup, now: str) -> SasaranRow:
    """The row after a follow-up: the latest by recording time is the row's current one."""
    current = row.followup
    newer = current is None or (followup.at, followup.id) >= (current["at"], current["id"])
    first = row.first_followup_at
    return SasaranRow(
        **{
            **row.to_record(),
            "followup": {**followup.summary(), "by": followup.by} if newer else current,
            "first_followup_at": min(first, followup.at) if first else followup.at,
            "followup_count": row.followup_count + 1,
            "version": row.version + 1,
            "updated_at": now,
        }
    )


def pick_match(
    nik: str | None, by_nik: SasaranRow | None, by_name: Sequence[SasaranRow]
) -> SasaranRow | None:
    """The stored row a line updates: the one with its NIK, else one with its name key.

    A name-key twin that carries a different NIK is another person.
    """
    if by_nik is not None:
        return by_nik
    candidates = [r for r in by_name if nik is None or r.nik is None]
    candidates.sort(key=lambda r: (r.created_at, r.id))
    return candidates[0] if candidates else None


def closed_at(row: SasaranRow) -> str | None:
    """When the row stopped needing the desa: served, or followed up as moved, deceased or
    already holding the document (the earliest of these); None while open or once purged.

    Derived from the row, so a later follow-up (found after all) reopens it. The
    stores index rows by it, and retention purges a row RETENTION_DAYS after it.
    """
    if row.purged_at:
        return None
    times = [row.served_at] if row.served and row.served_at else []
    if row.followup is not None and row.followup.get("outcome") in CLOSING_OUTCOMES:
        times.append(str(row.followup["at"]))
    return min(times) if times else None


def withdrawn(row: SasaranRow, at: str) -> SasaranRow:
    """The row Dukcapil withdrew: erased as retention does, and left out of every counter."""
    return SasaranRow(**{**erased(row, at).to_record(), "withdrawn_at": at})


def erased(row: SasaranRow, at: str) -> SasaranRow:
    """The row without the resident's personal values: what is kept after retention.

    Desa, documents, category, the follow-up's outcome and times and the served
    request stay, so the coverage counters still equal a recount (row_deltas
    of the erasure is only the desa's revision).
    """
    followup = dict(row.followup, note="") if row.followup is not None else None
    return SasaranRow(
        **{
            **row.to_record(),
            "name": "",
            "address": "",
            "nik": None,
            "note": "",
            "name_key": "",
            "followup": followup,
            "purged_at": at,
            "version": row.version + 1,
            "updated_at": at,
        }
    )
