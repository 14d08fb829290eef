"""Finding a request by what a Dukcapil officer has in hand: its code, a NIK, a name.

A NIK is looked up through an index keyed by a keyed hash of it (never the NIK
itself), stored on the request as `nik_key` and cleared with every other
personal value when the request is erased (domain.retention.erased), so an
erased request leaves the index. A name is matched as a word prefix within the
pages a list reads (no global name index).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

_CODE = re.compile(r"^[A-Z0-9]{1,8}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
_NIK = re.compile(r"^[0-9]{16}$")
MIN_NAME_CHARS = 2


@dataclass(frozen=True)
class Search:
    kind: Literal["code", "nik", "name"]
    value: str  # the code upper-cased, the 16 digits, or the normalised name


def parse_search(text: str) -> Search | None:
    """What the officer typed, told apart: a request code, a NIK, or a name (None: too short)."""
    compact = re.sub(r"\s+", "", text)
    if _NIK.fullmatch(compact):
        return Search("nik", compact)
    if _CODE.fullmatch(compact.upper()):
        return Search("code", compact.upper())
    name = normalised(text)
    if len(name) < MIN_NAME_CHARS:
        return None
    return Search("name", name)


def nik_index_key(nik: str, secret: str) -> str:
    """The index key of a NIK: an HMAC, so a copy of the store does not list NIKs."""
    return hmac.new(secret.encode(), f"nik:{nik}".encode(), hashlib.sha256).hexdigest()


def nik_key_of(applicant: dict[str, Any] | None, secret: str) -> str | None:
    """The index key of an applicant's NIK; None without one (a draft's, an erased request)."""
    nik = applicant.get("nik") if applicant else None
    return nik_index_key(str(nik), secret) if nik else None


def normalised(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def name_matches(name: str | None, query: str) -> bool:
    """True when `query` (normalised) starts at a word of `name`: "siti a" finds "Siti Aminah"."""
    if not name:
        return False
    return f" {normalised(name)}".find(f" {query}") >= 0
