"""The manifest's layout over every service's form: one column per single field, a group per
repeating section, and each valid vector's values landing in their own cells."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bakso.services.batch_manifest import ManifestLayout, file_stem, manifest_columns

VECTORS = Path(__file__).resolve().parents[2] / "backend" / "bakso" / "data" / "form_vectors.json"
VALID: dict[str, dict[str, Any]] = json.loads(VECTORS.read_text())["valid"]


def _row(service: str) -> dict[str, Any]:
    return {
        "code": f"LT-{service}",
        "service": service,
        "service_label": service,
        "desa_name": "",
        "kecamatan_name": "",
        "applicant": {},
        "subject": None,
        "submitted_at": None,
        "jemput_bola": False,
        "files": [],
        "fields": VALID[service],
    }


def test_every_service_s_values_land_in_their_columns_and_groups(services) -> None:
    layout = ManifestLayout(services.forms, services.catalog, VALID)
    headers = [c.title for c in layout.request_columns()]
    assert len(headers) == len(set(headers))  # a shared header is one column
    base = len(manifest_columns())
    rows = [_row(s) for s in VALID]
    for row, cells in zip(rows, layout.request_rows(rows), strict=True):
        definition = services.forms.get(row["service"])
        for section in definition.sections:
            if section.repeat or section.key not in row["fields"]:
                continue
            for field in section.fields:
                value = row["fields"][section.key].get(field.key)
                at = headers.index(f"{section.label} — {field.label}")
                if value in (None, ""):
                    continue
                cell = cells[at]
                if field.type == "choice":
                    assert cell == next(c.label for c in field.choices if c.value == value)
                else:
                    assert cell == value, (row["service"], section.key, field.key)
        # Another service's columns stay empty.
        filled = {headers[i] for i, c in enumerate(cells[base:], base) if c not in (None, "")}
        labels = {s.label for s in definition.sections}
        assert all(h.split(" — ")[0] in labels for h in filled), filled

    stems = [g.stem for g in layout.groups]
    assert len(stems) == len(set(stems))
    assert {"anggota_keluarga", "saksi"} <= set(stems)
    for group in layout.groups:
        items = sum(
            len(row["fields"].get(key, []))
            for row in rows
            for service, key in group.sources
            if service == row["service"]
        )
        assert len(list(layout.group_rows(group, rows))) == items


def test_a_group_file_takes_its_section_label_in_ascii() -> None:
    assert file_stem("Anggota keluarga", "members") == "anggota_keluarga"
    assert file_stem("Saksi", "witnesses") == "saksi"
    assert file_stem("Pasangan (suami/istri)", "spouses") == "pasangan_suami_istri"
    assert file_stem("Manifest", "x") == "manifest_x"  # never the volume's own file
    assert file_stem("—", "members") == "members"
