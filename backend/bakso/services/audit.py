"""The hash-chained audit log: Dukcapil's search, and the chain check of `bakso audit verify`."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import Forbidden
from ..domain.model import GENESIS_HASH, Actor, AuditEntry, link_holds
from ..ports import AuditLog

SEARCH_LIMIT_MAX = 500
VERIFY_PAGE = 1000


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEntry]
    before: int | None  # pass as `before` for the next (older) page; None when this is the last


@dataclass(frozen=True)
class ChainCheck:
    broken: int | None  # the seq of the first entry whose link does not hold, or None
    checked: int  # entries whose link holds, before the broken one if any


class AuditService:
    def __init__(self, store: AuditLog, *, page_size: int = VERIFY_PAGE) -> None:
        self.store = store
        self.page_size = page_size

    def search(
        self,
        actor: Actor,
        *,
        target: str | None = None,
        user: str | None = None,
        since: str | None = None,
        until: str | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> AuditPage:
        """Newest first, for Dukcapil staff only; `before` pages to older entries."""
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat membuka log audit.")
        limit = max(1, min(limit, SEARCH_LIMIT_MAX))
        entries = self.store.audit_search(
            target=target,
            actor=user,
            since=since,
            until=until,
            before_seq=before,
            limit=limit,
        )
        cursor = entries[-1].seq if len(entries) == limit else None
        return AuditPage(entries, cursor)

    def verify(self) -> ChainCheck:
        """Walk the whole chain page by page (keyed by seq), keeping only the previous hash.

        Memory stays flat whatever the log's size. The rule is
        `domain.model.first_broken_link`'s: entries numbered from 1 without a gap,
        each linked to the previous hash and hashing to what it stores.
        """
        prev = GENESIS_HASH
        checked = 0
        while page := self.store.audit_entries(after_seq=checked, limit=self.page_size):
            for entry in page:
                if not link_holds(entry, checked + 1, prev):
                    return ChainCheck(broken=checked + 1, checked=checked)
                prev = entry.hash
                checked += 1
        return ChainCheck(broken=None, checked=checked)
