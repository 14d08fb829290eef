"""Pages of what retention finds due, read from an index on time (never every record).

Each store keeps a *due position* `"<time>#<ref>"` for the records that may
one day be cleaned up (a pending scan, a batch not yet purged, an unfinished
return or import, a closed sasaran row) and drops it once there is nothing
left to clean: the sparse GSI `retention-due` on DynamoDB (shared with the
requests' retention, one hash value per kind), a partial index on SQLite.
A query is a range read on that index, oldest first, so a daily run reads
only what is due, and what it has handled leaves the index (a rerun
finds nothing: idempotent; a run cut short is simply repeated: resumable).
Which records are indexed, at which position, is `bakso.domain.due`; the
cursor is `bakso.domain.paging.encode_position(time, ref)` on every set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class DuePage(Generic[T]):
    items: list[T]
    cursor: str | None  # opaque; None when there is no next page
