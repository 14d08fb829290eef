"""The audit chains in DynamoDB: where each chain's items live, and how an append extends one.

One chain per kabupaten (#16), each with its own HEAD item, so appends of two
kabupaten never touch the same item:

    PK              SK              what
    AUDIT#<code>    HEAD            the chain's length (seq), last link (hash), seal (mac)
    AUDIT#<code>    ENTRY#<seq>     one entry; audit_target / audit_actor "<code>#<name>",
                                    all-newest kind "audit#<code>", newest "<at>#<seq>"

A chain's seq is its own, so the index keys name the chain: a target's or an
officer's query never mixes two chains. The one log from before #16 is the default
kabupaten's chain; it stays where it was (partition `AUDIT`, kind `audit`, the bare
target and actor as index keys) and is read and extended there until `bakso audit
move-legacy` has copied it into `AUDIT#<code>` (records_audit_move.py): its items there
hold the same links (a link does not cover where it is stored), and moving the head
last, in one transaction with deleting the old one, switches every process over.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...domain.audit_chain import AuditHead, AuditKeys
from ...domain.model import AuditEntry
from ...domain.refusals import STORE_BUSY
from ...domain.regions import kabupaten_of
from ...ports import RequestWrite
from .dynamo import dump as _dump
from .dynamo import integer as _int
from .dynamo import n as _n
from .dynamo import opt_text as _opt_str
from .dynamo import s as _s
from .dynamo import text as _str
from .errors import StoreUnavailable
from .records_items import (
    AUDIT_KIND,
    MAX_CONTENTION_RETRIES,
    SORT_ATTRIBUTE,
    DynamoTable,
    _entry_newest,
    _entry_sk,
    _Head,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    Item = Mapping[str, AttributeValueTypeDef]

LEGACY_PARTITION = "AUDIT"  # the one chain from before #16: the default kabupaten's
HEAD_SK = "HEAD"


@dataclass(frozen=True)
class AuditLayout:
    """Where one chain's items are, and the index keys they are found under."""

    chain: str
    partition: str
    kind: str  # its all-newest partition
    prefix: str  # before a target or actor in audit_target-seq / audit_actor-seq

    @classmethod
    def of(cls, chain: str) -> AuditLayout:
        return cls(chain, f"{LEGACY_PARTITION}#{chain}", f"{AUDIT_KIND}#{chain}", f"{chain}#")

    @classmethod
    def legacy(cls, chain: str) -> AuditLayout:
        return cls(chain, LEGACY_PARTITION, AUDIT_KIND, "")

    def index_key(self, name: str) -> str:
        return self.prefix + name

    def key(self, sk: str) -> dict[str, AttributeValueTypeDef]:
        return {"PK": _s(self.partition), "SK": _s(sk)}

    def entry_key(self, seq: int) -> dict[str, AttributeValueTypeDef]:
        return self.key(_entry_sk(seq))


