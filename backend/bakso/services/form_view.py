"""A request's `fields` as people read them: every field under its forms.json label.

One reading for everything carried to Dukcapil (manifest.json, the manifest tables,
berkas.pdf; docs/forms.md "Carried to Dukcapil"), so they cannot disagree. Every field of
the definition is shown, empty ones too, in the definition's order; a stored value the
definition no longer names (forms.json changed after the request was saved) is shown
under its key at the end rather than silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.forms import FieldDef, FormDefinition
from ..domain.resident import MONTHS
from .spreadsheets import Kind


@dataclass(frozen=True)
class Shown:
    key: str
    label: str
    type: str
    value: Any  # as stored
    field: FieldDef | None  # None: stored, but not (or no longer) in the definition


@dataclass(frozen=True)
class ShownSection:
    key: str
    label: str
    fills: str | None
    repeat: bool
    items: tuple[tuple[Shown, ...], ...]  # a single section: exactly one item


def show(definition: FormDefinition | None, fields: Mapping[str, Any]) -> list[ShownSection]:
    """Every section and field of the definition with the request's values, then extras."""
    sections: list[ShownSection] = []
    defined = set()
    for section in definition.sections if definition else ():
        defined.add(section.key)
        raw = fields.get(section.key)
        if section.repeat is not None:
            items = (
                [item for item in raw if isinstance(item, Mapping)] if isinstance(raw, list) else []
            )
        else:
            items = [raw if isinstance(raw, Mapping) else {}]
        shown = []
        for item in items:
            known = [Shown(f.key, f.label, f.type, item.get(f.key), f) for f in section.fields]
            names = {f.key for f in section.fields}
            shown.append((*known, *_extras(item, names)))
        sections.append(
            ShownSection(
                section.key, section.label, section.fills, section.repeat is not None, tuple(shown)
            )
        )
    for key, raw in fields.items():
        if key in defined:
            continue
        if isinstance(raw, list):
            items = [item for item in raw if isinstance(item, Mapping)]
            sections.append(
                ShownSection(key, key, None, True, tuple(_extras(i, set()) for i in items))
            )
        elif isinstance(raw, Mapping):
            sections.append(ShownSection(key, key, None, False, (_extras(raw, set()),)))
    return sections


def _extras(item: Mapping[str, Any], known: set[str]) -> tuple[Shown, ...]:
    return tuple(Shown(k, k, "text", v, None) for k, v in item.items() if k not in known)


def choice_label(shown: Shown) -> str | None:
    if shown.field is None or shown.field.type != "choice":
        return None
    return next((c.label for c in shown.field.choices if c.value == shown.value), None)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(shown: Shown) -> str:
    """For a printed page: a choice by its label, dates spelled out, decimals with a comma."""
    value = shown.value
    if _empty(value):
        return "-"
    if shown.type == "choice":
        return choice_label(shown) or str(value)
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if shown.type == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if isinstance(value, int | float):
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return str(number).replace(".", ",")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def cell(shown: Shown) -> Any:
    """For a spreadsheet cell typed by `kind`: a choice by its label, the rest as stored."""
    value = shown.value
    if _empty(value):
        return None
    if shown.type == "choice":
        return choice_label(shown) or str(value)
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False)


def kind(field_type: str) -> Kind:
    """How a field's column is typed: NIK, No. KK, RT, times and choices stay text."""
    if field_type == "date":
        return "date"
    if field_type == "number":
        return "number"
    return "text"


def as_json(sections: list[ShownSection]) -> list[dict[str, Any]]:
    """manifest.json's `form.sections`: labels and raw values, a choice's label beside it."""
    out: list[dict[str, Any]] = []
    for section in sections:
        entry: dict[str, Any] = {"key": section.key, "label": section.label}
        if section.fills:
            entry["fills"] = section.fills
        rendered = [[_json_field(s) for s in item] for item in section.items]
        if section.repeat:
            entry["items"] = [{"number": n, "fields": f} for n, f in enumerate(rendered, 1)]
        else:
            entry["fields"] = rendered[0] if rendered else []
        out.append(entry)
    return out


def _json_field(shown: Shown) -> dict[str, Any]:
    entry = {"key": shown.key, "label": shown.label, "type": shown.type, "value": shown.value}
    label = choice_label(shown)
    if label is not None:
        entry["value_label"] = label
    return entry
