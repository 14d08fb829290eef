"""A kabupaten's changes to the packaged service catalog: its folder's `catalog.json`.

The smallest format that covers what a Dukcapil office changes (docs/kabupaten.md):

    {
      "about": "free text, ignored",
      "disabled": ["KIA"],
      "services": {"KTP_BARU": {"label": "...", "requirements": [...]}}
    }

`disabled`: services this kabupaten does not offer (new requests for them are refused;
older ones keep their label). `services`: per service code, the fields that replace the
packaged ones (`label`, `label_en`, `referral`, `requirements`; a new `requirements` list
replaces the whole list, in the packaged file's form). A service the packaged catalog does
not have cannot be added here: it needs its form and vocabulary in the code too. Checked
at start-up: anything unknown refuses to start, naming the file.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from .catalog import Catalog, Requirement, Service

TOP_LEVEL = frozenset({"about", "disabled", "services"})
FIELDS = frozenset({"label", "label_en", "referral", "requirements"})
REQUIREMENT_FIELDS = frozenset({"code", "label", "required", "one_of"})


class CatalogError(ValueError):
    """A kabupaten's catalog.json cannot be used; the message names the file."""


def apply_changes(base: Catalog, path: Path) -> Catalog:
    """The packaged catalog as this kabupaten's file changes it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a JSON object")
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise CatalogError(f"{path}: unknown key(s) {', '.join(unknown)}")
    disabled = data.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(c, str) for c in disabled):
        raise CatalogError(f"{path}: 'disabled' must be a list of service codes")
    changes = data.get("services", {})
    if not isinstance(changes, dict):
        raise CatalogError(f"{path}: 'services' must be an object of service code → fields")
    known = {s.code for s in base.services()}
    strangers = sorted({*disabled, *changes} - known)
    if strangers:
        raise CatalogError(
            f"{path}: unknown service code(s) {', '.join(strangers)}; "
            f"the catalog has {', '.join(sorted(known))}"
        )
    services = [
        _changed(s, changes[s.code], path) if s.code in changes else s for s in base.services()
    ]
    offered = [s.code for s in services if s.code not in set(disabled)]
    if not offered:
        raise CatalogError(f"{path}: a kabupaten must offer at least one service")
    return Catalog(services, offered)


def _changed(service: Service, fields: Any, path: Path) -> Service:
    where = f"{path}: services.{service.code}"
    if not isinstance(fields, dict):
        raise CatalogError(f"{where} must be an object of the fields to replace")
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for key in ("label", "label_en"):
        if key in fields and not (isinstance(fields[key], str) and fields[key].strip()):
            raise CatalogError(f"{where}.{key} must be a non-empty text")
    if "referral" in fields and not (
        fields["referral"] is None or isinstance(fields["referral"], str)
    ):
        raise CatalogError(f"{where}.referral must be a text or null")
    changed = replace(
        service,
        label=fields.get("label", service.label),
        label_en=fields.get("label_en", service.label_en),
        referral=fields.get("referral", service.referral) or None,
    )
    if "requirements" in fields:
        changed = replace(changed, requirements=_requirements(fields["requirements"], where))
    return changed


def _requirements(rows: Any, where: str) -> tuple[Requirement, ...]:
    if not isinstance(rows, list) or not rows:
        raise CatalogError(f"{where}.requirements must be a non-empty list")
    out: list[Requirement] = []
    for i, row in enumerate(rows):
        here = f"{where}.requirements[{i}]"
        if not isinstance(row, dict) or set(row) - REQUIREMENT_FIELDS:
            raise CatalogError(f"{here} must hold only {', '.join(sorted(REQUIREMENT_FIELDS))}")
        code, label, one_of = row.get("code"), row.get("label"), row.get("one_of")
        if not (
            isinstance(code, str) and code.strip() and isinstance(label, str) and label.strip()
        ):
            raise CatalogError(f"{here} needs a 'code' and a 'label'")
        if not isinstance(row.get("required"), bool):
            raise CatalogError(f"{here}.required must be true or false")
        if one_of is not None and not isinstance(one_of, str):
            raise CatalogError(f"{here}.one_of must be a text or null")
        out.append(Requirement(code, label, row["required"], one_of))
    if len({r.code for r in out}) != len(out):
        raise CatalogError(f"{where}.requirements lists a requirement code twice")
    return tuple(out)
