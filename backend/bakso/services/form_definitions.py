"""The services' form definitions as devices read them: `GET /api/v1/forms` (docs/forms.md).

The PWA renders each service's form and judges it offline from the same data the server
judges with, so it is served as the file says: every key the loader checked (sections,
fields, `subject` flags, rules, choice lists), only the maintainers' `about` note left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def served_forms(path: Path) -> dict[str, Any]:
    """`{choices, services}` of forms.json, read after domain/forms.py accepted the file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"choices": data.get("choices", {}), "services": data["services"]}
