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

Since #16 there is one chain per kabupaten (its code names it), each with its own
seq 1..n and its own head, whose seal covers the chain's name: a head moved to
another chain does not hold there. The log from before was one chain: it became
the default kabupaten's (`legacy_chain`, the first one served), the only chain
the legacy settings apply to and whose head may still carry the seal made
before #16 (without a name) until its next append.
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
from .tenants import TenantError
from .tenants import folders as tenant_folders

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
_HEAD_DOMAIN = "bakso.audit.head.v1"  # the one chain before #16: the default kabupaten's
_CHAIN_HEAD_DOMAIN = "bakso.audit.head.v2"  # since #16: the seal names the chain


def key_id_of(secret: str) -> str:
    """A short public name of a key: which key made an entry, without revealing it."""
    return hashlib.sha256(f"bakso.audit.key-id\0{secret}".encode()).hexdigest()[:16]


def default_chain(kabupaten: Iterable[str] = (), kabupaten_dirs: Iterable[str] = ()) -> str:
    """The chain of the default kabupaten (the first served: KABUPATEN, KABUPATEN_DIRS),
    which holds the log from before #16. A folder is named after its code."""
    found = tenant_folders(tuple(kabupaten), tuple(kabupaten_dirs))
    if not found:
        raise TenantError("a deployment serves at least one kabupaten")
    return found[0].name


def _canonical(items: list[Any]) -> bytes:
    return json.dumps(items, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class AuditHead:
    """A chain's length and last link, sealed by `mac` under key `key_id`."""

    length: int
    link: str
    key_id: str
    mac: str
    chain: str = ""  # the chain it was read from (the seal covers the name)

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
    # The chain that holds the log from before #16 (the default kabupaten's); "" = the
    # packaged default's (Lombok Timur).
    legacy_chain: str = ""
    _by_id: Mapping[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.current.strip():
            raise ValueError("the audit key is empty")
        if self.legacy_until < 0:
            raise ValueError("legacy_until must be >= 0")
        if not self.legacy_chain:
            object.__setattr__(self, "legacy_chain", default_chain())
        keys = {key_id_of(k): k.encode() for k in (*self.previous, self.current) if k.strip()}
        object.__setattr__(self, "_by_id", keys)

    @classmethod
    def from_settings(
        cls,
        current: str | None,
        previous: Iterable[str] = (),
        legacy_until: int = 0,
        legacy_chain: str = "",
    ) -> AuditKeys:
        return cls(current or UNCONFIGURED_AUDIT_KEY, tuple(previous), legacy_until, legacy_chain)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuditKeys:
        """From AUDIT_KEY, AUDIT_OLD_KEYS and AUDIT_LEGACY_UNTIL (bakso.config); the legacy
        chain is the default kabupaten's (KABUPATEN, KABUPATEN_DIRS)."""
        return cls.from_settings(
            config.get("AUDIT_KEY"),
            config.get("AUDIT_OLD_KEYS") or (),
            config.get("AUDIT_LEGACY_UNTIL") or 0,
            default_chain(config.get("KABUPATEN") or (), config.get("KABUPATEN_DIRS") or ()),
        )

    def chain(self, name: str | None) -> str:
        """A chain's name as stored and sealed: "" or None is the default kabupaten's."""
        return name or self.legacy_chain

    def legacy_until_of(self, chain: str) -> int:
        """Where `chain`'s unkeyed entries end: only the log from before #16 has any."""
        return self.legacy_until if chain == self.legacy_chain else 0

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
        *,
        chain: str,
    ) -> AuditEntry:
        """Entry `seq` of `chain` chained onto link `prev`, linked with the current key.

        `data` must already be what a reader gets back from JSON.
        """
        link = self._entry_mac(self.key_id, seq, at, actor, action, target, data, prev)
        assert link is not None
        return AuditEntry(seq, at, actor, action, target, data, prev, link, self.key_id, chain)

    def seal(self, length: int, link: str, *, chain: str) -> AuditHead:
        """The head of `chain`, of `length` entries ending in `link`."""
        mac = self._mac(self.key_id, [_CHAIN_HEAD_DOMAIN, chain, length, link, self.key_id])
        assert mac is not None
        return AuditHead(length, link, self.key_id, mac, chain)

    def start(
        self, head: AuditHead | None, last: tuple[int, str] | None, *, chain: str
    ) -> tuple[int, str]:
        """The (seq, link) a new entry of `chain` chains onto, given its head and last row.

        Refuses (StoreUnavailable) rather than build on a head it did not seal, or
        re-create a lost head from the rows: either would bless a cut-off chain.
        `last` is only needed when there is no head (the chain is new, or legacy).
        """
        if head is not None:
            if head.chain != chain or not self.head_holds(head):
                raise StoreUnavailable(AUDIT_CHAIN_UNUSABLE)
            return head.length, head.link
        seq, link = last or (0, GENESIS_HASH)
        if seq != self.legacy_until_of(chain):
            raise StoreUnavailable(AUDIT_CHAIN_UNUSABLE)
        return seq, link

    # Checking -------------------------------------------------------------
    def entry_holds(self, entry: AuditEntry, expected_seq: int, prev: str) -> bool:
        """Whether `entry` is entry number `expected_seq` of its chain, following `prev`."""
        if entry.seq != expected_seq or entry.prev_hash != prev:
            return False
        if expected_seq <= self.legacy_until_of(entry.chain):
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
        """Whether `head` was sealed for its chain by one of these keys (or is the legacy
        head at the cut-over)."""
        legacy_chain = head.chain == self.legacy_chain
        if head.is_legacy:
            return legacy_chain and head.length == self.legacy_until and not head.mac
        named = [_CHAIN_HEAD_DOMAIN, head.chain, head.length, head.link, head.key_id]
        expected = self._mac(head.key_id, named)
        if expected is not None and hmac.compare_digest(head.mac, expected):
            return True
        if not legacy_chain:
            return False
        # Sealed before #16, when the default kabupaten's chain was the only one.
        unnamed = self._mac(head.key_id, [_HEAD_DOMAIN, head.length, head.link, head.key_id])
        return unnamed is not None and hmac.compare_digest(head.mac, unnamed)

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
