"""Where a batch finds its waiting requests: one index partition per place it asks for.

A batch for a desa reads that desa's DIAJUKAN list; one for a kecamatan reads the
DIAJUKAN list of each of its desa in turn (on DynamoDB, `desa_status-newest`
partitions: never the whole kabupaten's list filtered in Python); one for the
whole kabupaten reads the kabupaten's DIAJUKAN list. A service filter is checked
on what these return (BatchFilters.matches): a key per service and desa would
multiply the partitions for a filter officers rarely set.

The gather step keeps its place in `Batch.cursor`: for one list, that list's
cursor; for a kecamatan's desa, "<desa>/<cursor of that desa's list>" (the
cursor is URL-safe base64, never holding "/"). A cursor without "/" kept by a
kecamatan's batch that an older version started goes on through the
kabupaten's list, filtered, as that version read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..domain.lifecycle import Status
from ..domain.model import Request
from ..domain.regions import Regions
from ..ports import Page, RequestStore

if TYPE_CHECKING:
    from .batch_build import BatchFilters

_SEPARATOR = "/"


def sources(filters: BatchFilters, regions: Regions) -> list[str | None]:
    """The desa whose DIAJUKAN lists the batch reads, in order; None is the kabupaten's."""
    if filters.desa is not None:
        return [filters.desa]
    if filters.kecamatan is not None:
        places: list[str | None] = [*regions.desa_of_kecamatan(filters.kecamatan)]
        return places
    return [None]


def waiting_page(
    records: RequestStore,
    kabupaten: str,
    places: Sequence[str | None],
    cursor: str | None,
    limit: int,
) -> Page:
    """Up to `limit` DIAJUKAN requests of these places from `cursor`, and where to go on."""

    def read(desa: str | None, at: str | None, size: int) -> Page:
        return records.list_requests(
            kabupaten=kabupaten, desa=desa, status=Status.DIAJUKAN, cursor=at, limit=size
        )

    if len(places) <= 1:
        return read(places[0], cursor, limit) if places else Page(items=[], cursor=None)
    if cursor is not None and _SEPARATOR not in cursor:
        return read(None, cursor, limit)  # kept by an older version: see the module's doc
    index, at = 0, None
    if cursor is not None:
        desa, _, rest = cursor.partition(_SEPARATOR)
        index = places.index(desa) if desa in places else len(places)
        at = rest or None
    items: list[Request] = []
    while index < len(places) and len(items) < limit:
        page = read(places[index], at, limit - len(items))
        items += page.items
        if page.cursor is not None:
            return Page(items=items, cursor=f"{places[index]}{_SEPARATOR}{page.cursor}")
        index, at = index + 1, None
    if index < len(places):
        return Page(items=items, cursor=f"{places[index]}{_SEPARATOR}")
    return Page(items=items, cursor=None)
