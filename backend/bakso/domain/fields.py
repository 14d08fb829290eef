"""Reading stored records written by another version of BAKSO.

During a rolling deploy (`zappa update web`, then `zappa update worker`) or after
a rollback, one version reads what the other wrote. A newer version may add a
field to a record; the older one must read the record and ignore the field,
not fail in the dataclass constructor. (A field removed later keeps its
default, so a newer reader of an older record already copes.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

_NAMES: dict[type[Any], frozenset[str]] = {}


def _names(cls: type[Any]) -> frozenset[str]:
    names = _NAMES.get(cls)
    if names is None:
        if not is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass")
        names = _NAMES[cls] = frozenset(f.name for f in fields(cls) if f.init)
    return names


def known_fields(cls: type[Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `data` that name a field of the dataclass `cls`; the rest are dropped."""
    names = _names(cls)
    return {key: value for key, value in data.items() if key in names}
