"""Judge a request's `fields` against its service's form definition (domain/forms.py).

Pure: the same judgement as the PWA's src/lib/form-rules.ts, proven by the shared vectors
in data/form_vectors.json (tests/unit/test_form_rules.py, pwa/test/form-rules.test.ts).
Each error names the field by its path (`mother.birth_date`, `members[2].nik`; items of a
repeating group counted from 0), a code both sides share, and an Indonesian message.

`fields` is `{section: {field: value}}`, a repeating section a list of such objects.
An empty value (absent, null, or blank text) is only an error when the field is required;
a cross-field rule is judged only when its fields hold valid values, so one mistake gives
one error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput
from .forms import FieldDef, FormDefinition, SectionDef
from .identity import parse_kk, parse_nik
from .regions import Regions

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_TYPE_WORDS = {
    "text": "harus berupa teks",
    "date": "harus berupa tanggal (TTTT-BB-HH)",
    "time": "harus berupa jam (JJ:MM)",
    "number": "harus berupa angka",
    "choice": "bukan salah satu pilihan yang tersedia",
    "boolean": "harus ya atau tidak",
}


@dataclass(frozen=True)
class FieldError:
    path: str
    code: str
    message: str


def validate(
    definition: FormDefinition, fields: Any, regions: Regions, today: dt.date
) -> list[FieldError]:
    """Every error in `fields`, in the definition's order: fields first, then the rules."""
    if not isinstance(fields, dict):
        return [FieldError("", "section", "Isian formulir harus berupa objek.")]
    errors = [
        FieldError(key, "unknown", f"Bagian {key!r} tidak ada pada formulir ini.")
        for key in fields
        if definition.section(key) is None
    ]
    for section in definition.sections:
        value = fields.get(section.key)
        if section.repeat is None:
            errors += _item(section, {} if value is None else value, section.key, regions, today)
            continue
        items = [] if value is None else value
        if not isinstance(items, list):
            errors.append(
                FieldError(section.key, "section", f"{section.label} harus berupa daftar.")
            )
            continue
        least, most = section.repeat
        if len(items) < least:
            errors.append(
                FieldError(
                    section.key,
                    "count_min",
                    f"{section.label}: paling sedikit {least} (terisi {len(items)}).",
                )
            )
        if len(items) > most:
            errors.append(
                FieldError(
                    section.key,
                    "count_max",
                    f"{section.label}: paling banyak {most} (terisi {len(items)}).",
                )
            )
        for i, item in enumerate(items):
            errors += _item(section, item, f"{section.key}[{i}]", regions, today)
    for rule in definition.rules:
        errors += _RULES[rule.rule](definition, rule.args, fields, today)
    return errors


def _item(
    section: SectionDef, item: Any, prefix: str, regions: Regions, today: dt.date
) -> list[FieldError]:
    if not isinstance(item, dict):
        return [FieldError(prefix, "section", f"{section.label} harus berupa objek.")]
    errors = [
        FieldError(f"{prefix}.{key}", "unknown", f"Isian {key!r} tidak ada pada formulir ini.")
        for key in item
        if section.field(key) is None
    ]
    for field in section.fields:
        problem = check(field, item.get(field.key), regions, today)
        if problem is not None:
            errors.append(FieldError(f"{prefix}.{field.key}", *problem))
    return errors


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check(field: FieldDef, value: Any, regions: Regions, today: dt.date) -> tuple[str, str] | None:
    """One field's value: None, or (code, message)."""
    label = field.label
    if is_empty(value):
        return ("required", f"{label} wajib diisi.") if field.required else None
    kind = field.type
    if kind in ("nik", "kk"):
        if not isinstance(value, str):
            return kind, f"{label} harus berupa teks angka."
        parse = parse_nik if kind == "nik" else parse_kk
        try:
            parse(value, regions, today=today)
        except InvalidInput as exc:
            # identity's words start with the number's name ("NIK tidak valid: …"): the
            # field's label takes its place, so the message names it once.
            what = "NIK" if kind == "nik" else "No. KK"
            words = str(exc).removeprefix(f"{what} ")
            return kind, f"{label} {words}"
        return None
    valid = {
        "text": isinstance(value, str),
        "date": parse_date(value) is not None,
        "time": isinstance(value, str) and _TIME.fullmatch(value) is not None,
        "number": _is_number(value),
        "choice": isinstance(value, str) and value in {c.value for c in field.choices},
        "boolean": isinstance(value, bool),
    }[kind]
    if not valid:
        return kind, f"{label} {_TYPE_WORDS[kind]}."
    if kind == "number":
        if field.integer and not float(value).is_integer():
            return "integer", f"{label} harus bilangan bulat."
        if field.min is not None and value < field.min:
            return "min", f"{label} paling kecil {_number(field.min)}."
        if field.max is not None and value > field.max:
            return "max", f"{label} paling besar {_number(field.max)}."
    if kind == "text":
        length = len(value.strip())
        if field.max_length is not None and length > field.max_length:
            return "max_length", f"{label} paling banyak {field.max_length} huruf."
        if field.pattern is not None and re.fullmatch(field.pattern, value.strip()) is None:
            return "pattern", f"{label} tidak sesuai format."
    return None


def parse_date(value: Any) -> dt.date | None:
    if not (isinstance(value, str) and _DATE.fullmatch(value)):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


