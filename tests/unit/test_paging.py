"""The cursor codec both adapter sets share, and the page-size rule (domain/paging.py)."""

from __future__ import annotations

import pytest

from bakso.domain import paging
from bakso.domain.errors import InvalidInput
from bakso.domain.refusals import BAD_CURSOR, PAGE_SIZE_TOO_SMALL

CREATED = "2026-01-01T08:00:00.000Z"
ID = "0b9c6a1e-5f7e-4a55-9d1c-3f1e2d4c5b6a"
# Issued by the adapters before the codec moved to the domain: they must still decode.
OLD_POSITION = (
    "WyIyMDI2LTAxLTAxVDA4OjAwOjAwLjAwMFoiLCIwYjljNmExZS01ZjdlLTRhNTUtOWQxYy0zZjFlMmQ0YzViNmEiXQ"
)
OLD_KEY = "cGVuZGluZyPDgW1pbmEjMDAwMQ"


def test_position_cursor_keeps_the_format_issued_before() -> None:
    assert paging.encode_position(CREATED, ID) == OLD_POSITION
    assert paging.decode_position(OLD_POSITION) == (CREATED, ID)


@pytest.mark.parametrize("item_id", ["a", "ab", "abc", "x#y", "ü", ""])
def test_position_cursor_round_trips_unpadded_and_url_safe(item_id: str) -> None:
    cursor = paging.encode_position(CREATED, item_id)
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor
    assert paging.decode_position(cursor) == (CREATED, item_id)


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",  # no base64 at all
        "bm90IGpzb24",  # "not json"
        "WyJvbmx5Il0",  # ["only"]
        "WyJhIiwiYiIsImMiXQ",  # ["a","b","c"]
        "WzEsMl0",  # [1,2]
        "eyJhIjoiYiJ9",  # {"a":"b"}
        "_w",  # not UTF-8
        "",
    ],
)
def test_bad_position_cursor_is_refused_in_indonesian(cursor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        paging.decode_position(cursor)
    assert caught.value.detail == BAD_CURSOR == "Kursor halaman tidak valid."


def test_key_cursor_keeps_the_format_issued_before() -> None:
    assert paging.encode_key("pending#Ámina#0001") == OLD_KEY
    assert paging.decode_key(OLD_KEY) == "pending#Ámina#0001"


@pytest.mark.parametrize("key", ["a", "ab", "abc", "0|Siti|x", "~" * 7, "ümlaut"])
def test_key_cursor_round_trips(key: str) -> None:
    cursor = paging.encode_key(key)
    assert "=" not in cursor
    assert paging.decode_key(cursor) == key


@pytest.mark.parametrize("cursor", ["%%%", "YW+j", "YW/j", "_w", "", "a"])
def test_bad_key_cursor_is_refused(cursor: str) -> None:
    # Strict: characters outside the URL-safe alphabet, bad UTF-8, empty keys.
    with pytest.raises(InvalidInput, match=BAD_CURSOR):
        paging.decode_key(cursor)


def test_page_size_below_one_is_refused() -> None:
    assert paging.page_size(1) == 1
    assert paging.page_size(500) == 500
    for limit in (0, -1):
        with pytest.raises(InvalidInput) as caught:
            paging.page_size(limit)
        assert caught.value.detail == PAGE_SIZE_TOO_SMALL
