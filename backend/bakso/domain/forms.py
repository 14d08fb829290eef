"""Form definitions per service (data/forms.json): sections, fields and cross-field rules.

The data a request's `fields` must have, modelled on the Permendagri 109/2019 forms
(F-1.01, F-1.02, F-1.03, F-2.01). The same file is read by the PWA (src/lib/form-rules.ts)
and interpreted by both sides the same way (domain/form_rules.py here); docs/forms.md has
the format.
Checked at start-up: an unknown key, field type, rule, choice list, service or
requirement code refuses to start, naming the file, so a typo by whoever edits the data is
found before a resident's request is judged against it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog

TYPES = frozenset({"text", "date", "time", "number", "choice", "nik", "kk", "boolean"})
# Each rule's parameters: the type of field a reference must point at, or a value's type.
RULES: dict[str, dict[str, str]] = {
    "not_future": {"field": "date"},
    "older_by_years": {"older": "date", "younger": "date", "years": "int"},
    "after": {"later": "date", "earlier": "date"},
    "exactly_one": {"group": "group", "field": "choice", "value": "str"},
    "required_if": {"field": "any", "when": "choice", "value": "str"},
}
# A subject section's fields the PWA copies into the request's `subject` (schemas.SubjectIn).
SUBJECT_FIELDS = {
    "name": "text",
    "nik": "nik",
    "birth_date": "date",
    "birth_place": "text",
    "sex": "choice",
}
SUBJECT_TEXT = 120  # the longest name or birth place the request's subject holds
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_FIELD_KEYS = frozenset(
    {"key", "label", "type", "required", "choices", "min", "max", "integer"}
    | {"max_length", "pattern", "fills"}
)
_SECTION_KEYS = frozenset({"key", "label", "fills", "fields", "repeat", "subject"})


class FormsError(ValueError):
    """forms.json cannot be used; the message names the file."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    type: str
    required: bool
    fills: str | None = None
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    integer: bool = False
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class SectionDef:
    key: str
    label: str
    fields: tuple[FieldDef, ...]
    fills: str | None = None
    repeat: tuple[int, int] | None = None  # (min, max) items of a repeating group
    subject: bool = False  # its name, nik, birth_date, birth_place, sex are the request's subject

    def field(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Rule:
    rule: str
    args: Mapping[str, Any]  # the rule's parameters as in the file (RULES names them)


@dataclass(frozen=True)
class FormDefinition:
    service: str
    form: str
    sections: tuple[SectionDef, ...]
    rules: tuple[Rule, ...]

    def section(self, key: str) -> SectionDef | None:
        return next((s for s in self.sections if s.key == key), None)

    def subject_section(self) -> SectionDef | None:
        return next((s for s in self.sections if s.subject), None)


class Forms:
    def __init__(
        self, definitions: Mapping[str, FormDefinition], document: Mapping[str, Any] | None = None
    ) -> None:
        self._definitions = dict(definitions)
        self._document = dict(document or {})

    def get(self, service: str) -> FormDefinition | None:
        return self._definitions.get(service)

    def services(self) -> list[str]:
        return list(self._definitions)

    def document(self) -> dict[str, Any]:
        """The checked file as the PWA reads it, `{"choices", "services"}` (without `about`):
        every key the loader accepted, `subject` flags included (GET /api/v1/forms)."""
        copy: dict[str, Any] = json.loads(json.dumps(self._document))  # ours stays unchanged
        return copy


def load_forms(path: Path, catalog: Catalog) -> Forms:
    """The definitions in `path`, each checked against the catalog's service and requirements."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FormsError(f"{path}: cannot be read as JSON ({exc})") from None
    _object(data, str(path), {"about", "choices", "services"}, {"services"})
    lists = _choice_lists(data.get("choices", {}), f"{path}: choices")
    services = data["services"]
    if not isinstance(services, dict):
        raise FormsError(f"{path}: 'services' must be an object of service code → form")
    definitions: dict[str, FormDefinition] = {}
    for code, raw in services.items():
        where = f"{path}: services.{code}"
        service = catalog.get(code)
        if service is None:
            known = ", ".join(s.code for s in catalog.services())
            raise FormsError(f"{where}: unknown service code; the catalog has {known}")
        requirements = {r.code for r in service.requirements}
        definitions[code] = _definition(code, raw, where, lists, requirements)
    served = {"choices": data.get("choices", {}), "services": services}
    return Forms(definitions, served)


def _object(value: Any, where: str, allowed: set[str] | frozenset[str], needed: set[str]) -> None:
    if not isinstance(value, dict):
        raise FormsError(f"{where}: expected a JSON object")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise FormsError(f"{where}: unknown key(s) {', '.join(unknown)}")
    absent = sorted(needed - set(value))
    if absent:
        raise FormsError(f"{where}: missing {', '.join(absent)}")


def _text(value: Any, where: str) -> str:
    if not (isinstance(value, str) and value.strip()):
        raise FormsError(f"{where} must be a non-empty text")
    return value


def _choice_lists(raw: Any, where: str) -> dict[str, tuple[Choice, ...]]:
    if not isinstance(raw, dict):
        raise FormsError(f"{where} must be an object of list name → choices")
    lists: dict[str, tuple[Choice, ...]] = {}
    for name, items in raw.items():
        if not (isinstance(items, list) and items):
            raise FormsError(f"{where}.{name} must be a non-empty list")
        choices = []
        for i, item in enumerate(items):
            _object(item, f"{where}.{name}[{i}]", {"value", "label"}, {"value", "label"})
            choices.append(
                Choice(
                    _text(item["value"], f"{where}.{name}[{i}].value"),
                    _text(item["label"], f"{where}.{name}[{i}].label"),
                )
            )
        if len({c.value for c in choices}) != len(choices):
            raise FormsError(f"{where}.{name}: a value appears twice")
        lists[name] = tuple(choices)
    return lists


def _fills(value: Any, where: str, requirements: set[str]) -> str | None:
    if value is None:
        return None
    if value not in requirements:
        raise FormsError(
            f"{where}.fills: unknown requirement code {value!r}; "
            f"the service has {', '.join(sorted(requirements))}"
        )
    return str(value)


def _definition(
    code: str,
    raw: Any,
    where: str,
    lists: Mapping[str, tuple[Choice, ...]],
    requirements: set[str],
) -> FormDefinition:
    _object(raw, where, {"form", "sections", "rules"}, {"sections"})
    if not (isinstance(raw["sections"], list) and raw["sections"]):
        raise FormsError(f"{where}.sections must be a non-empty list")
    sections: list[SectionDef] = []
    for i, s in enumerate(raw["sections"]):
        section = _section(s, f"{where}.sections[{i}]", lists, requirements)
        if any(other.key == section.key for other in sections):
            raise FormsError(f"{where}.sections[{i}]: section {section.key!r} appears twice")
        sections.append(section)
    if sum(s.subject for s in sections) > 1:
        raise FormsError(f'{where}: more than one section has "subject": true')
    definition = FormDefinition(code, str(raw.get("form", "")), tuple(sections), ())
    rules = raw.get("rules", [])
    if not isinstance(rules, list):
        raise FormsError(f"{where}.rules must be a list")
    checked = tuple(_rule(r, f"{where}.rules[{i}]", definition) for i, r in enumerate(rules))
    return FormDefinition(code, definition.form, definition.sections, checked)


def _section(
    raw: Any, where: str, lists: Mapping[str, tuple[Choice, ...]], requirements: set[str]
) -> SectionDef:
    _object(raw, where, _SECTION_KEYS, {"key", "label", "fields"})
    key = raw["key"]
    if not (isinstance(key, str) and _KEY.fullmatch(key)):
        raise FormsError(f"{where}.key must be lower-case letters, digits and _")
    repeat = None
    if "repeat" in raw:
        r = raw["repeat"]
        _object(r, f"{where}.repeat", {"min", "max"}, {"min", "max"})
        if not (_is_int(r["min"]) and _is_int(r["max"]) and 0 <= r["min"] <= r["max"]):
            raise FormsError(f"{where}.repeat: min and max must be whole numbers, 0 ≤ min ≤ max")
        repeat = (int(r["min"]), int(r["max"]))
    if not (isinstance(raw["fields"], list) and raw["fields"]):
        raise FormsError(f"{where}.fields must be a non-empty list")
    fields: list[FieldDef] = []
    for i, f in enumerate(raw["fields"]):
        field = _field(f, f"{where}.fields[{i}]", lists, requirements)
        if any(other.key == field.key for other in fields):
            raise FormsError(f"{where}.fields[{i}]: field {field.key!r} appears twice")
        fields.append(field)
    subject = raw.get("subject", False)
    if not isinstance(subject, bool):
        raise FormsError(f"{where}.subject must be true or false")
    if subject:
        _subject(fields, repeat, where)
    return SectionDef(
        key,
        _text(raw["label"], f"{where}.label"),
        tuple(fields),
        _fills(raw.get("fills"), where, requirements),
        repeat,
        subject,
    )


def _subject(fields: list[FieldDef], repeat: tuple[int, int] | None, where: str) -> None:
    """A subject section's values become the request's one `subject`: one item, and fields
    the request's subject can hold (a name it cannot be without; sex L or P)."""
    if repeat is not None:
        raise FormsError(f"{where}: a subject section cannot repeat")
    for field in fields:
        kind = SUBJECT_FIELDS.get(field.key)
        if kind is not None and field.type != kind:
            raise FormsError(f"{where}: subject field {field.key!r} must be a {kind} field")
        if kind == "text" and not (field.max_length or SUBJECT_TEXT + 1) <= SUBJECT_TEXT:
            raise FormsError(f"{where}: subject field {field.key!r} needs a max_length ≤ 120")
        if field.key == "sex" and not {c.value for c in field.choices} <= {"L", "P"}:
            raise FormsError(f"{where}: subject field 'sex' must choose between L and P")
    name = next((f for f in fields if f.key == "name"), None)
    if name is None or not name.required:
        raise FormsError(f"{where}: a subject section needs a required 'name' field")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field(
    raw: Any, where: str, lists: Mapping[str, tuple[Choice, ...]], requirements: set[str]
) -> FieldDef:
    _object(raw, where, _FIELD_KEYS, {"key", "label", "type", "required"})
    key, kind = raw["key"], raw["type"]
    if not (isinstance(key, str) and _KEY.fullmatch(key)):
        raise FormsError(f"{where}.key must be lower-case letters, digits and _")
    if kind not in TYPES:
        raise FormsError(f"{where}: unknown field type {kind!r}; known: {', '.join(sorted(TYPES))}")
    if not isinstance(raw["required"], bool):
        raise FormsError(f"{where}.required must be true or false")
    # Each option belongs to one type: an option the type ignores is a mistake in the data.
    only = {
        "choices": "choice",
        "min": "number",
        "max": "number",
        "integer": "number",
        "max_length": "text",
        "pattern": "text",
    }
    for option, owner in only.items():
        if option in raw and kind != owner:
            raise FormsError(f"{where}.{option}: only a {owner} field has it")
    choices: tuple[Choice, ...] = ()
    if kind == "choice":
        if raw.get("choices") not in lists:
            raise FormsError(f"{where}.choices must name a list in 'choices'")
        choices = lists[raw["choices"]]
    for option in ("min", "max"):
        if option in raw and not _is_number(raw[option]):
            raise FormsError(f"{where}.{option} must be a number")
    if "max_length" in raw and not (_is_int(raw["max_length"]) and raw["max_length"] > 0):
        raise FormsError(f"{where}.max_length must be a whole number above 0")
    pattern = raw.get("pattern")
    if pattern is not None:
        # The PWA reads the same pattern as a JavaScript RegExp: plain classes and counts only.
        # A dot only as the literal [.]: a bare one reads "\r" differently in the two languages.
        plain = pattern.replace("[.]", "") if isinstance(pattern, str) and pattern else "."
        if not re.fullmatch(r"[\w\[\]{},\-+*?|() ]*", plain):
            raise FormsError(
                f"{where}.pattern: only letters, [ ] {{ }} , - + * ? | ( ) and [.] allowed"
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FormsError(f"{where}.pattern: {exc}") from None
    return FieldDef(
        key=key,
        label=_text(raw["label"], f"{where}.label"),
        type=kind,
        required=raw["required"],
        fills=_fills(raw.get("fills"), where, requirements),
        choices=choices,
        min=raw.get("min"),
        max=raw.get("max"),
        integer=bool(raw.get("integer", False)),
        max_length=raw.get("max_length"),
        pattern=pattern,
    )


def _rule(raw: Any, where: str, definition: FormDefinition) -> Rule:
    if not isinstance(raw, dict) or raw.get("rule") not in RULES:
        raise FormsError(f"{where}: unknown rule; known: {', '.join(sorted(RULES))}")
    params = RULES[raw["rule"]]
    _object(raw, where, {"rule", *params}, {"rule", *params})
    scopes: set[str | None] = set()
    group = None
    if "group" in params:
        group = definition.section(raw["group"]) if isinstance(raw["group"], str) else None
        if group is None or group.repeat is None:
            raise FormsError(f"{where}.group must name a repeating section")
    for name, expected in params.items():
        value = raw[name]
        if expected == "int" and not (_is_int(value) and value > 0):
            raise FormsError(f"{where}.{name} must be a whole number above 0")
        if expected == "str" and not isinstance(value, str):
            raise FormsError(f"{where}.{name} must be a text")
        if expected in ("date", "choice", "any"):
            field, section = _reference(value, group, definition)
            if field is None or expected not in ("any", field.type):
                what = "" if expected == "any" else f" {expected}"
                raise FormsError(f"{where}.{name}: {value!r} is not a{what} field of this form")
            scopes.add(section.key if section.repeat else None)
            if expected == "choice" and raw.get("value") not in {c.value for c in field.choices}:
                raise FormsError(f"{where}.value: not one of {value}'s choices")
            if raw["rule"] == "required_if" and name == "field" and field.required:
                raise FormsError(f"{where}.field: {value!r} is required anyway")
    # Two fields compared: both single, or both in the same item of one repeating group.
    if len(scopes) > 1:
        raise FormsError(f"{where}: compares fields of different repeating groups")
    return Rule(raw["rule"], {k: raw[k] for k in params})


def _reference(
    value: Any, group: SectionDef | None, definition: FormDefinition
) -> tuple[FieldDef | None, SectionDef]:
    """A rule's field: `section.field`, or the bare field name within the rule's group."""
    if group is not None:
        return (group.field(value) if isinstance(value, str) else None), group
    parts = value.split(".") if isinstance(value, str) else []
    section = definition.section(parts[0]) if len(parts) == 2 else None
    if section is None:
        return None, definition.sections[0]
    return section.field(parts[1]), section
