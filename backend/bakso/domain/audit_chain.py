"""The keyed audit chain: each entry's link is an HMAC over the previous link and the entry.

The key (`BAKSO_AUDIT_KEY`) is never stored beside the log, so whoever can
write the table cannot make a link that verifies: rewriting a row and
recomputing its hash, or rebuilding the chain, breaks at the row changed. The
chain's head (its length and last link) is kept apart from the rows and sealed
with the same key, so cutting rows off the end shows as "the log has N
entries, the head says M". Entries and heads name the key id that made them,
so verification can also hold older keys after a rotation (docs/security.md).

Entries up to `legacy_until` were written before the log was keyed: they are
checked with the old unkeyed SHA-256 (`model.audit_hash`). That number is a
setting, not a value in the store, so it cannot be moved by writing the table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import StoreUnavailable
from .model import GENESIS_HASH, AuditEntry, audit_hash
from .refusals import AUDIT_CHAIN_UNUSABLE

__all__ = [
    "GENESIS_HASH",
    "UNCONFIGURED_AUDIT_KEY",
    "AuditHead",
    "AuditKeys",
    "key_id_of",
]

# What adapters and fakes use when nobody passes keys: tests only. bootstrap
# always passes the keys of the configuration, which load() never leaves empty.
UNCONFIGURED_AUDIT_KEY = "bakso-unconfigured-audit-key-for-tests-only"
LEGACY_KEY_ID = ""  # entries and heads written before the log was keyed
_ENTRY_DOMAIN = "bakso.audit.entry.v1"
_HEAD_DOMAIN = "bakso.audit.head.v1"


def key_id_of(secret: str) -> str:
    """A short public name of a key: which key made an entry, without revealing it."""
    return hashlib.sha256(f"bakso.audit.key-id\0{secret}".encode()).hexdigest()[:16]


def _canonical(items: list[Any]) -> bytes:
    return json.dumps(items, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AuditHead:
    """The chain's length and last link, sealed by `mac` under key `key_id`."""

    length: int
    link: str
    key_id: str
    mac: str

    @property
    def is_legacy(self) -> bool:
        """Written by the unkeyed code (DynamoDB's old HEAD item): no seal."""
        return self.key_id == LEGACY_KEY_ID


@dataclass(frozen=True)
class AuditKeys:
    """The key new links are made with, older keys still accepted, and the legacy cut-over."""

    # Secrets: never in a repr, so never in a log line or a traceback.
    current: str = field(repr=False)
    previous: tuple[str, ...] = field(default=(), repr=False)
    legacy_until: int = 0
    _by_id: Mapping[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.current.strip():
            raise ValueError("the audit key is empty")
        if self.legacy_until < 0:
            raise ValueError("legacy_until must be >= 0")
        keys = {key_id_of(k): k.encode() for k in (*self.previous, self.current) if k.strip()}
        object.__setattr__(self, "_by_id", keys)

    @classmethod
    def from_settings(
        cls, current: str | None, previous: Iterable[str] = (), legacy_until: int = 0
    ) -> AuditKeys:
        return cls(current or UNCONFIGURED_AUDIT_KEY, tuple(previous), legacy_until)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuditKeys:
        """From AUDIT_KEY, AUDIT_OLD_KEYS and AUDIT_LEGACY_UNTIL (bakso.config)."""
        return cls.from_settings(
            config.get("AUDIT_KEY"),
            config.get("AUDIT_OLD_KEYS") or (),
            config.get("AUDIT_LEGACY_UNTIL") or 0,
        )

    @property
    def key_id(self) -> str:
        return key_id_of(self.current)

    def knows(self, key_id: str) -> bool:
        return key_id in self._by_id

    def _mac(self, key_id: str, items: list[Any]) -> str | None:
        key = self._by_id.get(key_id)
        if key is None:
            return None
        return hmac.new(key, _canonical(items), hashlib.sha256).hexdigest()

    # Making ---------------------------------------------------------------
    def entry(
        self,
        seq: int,
        at: str,
        actor: str,
        action: str,
        target: str,
        data: dict[str, Any],
        prev: str,
    ) -> AuditEntry:
        """Entry `seq` chained onto link `prev`, linked with the current key.

        `data` must already be what a reader gets back from JSON.
        """
        link = self._entry_mac(self.key_id, seq, at, actor, action, target, data, prev)
        assert link is not None
        return AuditEntry(seq, at, actor, action, target, data, prev, link, self.key_id)

    def seal(self, length: int, link: str) -> AuditHead:
        """The head of a chain of `length` entries ending in `link`."""
        mac = self._mac(self.key_id, [_HEAD_DOMAIN, length, link, self.key_id])
        assert mac is not None
        return AuditHead(length, link, self.key_id, mac)

    def start(self, head: AuditHead | None, last: tuple[int, str] | None) -> tuple[int, str]:
        """The (seq, link) a new entry chains onto, given the stored head and last row.

        Refuses (StoreUnavailable) rather than build on a head it did not seal, or
        re-create a lost head from the rows: either would bless a cut-off chain.
        `last` is only needed when there is no head (the log is new, or legacy).
        """
        if head is not None:
            if not self.head_holds(head):
                raise StoreUnavailable(AUDIT_CHAIN_UNUSABLE)
            return head.length, head.link
        seq, link = last or (0, GENESIS_HASH)
        if seq != self.legacy_until:
            raise StoreUnavailable(AUDIT_CHAIN_UNUSABLE)
        return seq, link

    # Checking -------------------------------------------------------------
    def entry_holds(self, entry: AuditEntry, expected_seq: int, prev: str) -> bool:
        """Whether `entry` is entry number `expected_seq`, following link `prev`."""
        if entry.seq != expected_seq or entry.prev_hash != prev:
            return False
        if expected_seq <= self.legacy_until:
            legacy = audit_hash(
                entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.data, prev
            )
            return entry.key_id == LEGACY_KEY_ID and hmac.compare_digest(entry.hash, legacy)
        if entry.key_id == LEGACY_KEY_ID:
            return False  # an unkeyed entry after the cut-over: anyone could have made it
        expected = self._entry_mac(
            entry.key_id,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.target,
            entry.data,
            prev,
        )
        return expected is not None and hmac.compare_digest(entry.hash, expected)

    def head_holds(self, head: AuditHead) -> bool:
        """Whether `head` was sealed by one of these keys (or is the legacy head at cut-over)."""
        if head.is_legacy:
            return head.length == self.legacy_until and not head.mac
        expected = self._mac(head.key_id, [_HEAD_DOMAIN, head.length, head.link, head.key_id])
        return expected is not None and hmac.compare_digest(head.mac, expected)

    def _entry_mac(
        self,
        key_id: str,
        seq: int,
        at: str,
        actor: str,
        action: str,
        target: str,
        data: dict[str, Any],
        prev: str,
    ) -> str | None:
        items = [_ENTRY_DOMAIN, seq, at, actor, action, target, data, prev, key_id]
        return self._mac(key_id, items)
