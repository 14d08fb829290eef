"""The form `fields` a bench request carries: each service's complete, valid `fields` from
the shared vectors (backend/bakso/data/form_vectors.json, docs/forms.md), as submit
requires them; {} for a service without a form. Read at each call, like tests/helpers.py."""

from __future__ import annotations

import json
from typing import Any

from .common import REPO

VECTORS = REPO / "backend" / "bakso" / "data" / "form_vectors.json"


def valid_fields(service: str) -> dict[str, Any]:
    valid = json.loads(VECTORS.read_text(encoding="utf-8")).get("valid", {})
    return dict(valid.get(service, {}))


def fill_input(page: Any, element_id: str, value: Any) -> None:
    """One input of the PWA's form (docs/forms.md "In the PWA"), by its type."""
    field = page.locator(f"#{element_id}")
    kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : e.type")
    if kind == "checkbox":
        field.set_checked(bool(value))
    elif kind == "select":
        field.select_option(str(value))
    else:
        field.fill(str(value))


def fill_fields(page: Any, fields: dict[str, Any]) -> None:
    """Type `fields` (the wire shape) into the PWA's data step: by field id, items added
    with the group's "Tambah" button as needed. Shared by the bench and tests/e2e/ui.py."""
    for section, value in fields.items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                first = f"#f-{section}-{index}-{next(iter(item), '')}"
                if item and page.locator(first).count() == 0:
                    page.locator(f'[data-add="{section}"]').click()
                for key, field_value in item.items():
                    fill_input(page, f"f-{section}-{index}-{key}", field_value)
        else:
            for key, field_value in value.items():
                fill_input(page, f"f-{section}-{key}", field_value)
