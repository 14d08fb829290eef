"""A request's `fields` judged against its service's form (docs/forms.md): before a draft
is stored, and again when it is submitted (which requires the form complete).

The same judgement as the PWA's (domain/form_rules.py, the shared vectors); a refusal is
a 422 whose `errors[]` names each field by its path in the body (`fields.members[1].nik`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..domain import form_rules
from ..domain.errors import InvalidInput
from ..domain.forms import SUBJECT_FIELDS, Forms
from ..domain.identity import compact
from ..domain.regions import Regions
from ..domain.text import CONTROL_MESSAGE, has_control

_NAMED_IN_DETAIL = 5  # the rest are in errors[]


def checked_fields(
    forms: Forms | None, service: str, fields: Any, regions: Regions, today: dt.date
) -> dict[str, Any]:
    """`fields` as stored, or InvalidInput naming every refused field.

    Empty fields are accepted for every service: a draft saved before its form is filled
    (submit then requires them: require_complete_fields). A service without a definition
    has no fields, so anything sent for it is refused rather than stored unjudged (it is
    personal data).
    """
    if isinstance(fields, dict) and not fields:
        return {}
    definition = forms.get(service) if forms is not None else None
    if definition is None:
        keys = list(fields) if isinstance(fields, dict) else [""]
        errors = [
            form_rules.FieldError(key, "unknown", "Layanan ini tidak memiliki isian formulir.")
            for key in keys
        ]
    else:
        errors = _control_characters(fields, "") or form_rules.validate(
            definition, fields, regions, today
        )
    if not errors:
        return dict(fields)
    raise _refusal("Isian formulir belum benar", errors)


def agreed_subject(
    forms: Forms | None, service: str, fields: dict[str, Any], subject: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The request's `subject` once it agrees with the form's subject section (docs/forms.md).

    A service whose form has a subject section (the child of AKTA_LAHIR, the deceased) has
    one subject: that section's name, nik, birth_date, birth_place and sex. A subject sent
    with other values is refused (422, `subject.<key>`), so the header and the form never
    name two people; one sent as null is taken from the section. Empty fields (a draft
    saved before its form is filled) leave the subject as sent: there is nothing to agree
    with yet. Compared as the PWA copies them: trimmed, empty/absent/null alike, NIKs
    without separators.
    """
    definition = forms.get(service) if forms is not None and fields else None
    section = definition.subject_section() if definition is not None else None
    if section is None:
        return subject
    values = fields.get(section.key)
    typed = values if isinstance(values, dict) else {}
    expected = {key: _comparable(key, typed.get(key)) for key in SUBJECT_FIELDS}
    if subject is None:
        return expected if expected["name"] else None
    errors = []
    for key in SUBJECT_FIELDS:
        if _comparable(key, subject.get(key)) == expected[key]:
            continue
        field = section.field(key)
        named = (
            f"{field.label} ({section.label})"
            if field
            else f"{section.label}, yang tidak memuatnya"
        )
        errors.append(
            {
                "field": f"subject.{key}",
                "code": "subject_mismatch",
                "message": f"Harus sama dengan isian formulir: {named}.",
            }
        )
    if not errors:
        return subject
    listed = "; ".join(e["field"] for e in errors)
    raise InvalidInput(
        f"Subjek permohonan tidak sama dengan isian formulir bagian {section.label}: {listed}. "
        "Kirim subjek dari bagian itu, atau null agar diambil dari sana.",
        errors=errors,
    )


def _comparable(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None, or a value the form's rules already judged
    text = value.strip()
    if not text:
        return None
    return compact(text) if key == "nik" else text


def require_complete_fields(
    forms: Forms | None, service: str, fields: Any, regions: Regions, today: dt.date
) -> None:
    """InvalidInput unless the stored `fields` pass the service's form: what submit requires.

    Judged again rather than trusted from the PUT: `{}` was accepted as a draft, and
    Dukcapil may have changed the definition since (a new required field, a new rule).
    A service without a definition needs none.
    """
    definition = forms.get(service) if forms is not None else None
    if definition is None:
        return
    errors = form_rules.validate(definition, fields, regions, today)
    if not errors:
        return
    form = f"formulir {definition.form}" if definition.form else "formulir"
    lead = "belum diisi" if not fields else "belum lengkap atau belum benar"
    raise _refusal(f"Permohonan belum dapat diajukan: isian {form} {lead}", errors)


def _refusal(lead: str, errors: list[form_rules.FieldError]) -> InvalidInput:
    named = [{"field": _body_path(e.path), "code": e.code, "message": e.message} for e in errors]
    listed = "; ".join(f"{e['field']} ({e['message']})" for e in named[:_NAMED_IN_DETAIL])
    more = f"; dan {len(named) - _NAMED_IN_DETAIL} lainnya" if len(named) > _NAMED_IN_DETAIL else ""
    return InvalidInput(f"{lead}: {listed}{more}.", errors=named)


def _body_path(path: str) -> str:
    return f"fields.{path}" if path else "fields"


def _control_characters(value: Any, path: str) -> list[form_rules.FieldError]:
    """Control characters anywhere in the values, refused as in every other text (text.py)."""
    if isinstance(value, str):
        found = has_control(value, multiline=False)
        return [form_rules.FieldError(path, "control_character", CONTROL_MESSAGE)] if found else []
    if isinstance(value, dict):
        items = [(f"{path}.{k}" if path else str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    else:
        return []
    return [error for sub, item in items for error in _control_characters(item, sub)]
