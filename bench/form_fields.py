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
