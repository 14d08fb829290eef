"""The desa office's contact (domain.desa): one record per desa, read on every status page."""

from __future__ import annotations

from typing import Protocol

from ..domain.desa import DesaContact


class DesaContactStore(Protocol):
    """One GetItem / PutItem per call, keyed by the desa (its own partition on DynamoDB)."""

    def get_desa_contact(self, desa: str) -> DesaContact | None: ...

    def save_desa_contact(self, contact: DesaContact) -> None:
        """Replaces what the desa had (last write wins: one office, one number)."""
