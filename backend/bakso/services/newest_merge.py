"""Several newest-first lists read as one page: a kecamatan's desa lists, a kabupaten's
batches with those stored before #16.

Every list the stores keep is ordered by the same position, (created_at, id), and a
position continues any of them on either adapter set (domain/paging.py). So one
position is where every list goes on from: a page takes the newest head of the lists
until it is full, reading each list in small pages and only as far as the page needs
(a list read ahead is read again from the page's end next time, never skipped).

The cursor is the position of the page's last item and the lists known to hold nothing
older (by their index in the order the caller gives): the next page does not ask them
again. A plain position cursor (a list's own, or one a caller made) is accepted too.
Each call makes at most one read per list plus one per CHUNK_MIN items returned.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from ..domain import paging
from ..domain.errors import InvalidInput
from ..domain.refusals import BAD_CURSOR

CHUNK_MIN = 10


class Positioned(Protocol):
    @property
    def created_at(self) -> str: ...

    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=Positioned)
# (cursor of that list, how many) → (items newest first, that list's next cursor)
Reader = Callable[[str | None, int], tuple[list[T], str | None]]


def encode(created_at: str, item_id: str, ended: Sequence[int]) -> str:
    raw = json.dumps([created_at, item_id, sorted(ended)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[tuple[str, str], frozenset[int]]:
    """(position, the lists that hold nothing older); a plain position ends none."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidInput(BAD_CURSOR) from None
    if isinstance(value, list) and len(value) == 3:
        at, item_id, ended = value
        if (
            isinstance(at, str)
            and isinstance(item_id, str)
            and isinstance(ended, list)
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ended)
        ):
            return (at, item_id), frozenset(ended)
        raise InvalidInput(BAD_CURSOR)
    return paging.decode_position(cursor), frozenset()


def merged_page(
    readers: Sequence[Reader[T]], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """Up to `limit` items of all the lists, newest first, and the cursor of the next page."""
    limit = paging.page_size(limit)
    ended: set[int] = set()
    at: str | None = None
    if cursor is not None:
        position, known = decode(cursor)
        ended = {i for i in known if i < len(readers)}
        at = paging.encode_position(*position)
    live = [i for i in range(len(readers)) if i not in ended]
    chunk = min(limit, max(CHUNK_MIN, -(-limit // max(1, len(live))) + 1))
    buffers: dict[int, deque[T]] = {}
    cursors: dict[int, str | None] = {}

    def fill(i: int, start: str | None) -> None:
        items, following = readers[i](start, chunk)
        buffers[i] = deque(items)
        cursors[i] = following

    for i in live:
        fill(i, at)
    page: list[T] = []
    while len(page) < limit:
        heads = [i for i in live if buffers[i]]
        if not heads:
            break
        newest = max(heads, key=lambda i: (buffers[i][0].created_at, buffers[i][0].id))
        page.append(buffers[newest].popleft())
        if not buffers[newest] and cursors[newest] is not None:
            fill(newest, cursors[newest])
    ended |= {i for i in live if not buffers[i] and cursors[i] is None}
    if len(ended) == len(readers) or not page:
        return page, None
    return page, encode(page[-1].created_at, page[-1].id, sorted(ended))


def start_of(cursor: str | None) -> tuple[str, str] | None:
    """The position a cursor of this module (or a plain position) goes on from."""
    return None if cursor is None else decode(cursor)[0]
