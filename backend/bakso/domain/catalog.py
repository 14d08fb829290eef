"""The service catalog (layanan and persyaratan): data, loaded from JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
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
            "requirements": [
                {"code": r.code, "label": r.label, "required": r.required, "one_of": r.one_of}
                for r in self.requirements
            ],
        }


class Catalog:
    def __init__(self, services: Iterable[Service]) -> None:
        self._services = {s.code: s for s in services}

    @classmethod
    def from_json(cls, path: Path) -> Catalog:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            Service(
                code=s["code"],
                label=s["label"],
                label_en=s.get("label_en", s["label"]),
                referral=s.get("referral"),
                requirements=tuple(
                    Requirement(r["code"], r["label"], bool(r["required"]), r.get("one_of"))
                    for r in s["requirements"]
                ),
            )
            for s in data["services"]
        )

    def get(self, code: str) -> Service | None:
        return self._services.get(code)

    def services(self) -> list[Service]:
        return list(self._services.values())
