"""Several newest-first lists read as one (services/newest_merge.py): a kecamatan's desa."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from bakso.domain import paging
from bakso.domain.errors import InvalidInput
from bakso.services import newest_merge


@dataclass(frozen=True)
class Item:
    created_at: str
    id: str


class Lists:
    """Lists ordered like the stores' (created_at, id), newest first, counting reads."""

    def __init__(self, lists: list[list[Item]]) -> None:
        self.lists = [
            sorted(items, key=lambda i: (i.created_at, i.id), reverse=True) for items in lists
        ]
        self.reads = [0] * len(lists)
        self.items_read = 0

    def reader(self, n: int) -> newest_merge.Reader[Item]:
        def read(cursor: str | None, limit: int) -> tuple[list[Item], str | None]:
            self.reads[n] += 1
            before = paging.decode_position(cursor) if cursor else None
            rest = [i for i in self.lists[n] if before is None or (i.created_at, i.id) < before]
            page = rest[:limit]
            self.items_read += len(page)
            more = len(rest) > limit
            return page, paging.encode_position(page[-1].created_at, page[-1].id) if more else None

        return read

    def readers(self) -> list[newest_merge.Reader[Item]]:
        return [self.reader(n) for n in range(len(self.lists))]


def _walk(lists: Lists, limit: int) -> list[list[Item]]:
    pages: list[list[Item]] = []
    cursor = None
    while True:
        page, cursor = newest_merge.merged_page(lists.readers(), cursor, limit)
        assert len(page) <= limit
        pages.append(page)
        if cursor is None:
            return pages


def test_pages_hold_every_item_once_newest_first_across_lists_with_ties() -> None:
    rng = random.Random(16)
    # Ten desa, uneven: some empty, one busy; many share a created_at.
    lists = [
        [Item(f"2026-01-0{rng.randrange(1, 4)}T10:00", f"{n}-{k}") for k in range(size)]
        for n, size in enumerate([0, 1, 30, 2, 0, 7, 3, 12, 1, 5])
    ]
    every = sorted((i for items in lists for i in items), key=lambda i: (i.created_at, i.id))
    every.reverse()
    for limit in (1, 3, 7, 100):
        source = Lists(lists)
        pages = _walk(source, limit)
        assert [i for page in pages for i in page] == every
        assert all(len(page) == limit for page in pages[:-1])


def test_a_page_reads_a_bounded_amount_and_skips_lists_that_ended() -> None:
    lists = [[Item(f"2026-01-01T10:{m:02d}", f"{n}-{m}") for m in range(n * 2)] for n in range(12)]
    source = Lists(lists)
    page, cursor = newest_merge.merged_page(source.readers(), None, 20)
    assert len(page) == 20 and cursor is not None
    # Far less than every list's page of 20 (12 x 20), and never more than one read per
    # list plus one per CHUNK_MIN items returned.
    assert source.items_read <= 12 * newest_merge.CHUNK_MIN + 20
    assert sum(source.reads) <= 12 + 20 // newest_merge.CHUNK_MIN
    # The empty list (n = 0) and every list wholly returned are not asked again.
    _, ended = newest_merge.decode(cursor)
    assert 0 in ended
    again = Lists(lists)
    newest_merge.merged_page(again.readers(), cursor, 20)
    assert all(again.reads[n] == 0 for n in ended)


def test_a_plain_position_is_a_cursor_and_garbage_is_refused() -> None:
    lists = Lists([[Item("2026-01-02", "a"), Item("2026-01-01", "b")], [Item("2026-01-03", "c")]])
    page, cursor = newest_merge.merged_page(
        lists.readers(), paging.encode_position("2026-01-02", "z"), 5
    )
    assert [i.id for i in page] == ["a", "b"] and cursor is None
    wrong = paging.encode_key('["a", "b", [-1]]')
    for bad in ("!!", paging.encode_key("not json"), wrong, paging.encode_key("[1, 2, 3]")):
        with pytest.raises(InvalidInput):
            newest_merge.merged_page(lists.readers(), bad, 5)
