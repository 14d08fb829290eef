"""Shapes of the form definitions served to devices (docs/forms.md)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ...schemas import Out


class ChoiceOut(Out):
    value: str
    label: str


class FormsOut(Out):
    choices: dict[str, list[ChoiceOut]] = Field(description="choice lists by name")
    services: dict[str, dict[str, Any]] = Field(
        description=(
            "per service code: `form`, `sections` (key, label, fields, optional fills,"
            " repeat, subject) and cross-field `rules`, as in forms.json; a service"
            " absent here has no form"
        )
    )
