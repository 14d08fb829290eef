"""The request lifecycle (permohonan): one state machine, one table of who may move what."""

from __future__ import annotations

from enum import StrEnum

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

FINAL = frozenset({Status.DITOLAK, Status.DISERAHKAN, Status.DIBATALKAN})
EDITABLE = frozenset({Status.DRAF, Status.PERLU_PERBAIKAN})  # the desa may change data and scans
NEEDS_REASON = frozenset({Status.PERLU_PERBAIKAN, Status.DITOLAK})

_DESA = frozenset({Role.OPERATOR})
_DUKCAPIL = frozenset({Role.DUKCAPIL, Role.ADMIN, Role.SYSTEM})

# (from, to) → roles allowed to make that move. Anything absent is illegal.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (Status.DRAF, Status.DIAJUKAN): _DESA,
    (Status.PERLU_PERBAIKAN, Status.DIAJUKAN): _DESA,
    (Status.DIAJUKAN, Status.DITERIMA): _DUKCAPIL,
    # Only the system: files found broken after submit go back to the desa at once.
    # Dukcapil's own objections come after accepting the request (DITERIMA).
    (Status.DIAJUKAN, Status.PERLU_PERBAIKAN): frozenset({Role.SYSTEM}),
    (Status.DITERIMA, Status.DIPROSES): _DUKCAPIL,
    (Status.DITERIMA, Status.PERLU_PERBAIKAN): _DUKCAPIL,
    (Status.DIPROSES, Status.PERLU_PERBAIKAN): _DUKCAPIL,
    (Status.DIPROSES, Status.DITOLAK): _DUKCAPIL,
    (Status.DIPROSES, Status.SELESAI): _DUKCAPIL,
    (Status.SELESAI, Status.DISERAHKAN): _DESA,
    # Cancelling: the desa while the file is still theirs or waiting, Dukcapil at any
    # non-final point (e.g. a duplicate found in SIAK).
    (Status.DRAF, Status.DIBATALKAN): _DESA,
    (Status.DIAJUKAN, Status.DIBATALKAN): _DESA | _DUKCAPIL,
    (Status.PERLU_PERBAIKAN, Status.DIBATALKAN): _DESA | _DUKCAPIL,
    (Status.DITERIMA, Status.DIBATALKAN): _DUKCAPIL,
    (Status.DIPROSES, Status.DIBATALKAN): _DUKCAPIL,
    (Status.SELESAI, Status.DIBATALKAN): _DUKCAPIL,
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
