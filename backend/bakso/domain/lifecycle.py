"""The request lifecycle (permohonan): one state machine, one table of who may move what."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import Conflict, Forbidden, InvalidInput


class Status(StrEnum):
    DRAF = "DRAF"
    DIAJUKAN = "DIAJUKAN"
    DITERIMA = "DITERIMA"
    DIPROSES = "DIPROSES"
    PERLU_PERBAIKAN = "PERLU_PERBAIKAN"
    DITOLAK = "DITOLAK"
    SELESAI = "SELESAI"
    DISERAHKAN = "DISERAHKAN"
    DIBATALKAN = "DIBATALKAN"


class Role(StrEnum):
    OPERATOR = "operator"
    DUKCAPIL = "dukcapil"
    ADMIN = "admin"
    SYSTEM = "system"  # the worker (actor "sistem"): a batch download, broken files sent back
    # The province (#16): reads the coverage of its kabupaten, never a person's data.
    PROVINSI = "provinsi"
    # The kabupaten's overseer (#19, Inspektorat): reads and follows up residents' reports
    # of a demand for money or a hard time, nothing else (docs/reports.md).
    PENGAWAS = "pengawas"


LABELS: dict[Status, str] = {
    Status.DRAF: "Draf",
    Status.DIAJUKAN: "Diajukan",
    Status.DITERIMA: "Diterima Dukcapil",
    Status.DIPROSES: "Diproses",
    Status.PERLU_PERBAIKAN: "Perlu perbaikan",
    Status.DITOLAK: "Ditolak",
    Status.SELESAI: "Dokumen terbit",
    Status.DISERAHKAN: "Sudah diserahkan",
    Status.DIBATALKAN: "Dibatalkan",
}

# The table itself is data shared with the PWA (which imports the same file at build time):
# backend/bakso/data/lifecycle.json. tests/unit/test_lifecycle_data.py fails if they drift.
_DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "lifecycle.json"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data["statuses"] != [s.value for s in Status]:
        raise ValueError(f"{path}: statuses differ from lifecycle.Status")
    return data


_DATA = _load(_DATA_FILE)

FINAL = frozenset(Status(s) for s in _DATA["final"])
# the desa may change data and scans
EDITABLE = frozenset(Status(s) for s in _DATA["editable"])
NEEDS_REASON = frozenset(Status(s) for s in _DATA["needs_reason"])

# (from, to) → roles allowed to make that move. Anything absent is illegal.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (Status(move["from"]), Status(move["to"])): frozenset(Role(r) for r in move["by"])
    for move in _DATA["transitions"]
}


def parse_status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidInput(f"Status '{value}' tidak dikenal.") from None


def check_transition(current: Status, target: Status, role: Role, note: str | None) -> None:
    """Raise unless `role` may move a request from `current` to `target` with this note."""
    allowed = TRANSITIONS.get((current, target))
    if allowed is None:
        raise Conflict(
            f"Status tidak dapat diubah dari {LABELS[current]} ke {LABELS[target]}.",
            status_now=current.value,
        )
    if role not in allowed:
        raise Forbidden(f"Peran Anda tidak boleh mengubah status ke {LABELS[target]}.")
    if target in NEEDS_REASON and not (note or "").strip():
        raise InvalidInput(f"Alasan wajib diisi untuk status {LABELS[target]}.")
