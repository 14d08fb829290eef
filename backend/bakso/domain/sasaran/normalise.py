"""Text as an import line gives it, made comparable: names, addresses, codes, the natural key."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..text import strip_control
from .vocabulary import ADDRESS_WORDS, TOKEN_SPELLINGS

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(value: str) -> str:
    """Lower case, accents dropped, anything but letters and digits turned into spaces."""
    if not value.isascii():
        decomposed = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", value.casefold()).split())


def code_token(value: str) -> str:
    """A code or label as the vocabulary's aliases are written: folded, no spaces."""
    token = fold(value).replace(" ", "")
    for spelling, standard in TOKEN_SPELLINGS:
        token = token.replace(spelling, standard)
    return token


def clean_text(value: str) -> str:
    """What is shown and stored: the text as typed, whitespace collapsed.

    Control characters a spreadsheet cell can hold (a NUL, an escape, a bidi override)
    become spaces, so they never reach a desa's worklist, berkas.pdf or manifest.csv.
    """
    return " ".join(strip_control(value).split())


def normalise_name(name: str) -> str:
    return fold(name)


_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def normalise_address(address: str) -> str:
    """'Dsn. Lendang RT 001/RW 02' and 'dusun lendang rt 1 rw 2' are the same place."""
    folded = fold(address)
    folded = _LETTER_DIGIT.sub(" ", folded)
    words = []
    for word in folded.split():
        word = ADDRESS_WORDS.get(word, word)
        words.append(str(int(word)) if word.isdigit() else word)
    return " ".join(words)


def name_key(name: str, desa: str, address: str) -> str:
    """The natural key of a resident without a NIK; hashed, so it carries no name."""
    raw = f"{desa}|{normalise_name(name)}|{normalise_address(address)}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def normalise_desa_code(value: str) -> str:
    """'5203012001' → '52.03.01.2001'; a dotted code is kept as it is."""
    code = value.strip().replace(" ", "")
    if len(code) == 10 and code.isascii() and code.isdigit():
        return f"{code[0:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    return code