# A rule's field references, resolved per scope: the single sections once, or each item of
# the repeating group they are in (forms.py allows no mix of two groups).
Scope = dict[str, tuple[str, Any, FieldDef]]  # parameter -> (path, value, field)


def _scopes(
    definition: FormDefinition, refs: Mapping[str, str], fields: Mapping[str, Any]
) -> Iterator[Scope]:
    resolved = {name: ref.split(".") for name, ref in refs.items()}
    group = next(
        (
            s
            for parts in resolved.values()
            if (s := definition.section(parts[0])) is not None and s.repeat is not None
        ),
        None,
    )
    if group is not None:
        items = fields.get(group.key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict):
                yield {
                    name: (f"{group.key}[{i}].{p[1]}", item.get(p[1]), _field(group, p[1]))
                    for name, p in resolved.items()
                }
        return
    scope: Scope = {}
    for name, (section_key, key) in resolved.items():
        section = definition.section(section_key)
        assert section is not None  # forms.py checked every reference
        values = fields.get(section_key)
        value = values.get(key) if isinstance(values, dict) else None
        scope[name] = (f"{section_key}.{key}", value, _field(section, key))
    yield scope


def _field(section: SectionDef, key: str) -> FieldDef:
    field = section.field(key)
    assert field is not None  # forms.py checked every reference
    return field


def _other(definition: FormDefinition, path: str, other_path: str, other: FieldDef) -> str:
    """The other field of a two-field rule as the message names it: its label, and its
    section's label when it lies in another section ("Tanggal lahir (Data anak)"), since
    labels repeat across sections and the operator reads the message at `path`."""
    section = _section_key(other_path)
    if section == _section_key(path):
        return other.label
    found = definition.section(section)
    return f"{other.label} ({found.label})" if found is not None else other.label


def _section_key(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


Judge = Callable[[FormDefinition, Mapping[str, Any], Mapping[str, Any], dt.date], list[FieldError]]


def _not_future(
    definition: FormDefinition, args: Mapping[str, Any], fields: Mapping[str, Any], today: dt.date
) -> list[FieldError]:
    errors = []
    for scope in _scopes(definition, {"field": args["field"]}, fields):
        path, value, field = scope["field"]
        day = parse_date(value)
        if day is not None and day > today:
            errors.append(
                FieldError(path, "not_future", f"{field.label} tidak boleh di masa depan.")
            )
    return errors


def _older_by_years(
    definition: FormDefinition, args: Mapping[str, Any], fields: Mapping[str, Any], today: dt.date
) -> list[FieldError]:
    errors = []
    years = int(args["years"])
    refs = {"older": args["older"], "younger": args["younger"]}
    for scope in _scopes(definition, refs, fields):
        (path, older, field), (other_path, younger, other) = scope["older"], scope["younger"]
        first, second = parse_date(older), parse_date(younger)
        if first is not None and second is not None and _add_years(first, years) > second:
            named = _other(definition, path, other_path, other)
            message = f"{field.label} harus paling sedikit {years} tahun sebelum {named}."
            errors.append(FieldError(path, "older_by_years", message))
    return errors


def _after(
    definition: FormDefinition, args: Mapping[str, Any], fields: Mapping[str, Any], today: dt.date
) -> list[FieldError]:
    errors = []
    refs = {"later": args["later"], "earlier": args["earlier"]}
    for scope in _scopes(definition, refs, fields):
        (path, later, field), (other_path, earlier, other) = scope["later"], scope["earlier"]
        second, first = parse_date(later), parse_date(earlier)
        if first is not None and second is not None and second < first:
            message = (
                f"{field.label} tidak boleh sebelum {_other(definition, path, other_path, other)}."
            )
            errors.append(FieldError(path, "after", message))
    return errors


def _exactly_one(
    definition: FormDefinition, args: Mapping[str, Any], fields: Mapping[str, Any], today: dt.date
) -> list[FieldError]:
    group = definition.section(args["group"])
    assert group is not None
    field = _field(group, args["field"])
    items = fields.get(group.key)
    count = sum(
        1
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get(field.key) == args["value"]
    )
    if count == 1:
        return []
    choice = next(c.label for c in field.choices if c.value == args["value"])
    message = f'{group.label}: harus tepat satu dengan {field.label} "{choice}" (ada {count}).'
    return [FieldError(group.key, "exactly_one", message)]


def _required_if(
    definition: FormDefinition, args: Mapping[str, Any], fields: Mapping[str, Any], today: dt.date
) -> list[FieldError]:
    """`field` must be filled when the choice `when` holds `value` (e.g. the police letter's
    number when a card was lost, not when it was damaged)."""
    errors = []
    for scope in _scopes(definition, {"field": args["field"], "when": args["when"]}, fields):
        (path, value, field), (other_path, chosen, condition) = scope["field"], scope["when"]
        if chosen == args["value"] and is_empty(value):
            choice = next(c.label for c in condition.choices if c.value == args["value"])
            named = _other(definition, path, other_path, condition)
            message = f'{field.label} wajib diisi bila {named} "{choice}".'
            errors.append(FieldError(path, "required_if", message))
    return errors


_RULES: dict[str, Judge] = {
    "not_future": _not_future,
    "older_by_years": _older_by_years,
    "after": _after,
    "exactly_one": _exactly_one,
    "required_if": _required_if,
}
