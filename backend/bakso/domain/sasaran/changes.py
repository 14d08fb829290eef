"""Worklist sync by change: which revision each row write takes, and the tombstones it leaves.

Every row write bumps its desa's `revision` counter (counters.row_deltas); the
stores give the row the counter's value at that write, in the same atomic
write, so a desa's revisions are unique and committed in order. A client that
holds revision R asks for what changed after R: the live rows of the desa
whose revision is above R, and a tombstone (the row's id and the revision that
removed it, nothing personal) for each row that left the desa's worklist
since — withdrawn by Dukcapil, purged by retention, or moved to another desa.
Tombstones are kept SASARAN_TOMBSTONE_DAYS; the highest revision among those
dropped is the desa's `floor`, and a client whose R is below it downloads the
whole list again, as does one whose R is above the desa's revision.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, replace

from .. import paging
from ..errors import InvalidInput
from ..refusals import BAD_CURSOR
from .rows import SasaranRow


@dataclass(frozen=True)
class Tombstone:
    """A row that left a desa's worklist at `revision` (in that desa)."""

    id: str
    desa: str
    revision: int
    removed_at: str


@dataclass(frozen=True)
class Revised:
    """A row write with its revisions decided, as a store writes it."""

    row: SasaranRow  # `revision` set
    tombstone: Tombstone | None  # the desa the row left (purged, withdrawn, moved)
    superseded: tuple[str, int] | None  # (desa, revision) of the live change it replaces

    @property
    def live(self) -> bool:
        return not self.row.purged_at


def on_worklist(row: SasaranRow | None) -> bool:
    """Whether the row is on its desa's worklist (not purged nor withdrawn)."""
    return row is not None and not row.purged_at


def revise(
    row: SasaranRow,
    deltas: Mapping[str, Mapping[str, int]],
    stored: SasaranRow | None,
    counters: MutableMapping[str, int],
) -> Revised:
    """Decide one write's revisions; `counters` (desa → revision so far) moves past them.

    Each desa of the write's deltas takes its `revision` change; the row gets
    its desa's new value, a tombstone in the desa the row left gets that desa's.
    Writes of one atomic group are revised in order over one `counters`.
    """
    for desa, changes in deltas.items():
        step = changes.get("revision", 0)
        if step:
            counters[desa] = counters.get(desa, 0) + step
    bumped = row.desa in deltas and deltas[row.desa].get("revision", 0) > 0
    revision = counters[row.desa] if bumped else (stored.revision if stored else 0)
    after = replace(row, revision=revision)
    tombstone = None
    superseded = None
    if stored is not None and on_worklist(stored):
        left = stored.desa != row.desa or not on_worklist(after)
        if left and stored.desa in deltas and deltas[stored.desa].get("revision", 0) > 0:
            tombstone = Tombstone(
                row.id, stored.desa, counters[stored.desa], row.updated_at or stored.updated_at
            )
        if stored.revision and (left or stored.revision != revision):
            superseded = (stored.desa, stored.revision)
    return Revised(after, tombstone, superseded)


def too_old(since: int, *, revision: int, floor: int) -> bool:
    """Whether a client at `since` must download the whole list: tombstones after it may be
    gone, or it claims a revision the desa never had."""
    return since < floor or since > revision


def revision_cursor(revision: int) -> str:
    """The cursor of a page of changes that ended at `revision`."""
    return paging.encode_key(str(revision))


def after_cursor(since: int, cursor: str | None) -> int:
    """The revision a page of changes starts after; InvalidInput for a cursor not one."""
    if not cursor:
        return since
    text = paging.decode_key(cursor)
    if not text.isdigit():
        raise InvalidInput(BAD_CURSOR)
    return max(since, int(text))
