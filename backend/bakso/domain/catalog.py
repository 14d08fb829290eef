"""The service catalog (layanan and persyaratan): data, loaded from JSON.

The packaged file is every kabupaten's catalog; a kabupaten folder may change it with its
own `catalog.json` (domain/catalog_changes.py, docs/kabupaten.md): services it does not
offer, labels or requirements of its own. `Catalog.catalog_for(kabupaten)` is the one a
request of that kabupaten is checked against; a catalog without changes is its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    required: bool
    one_of: str | None  # requirements sharing a group: any one of them suffices


@dataclass(frozen=True)
class Service:
    code: str
    label: str
    label_en: str
    requirements: tuple[Requirement, ...]
    referral: str | None = None
    # What Dukcapil issues: "printable", a PDF with its electronic signature (TTE) printed on
    # plain A4 at the desa or by the resident; "card", a card (KTP-el, KIA) collected from
    # Dukcapil or the UPT, which no printer can make.
    document: str = "printable"

    def requirement(self, code: str) -> Requirement | None:
        return next((r for r in self.requirements if r.code == code), None)

    def missing(self, satisfied: Iterable[str]) -> list[Requirement]:
        """Mandatory requirements not yet satisfied; a one_of group is listed by its members."""
        have = set(satisfied)
        missing: list[Requirement] = []
        groups_met = {r.one_of for r in self.requirements if r.one_of and r.code in have}
        for req in self.requirements:
            if not req.required or req.code in have:
                continue
            if req.one_of and req.one_of in groups_met:
                continue
            missing.append(req)
        return missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "label_en": self.label_en,
            "referral": self.referral,
            "document": self.document,
            "requirements": [
                {"code": r.code, "label": r.label, "required": r.required, "one_of": r.one_of}
                for r in self.requirements
            ],
        }


class Catalog:
    def __init__(self, services: Iterable[Service], offered: Iterable[str] | None = None) -> None:
        self._services = {s.code: s for s in services}
        # A service a kabupaten does not offer stays known: its older requests keep their
        # label and requirements, only new ones are refused (`offers`).
        self._offered = set(self._services) if offered is None else set(offered)
        self._variants: dict[str, Catalog] = {}

    @classmethod
    def from_json(cls, path: Path) -> Catalog:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(service_from_json(s) for s in data["services"])

    def get(self, code: str) -> Service | None:
        return self._services.get(code)

    def offers(self, code: str) -> Service | None:
        """The service, if a new request may ask for it here."""
        return self._services.get(code) if code in self._offered else None

    def services(self) -> list[Service]:
        """What the form offers, in the catalog's order."""
        return [s for s in self._services.values() if s.code in self._offered]

    def with_variants(self, variants: Mapping[str, Catalog]) -> Catalog:
        """This catalog (the default kabupaten's), knowing the other kabupaten's."""
        self._variants = dict(variants)
        return self

    def catalog_for(self, kabupaten: str | None) -> Catalog:
        """The catalog of a kabupaten (by code); this one for the default, or for none."""
        return self._variants.get(kabupaten or "", self)


def service_from_json(s: Mapping[str, Any]) -> Service:
    return Service(
        code=s["code"],
        label=s["label"],
        label_en=s.get("label_en", s["label"]),
        referral=s.get("referral"),
        document=_document_kind(s),
        requirements=tuple(
            Requirement(r["code"], r["label"], bool(r["required"]), r.get("one_of"))
            for r in s["requirements"]
        ),
    )


DOCUMENT_KINDS = ("printable", "card")


def _document_kind(s: Mapping[str, Any]) -> str:
    kind = s.get("document", "printable")
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"service {s['code']}: document must be one of {DOCUMENT_KINDS}")
    return str(kind)
