"""Characters no person types: refused in the API's text fields, stripped from imported cells.

A NUL, an escape sequence or a bidi override in a name would be stored and then printed
into berkas.pdf, manifest.csv and the officers' screens, where it can hide or reorder
what is shown ("Siti" that reads "itiS", a line that ends early in a CSV viewer).
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the bidi embeddings, overrides and isolates.
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# A multi-line field (a note) may keep tab, line feed and carriage return.
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

CONTROL_MESSAGE = "mengandung karakter kontrol"


def has_control(value: str, *, multiline: bool = False) -> bool:
    """True if `value` holds a control character (tab and line breaks pass if `multiline`)."""
    pattern = _CONTROL_BUT_LINES if multiline else _ANY_CONTROL
    return pattern.search(value) is not None


def strip_control(value: str) -> str:
    """`value` with every control character turned into a space."""
    return _ANY_CONTROL.sub(" ", value)
