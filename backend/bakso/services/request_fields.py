"""A draft's `fields` judged against its service's form before it is stored (docs/forms.md).

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

    Empty fields are accepted for every service: the PWA does not send them yet and
    submitting does not require them. A service without a definition has no fields, so
    anything sent for it is refused rather than stored unjudged (it is personal data).
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
    named = [{"field": _body_path(e.path), "code": e.code, "message": e.message} for e in errors]
    listed = "; ".join(f"{e['field']} ({e['message']})" for e in named[:_NAMED_IN_DETAIL])
    more = f"; dan {len(named) - _NAMED_IN_DETAIL} lainnya" if len(named) > _NAMED_IN_DETAIL else ""
    raise InvalidInput(f"Isian formulir belum benar: {listed}{more}.", errors=named)


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