class AuditChain(DynamoTable):
    """Extends a chain: its HEAD item advanced conditionally, retried on contention.

    HEAD holds the chain's length (`seq`), last link (`hash`), and the seal over both
    and the chain's name (`key_id`, `mac`).
    """

    audit_keys: AuditKeys
    _legacy_moved = False  # set once this process saw the default chain in AUDIT#<code>

    # Where a chain lives ----------------------------------------------------
    def _chain(self, chain: str | None) -> str:
        return self.audit_keys.chain(chain)

    def _located(self, chain: str) -> tuple[AuditLayout, Item | None]:
        """The chain's layout and its HEAD item (None: no head). The default kabupaten's
        chain is looked for in AUDIT#<code> first, then where the log from before #16 was:
        one GetItem, two until it has been moved."""
        layout = AuditLayout.of(chain)
        head = self._get(layout.key(HEAD_SK))
        if head is not None or chain != self.audit_keys.legacy_chain or self._legacy_moved:
            if head is not None and chain == self.audit_keys.legacy_chain:
                self._legacy_moved = True
            return layout, head
        legacy = AuditLayout.legacy(chain)
        old = self._get(legacy.key(HEAD_SK))
        return (legacy, old) if old is not None else (layout, None)

    def _layout(self, chain: str) -> AuditLayout:
        """Where a read finds the chain: no call, once the default chain is known moved."""
        if chain != self.audit_keys.legacy_chain or self._legacy_moved:
            return AuditLayout.of(chain)
        return self._located(chain)[0]

    # Appending ----------------------------------------------------------------
    def _contended(self, chain: str) -> Iterator[_Head]:
        """The head of `chain` to build on, once per attempt; backs off between attempts."""
        name = self._chain(chain)
        for attempt in range(MAX_CONTENTION_RETRIES):
            if attempt:
                # Jitter keeps appenders that collided from colliding again in step.
                time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
            yield self._audit_head(name)
        raise StoreUnavailable(STORE_BUSY)

    def _read_head(self, chain: str) -> tuple[AuditLayout, AuditHead | None]:
        layout, item = self._located(chain)
        if item is None:
            return layout, None
        return layout, AuditHead(
            length=_int(item, "seq"),
            link=_str(item, "hash"),
            key_id=_opt_str(item, "key_id") or "",
            mac=_opt_str(item, "mac") or "",
            chain=chain,
        )

    def _audit_head(self, chain: str) -> _Head:
        """The head to chain onto; refused if its seal does not hold (never rebuilt from rows)."""
        layout, head = self._read_head(chain)
        try:
            seq, link = self.audit_keys.start(head, None, chain=chain)
        except StoreUnavailable:
            log.error(
                "audit append refused: the head of chain %s is missing or not sealed by the"
                " audit key (bakso audit verify; docs/security.md, Audit log)",
                chain,
            )
            raise
        return _Head(seq, link, head is not None, chain, layout.partition)

    def _entry(
        self, head: _Head, at: str, actor: str, action: str, target: str, data: dict[str, Any]
    ) -> AuditEntry:
        # Link what a reader gets back from JSON, so re-verification agrees.
        data = json.loads(_dump(data))
        return self.audit_keys.entry(
            head.seq + 1, at, actor, action, target, data, head.hash, chain=head.chain
        )

    @staticmethod
    def _entry_item(layout: AuditLayout, entry: AuditEntry) -> dict[str, AttributeValueTypeDef]:
        return {
            **layout.entry_key(entry.seq),
            "seq": _n(entry.seq),
            "at": _s(entry.at),
            "actor": _s(entry.actor),
            "action": _s(entry.action),
            "target": _s(entry.target),
            "data": _s(_dump(entry.data)),
            "prev_hash": _s(entry.prev_hash),
            "hash": _s(entry.hash),
            "key_id": _s(entry.key_id),
            "audit_target": _s(layout.index_key(entry.target)),
            "audit_actor": _s(layout.index_key(entry.actor)),
            "kind": _s(layout.kind),
            SORT_ATTRIBUTE: _s(_entry_newest(entry.at, entry.seq)),
        }

    def _audit_writes(self, head: _Head, entry: AuditEntry) -> Sequence[TransactWriteItemTypeDef]:
        chain = entry.chain
        layout = (
            AuditLayout.legacy(chain)
            if head.partition == LEGACY_PARTITION
            else AuditLayout.of(chain)
        )
        stored = self._entry_item(layout, entry)
        sealed = self.audit_keys.seal(entry.seq, entry.hash, chain=chain)
        advance: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table,
                "Item": {
                    **layout.key(HEAD_SK),
                    "seq": _n(sealed.length),
                    "hash": _s(sealed.link),
                    "key_id": _s(sealed.key_id),
                    "mac": _s(sealed.mac),
                },
            }
        }
        if head.exists:
            advance["Put"]["ConditionExpression"] = "#seq = :seq"
            advance["Put"]["ExpressionAttributeNames"] = {"#seq": "seq"}
            advance["Put"]["ExpressionAttributeValues"] = {":seq": _n(head.seq)}
        else:
            advance["Put"]["ConditionExpression"] = "attribute_not_exists(PK)"
        return [self._put(stored, "attribute_not_exists(PK)"), advance]


def one_chain(writes: Sequence[RequestWrite]) -> str:
    """The one chain the events of a save_requests call join (ValueError for several: one
    transaction advances one head)."""
    chains = {kabupaten_of(w.request.desa) for w in writes if w.event is not None}
    if len(chains) > 1:
        raise ValueError("the events of one transaction must be of one kabupaten")
    return chains.pop() if chains else ""
