"""The keyed audit chains: Dukcapil's search, and the chain check of `bakso audit verify`.

One chain per kabupaten (#16): an officer or admin searches its own kabupaten's only
(another kabupaten's entries, targets and request codes are simply not found there);
verify checks one chain, or every chain the deployment serves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..domain.audit_chain import AuditHead, AuditKeys
from ..domain.errors import Forbidden
from ..domain.lifecycle import Role
from ..domain.model import GENESIS_HASH, Actor, AuditEntry, User
from ..domain.regions import kabupaten_of
from ..ports import AuditLog, RequestStore, UserStore
from .status import CODE_SHAPE as REQUEST_CODE

SEARCH_LIMIT_MAX = 500
VERIFY_PAGE = 1000


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEntry]
    before: int | None  # pass as `before` for the next (older) page; None when this is the last


# What verify found wrong, if anything (ChainCheck.problem).
LINK = "link"  # entry `broken` does not follow the previous link, or its link is not ours
MISSING = "missing"  # fewer entries than the head records: `broken` is the first one gone
EXTRA = "extra"  # entries past the head's length: `broken` is the first one past it
HEAD_MISMATCH = "head_mismatch"  # the head's last link is not entry `broken`'s
HEAD_FORGED = "head_forged"  # the head is not sealed by any of our keys
HEAD_MISSING = "head_missing"  # entries but no head (and not a legacy log at its cut-over)
WIPED = "wiped"  # no entries and no head, yet accounts exist: each was created with an entry


@dataclass(frozen=True)
class ChainCheck:
    broken: int | None  # the seq of the first entry that does not hold, or None
    checked: int  # entries whose link holds, before the broken one if any
    problem: str | None = None  # one of the constants above; None when intact
    recorded: int | None = None  # the length the head records (None: no head)
    head: AuditHead | None = None
    legacy: int = 0  # entries checked by the old unkeyed rule (before the cut-over)
    chain: str = ""  # the chain checked (a kabupaten code)


def account_chain(user: User, default: str) -> str | None:
    """The chain an account's entries join: its kabupaten's (an operator's is its desa's;
    accounts from before #16: the default's). None for the province role, whose entries
    join the chain of the admin who acted (docs/security.md, Audit log)."""
    if user.role is Role.OPERATOR:
        return kabupaten_of(user.desa) if user.desa else None
    if user.role is Role.PROVINSI:
        return None
    return user.kabupaten or default


# The audit actions of services/reports.py.
REPORT_ACTIONS = "report."


class AuditService:
    def __init__(
        self,
        store: AuditLog,
        keys: AuditKeys | None = None,
        *,
        page_size: int = VERIFY_PAGE,
        users: UserStore | None = None,
        requests: RequestStore | None = None,
        chains: Sequence[str] = (),
    ) -> None:
        self.store = store
        # Officers know a request by its code (LT-…), the log by its id: the search
        # accepts either.
        self.requests = requests
        # An empty log is a new one only while no account exists (creating one is audited):
        # without this, deleting every row and the head would read as a fresh log.
        self.users = users
        # The keys the store links with (bootstrap passes the configured ones to both).
        self.keys = keys or AuditKeys.from_settings(None)
        self.page_size = page_size
        # The kabupaten served (tenants.codes()): "all together" verifies each one's chain.
        self.chains = list(chains) or [self.keys.legacy_chain]

    def chain_of(self, actor: Actor) -> str:
        """An officer's or admin's chain: its kabupaten's (from before #16: the default's)."""
        return self.keys.chain(actor.kabupaten)

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
        """The actor's kabupaten's chain, newest first, for Dukcapil staff only; `before`
        pages to older entries."""
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat membuka log audit.")
        limit = max(1, min(limit, SEARCH_LIMIT_MAX))
        chain = self.chain_of(actor)
        if target and self.requests is not None and REQUEST_CODE.match(target.strip().upper()):
            found = self.requests.get_request_by_code(target.strip().upper())
            # Another kabupaten's code is as unknown as one that does not exist.
            if found is None or kabupaten_of(found.desa) != chain:
                return AuditPage([], None)
            target = found.id
        entries = self.store.audit_search(
            target=target,
            actor=user,
            since=since,
            until=until,
            before_seq=before,
            limit=limit,
            chain=chain,
        )
        cursor = entries[-1].seq if len(entries) == limit else None
        if actor.role is not Role.ADMIN:
            # Residents' reports about officers (docs/reports.md) are the overseer's: a
            # Dukcapil officer does not learn that one exists, nor when it moved. An admin
            # sees that they exist and their status, as the entries hold nothing more.
            entries = [e for e in entries if not e.action.startswith(REPORT_ACTIONS)]
        return AuditPage(entries, cursor)

    def index_times(
        self, after: int = 0, pages: int = 10, chain: str | None = None
    ) -> tuple[int, int | None]:
        """Put entries written before #15 in the time index the search by date reads.

        Once, after upgrading a DynamoDB deployment (SQLite's migration builds its
        index itself); only the default kabupaten's chain (the log from before #16) can
        hold any. Reads at most `pages` pages of VERIFY_PAGE entries in seq order;
        returns how many were written and the seq to go on after (None: done).
        """
        written = 0
        for _ in range(pages):
            done, going_on = self.store.index_audit_times(after, self.page_size, chain=chain)
            written += done
            if going_on is None:
                return written, None
            after = going_on
        return written, after

    def move_legacy(self, pages: int = 10) -> tuple[int, bool]:
        """Move the log from before #16 to where the default kabupaten's chain lives now
        (DynamoDB: partition AUDIT → AUDIT#<code>), at most `pages` pages of VERIFY_PAGE
        items; (items moved, done). Once after upgrading; the functions may keep writing."""
        moved = 0
        for _ in range(pages):
            count, done = self.store.move_legacy_audit(self.page_size)
            moved += count
            if done:
                return moved, True
        return moved, False

    def verify_all(self) -> list[ChainCheck]:
        """Every served kabupaten's chain, each checked on its own (a broken one does not
        hide the others' results)."""
        return [self.verify(chain) for chain in self.chains]

    def verify(self, chain: str | None = None) -> ChainCheck:
        """Walk one chain (the default kabupaten's without one) page by page (keyed by
        seq), keeping only the running link.

        Memory stays flat whatever the log's size. Entries are numbered from 1
        without a gap, each linked to the previous link with one of our keys (the
        old unkeyed rule up to the cut-over); then the walk must end exactly at the
        sealed head: its length and last link. The head is read first, so entries
        appended meanwhile are checked against a head read again.
        """
        keys = self.keys
        name = keys.chain(chain)
        legacy_until = keys.legacy_until_of(name)
        head = self.store.audit_head(name)
        prev, checked = GENESIS_HASH, 0

        def result(
            problem: str | None, broken: int | None, length: int | None = None
        ) -> ChainCheck:
            recorded = head.length if head is not None else length
            legacy = min(checked, legacy_until)
            return ChainCheck(broken, checked, problem, recorded, head, legacy, name)

        while True:
            # The rows are walked even under a head we did not seal: a broken row is
            # the more useful thing to name.
            while page := self.store.audit_entries(checked, self.page_size, chain=name):
                for entry in page:
                    if not keys.entry_holds(entry, checked + 1, prev):
                        return result(LINK, checked + 1)
                    prev = entry.hash
                    checked += 1
            if head is not None and not keys.head_holds(head):
                return result(HEAD_FORGED, None)
            if head is None:
                # A new log, or a legacy one not yet extended, has no head: the cut-over
                # setting says how long it must be.
                if checked == legacy_until:
                    if checked == 0 and self._has_accounts(name):
                        return result(WIPED, None)
                    return result(None, None)
                if checked < legacy_until:
                    return result(MISSING, checked + 1, legacy_until)
            elif checked < head.length:
                return result(MISSING, checked + 1)
            elif checked == head.length:
                if prev != head.link:
                    return result(HEAD_MISMATCH, checked)
                return result(None, None)
            # Past the head (or no head): real only if a newer head covers them.
            newer = self.store.audit_head(name)
            if newer is None or (head is not None and newer.length <= head.length):
                if head is None:
                    return result(HEAD_MISSING, None)
                return result(EXTRA, head.length + 1)
            head = newer

    def _has_accounts(self, chain: str) -> bool:
        """Whether an account exists whose creation was entered in `chain`."""
        if self.users is None:
            return False
        default = self.keys.legacy_chain
        return any(account_chain(u, default) == chain for u in self.users.list_users())
