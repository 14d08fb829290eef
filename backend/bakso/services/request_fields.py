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
from ..domain.forms import Forms
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
