"""What the PWA's photo check flagged on a page the operator kept anyway (docs/photos.md).

The check (pwa/src/lib/photo-quality.ts) flags a photo as too dark, blurred or too small;
"Tetap pakai" keeps it with those flags. They travel with the scan so Dukcapil knows the
page was sent knowingly, not missed: on the officer's detail, berkas.pdf's page caption
and manifest.json's file list. Advice only: a flagged page still satisfies its requirement.
"""

from __future__ import annotations

from collections.abc import Iterable

# In the order the PWA's check names them (photo-quality.ts FLAGS).
CODES = ("dark", "blurred", "small")
LABELS = {"dark": "gelap", "blurred": "kabur", "small": "terlalu kecil"}


def normalised(codes: Iterable[str]) -> tuple[str, ...]:
    """Known codes once each, in CODES order: how a scan stores and compares them."""
    given = set(codes)
    unknown = given - set(CODES)
    if unknown:
        raise ValueError(f"unknown photo quality codes: {sorted(unknown)}")
    return tuple(code for code in CODES if code in given)


def kept_note(codes: Iterable[str]) -> str:
    """'Foto gelap, kabur - dipertahankan operator'; '' for a page without flags."""
    known = [LABELS[c] for c in CODES if c in set(codes)]
    return f"Foto {', '.join(known)} - dipertahankan operator" if known else ""
