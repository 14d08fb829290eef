"""What the resident's pages and the receipt say of the kabupaten (#16): the request's own
(its name, its report channels, its Dukcapil office), or, on a page of no request (the
lookup form, the page before the PWA is built), the deployment's: its one kabupaten, or all
of them listed when it serves several."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.tenants import Kabupaten, Tenants
from .links import channel_parts


def listed(names: Sequence[str]) -> str:
    """'A', 'A dan B', 'A, B dan C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} dan {names[-1]}"


def kabupaten_context(tenants: Tenants, kabupaten: Kabupaten | None) -> dict[str, Any]:
    shown = [kabupaten] if kabupaten else list(tenants)
    # LAPOR! is every kabupaten's: a resident reads it once.
    channels = list(dict.fromkeys(c for k in shown for c in k.report_channels))
    return {
        "kabupaten_name": listed([k.name for k in shown]),
        "kabupaten_short": listed([k.short_name for k in shown]),
        "report_channels": [channel_parts(c) for c in channels],
        # The office to go to: only when the page is about one request.
        "dukcapil_office": kabupaten.dukcapil if kabupaten else None,
        "code_example": f"{shown[0].code_prefix if len(shown) == 1 else 'XX'}-XXXX-XXXX",
    }
