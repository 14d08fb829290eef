"""Pages of store reads: the cursor codec both adapter sets share, and the page-size rule.

A cursor is opaque to clients but means the same on every adapter set, so a
page fetched from one store continues on another holding the same data. Two
kinds exist:

- a *position* (`created_at`, `id`) for lists ordered by age (requests,
  batches): URL-safe base64, unpadded, of the JSON pair;
- a *key* (one sort key) for lists ordered by a key (a desa's worklist):
  URL-safe base64, unpadded, of its UTF-8 text.

Anything else is refused with `InvalidInput(BAD_CURSOR)`.
"""

from __future__ import annotations

import base64
import binascii
import json

from .errors import InvalidInput
from .refusals import BAD_CURSOR, PAGE_SIZE_TOO_SMALL


def _unpadded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _padded(cursor: str) -> str:
    return cursor + "=" * (-len(cursor) % 4)


def encode_position(created_at: str, item_id: str) -> str:
    return _unpadded(json.dumps([created_at, item_id], separators=(",", ":")).encode())


def decode_position(cursor: str) -> tuple[str, str]:
    try:
        # Lenient like the original codec: characters outside the alphabet are
        # skipped, so cursors issued before still decode the same way.
        value = json.loads(base64.urlsafe_b64decode(_padded(cursor)))
    except (binascii.Error, ValueError):
        raise InvalidInput(BAD_CURSOR) from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(part, str) for part in value)
    ):
        raise InvalidInput(BAD_CURSOR)
    return value[0], value[1]


def encode_key(sort_key: str) -> str:
    return _unpadded(sort_key.encode())


def decode_key(cursor: str) -> str:
    try:
        # validate: characters outside the alphabet are an error, not skipped.
        decoded = base64.b64decode(_padded(cursor), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(BAD_CURSOR) from None
    if not decoded:
        raise InvalidInput(BAD_CURSOR)
    return decoded


def page_size(limit: int) -> int:
    """A page's size as asked for, refused below 1; services clamp it to their maximum first."""
    if limit < 1:
        raise InvalidInput(PAGE_SIZE_TOO_SMALL)
    return limit
