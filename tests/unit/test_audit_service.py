"""AuditService: Dukcapil's search, and a verify of the keyed chain and its sealed head."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bakso.domain.audit_chain import AuditHead, AuditKeys
from bakso.domain.errors import Forbidden, StoreUnavailable
from bakso.domain.lifecycle import Role
from bakso.domain.model import GENESIS_HASH, Actor, AuditEntry, audit_hash
from bakso.services.audit import (
    EXTRA,
    HEAD_FORGED,
    HEAD_MISSING,
    LINK,
    MISSING,
    SEARCH_LIMIT_MAX,
    AuditService,
    ChainCheck,
)

OPERATOR = Actor("op.a", Role.OPERATOR, "52.03.01.2001")
DUKCAPIL = Actor("dukcapil", Role.DUKCAPIL, None)
ADMIN = Actor("admin", Role.ADMIN, None)


KEYS = AuditKeys("unit-test-audit-key")
LT = KEYS.legacy_chain  # the default kabupaten's chain (the packaged default, 52.03)


def legacy_chain(count: int) -> list[AuditEntry]:
    """Entries as the unkeyed code wrote them: plain SHA-256 links."""
    entries, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        at, data = f"2026-01-01T00:00:{seq % 60:02d}", {"n": seq}
        digest = audit_hash(seq, at, "admin", "user.create", f"u{seq}", data, prev)
        entries.append(
            AuditEntry(seq, at, "admin", "user.create", f"u{seq}", data, prev, digest, chain=LT)
        )
        prev = digest
    return entries


def extend(entries: list[AuditEntry], count: int, keys: AuditKeys = KEYS) -> list[AuditEntry]:
    entries = list(entries)
    prev = entries[-1].hash if entries else GENESIS_HASH
    for seq in range(len(entries) + 1, len(entries) + count + 1):
        at, data = f"2026-01-01T00:01:{seq % 60:02d}", {"n": seq}
        entries.append(keys.entry(seq, at, "admin", "user.create", f"u{seq}", data, prev, chain=LT))
        prev = entries[-1].hash
    return entries


def chain(count: int) -> list[AuditEntry]:
    return extend([], count)


class PagedLog:
    """Just the reads AuditService makes, recording each call; the head is sealed at build."""

    def __init__(self, entries: list[AuditEntry], keys: AuditKeys | None = KEYS) -> None:
        self.entries = entries
        last = entries[-1] if entries else None
        self.head = keys.seal(last.seq, last.hash, chain=LT) if keys and last else None
        self.pages: list[tuple[int, int]] = []
        self.searches: list[dict[str, Any]] = []

    def append_audit(self, **_: Any) -> AuditEntry:
        raise NotImplementedError

    def audit_entries(
        self, after_seq: int = 0, limit: int = 1000, *, chain: str | None = None
    ) -> list[AuditEntry]:
        assert chain == LT
        self.pages.append((after_seq, limit))
        return [e for e in self.entries if e.seq > after_seq][:limit]

    def audit_head(self, chain: str | None = None) -> AuditHead | None:
        assert chain == LT
        return self.head

    def audit_search(self, **query: Any) -> list[AuditEntry]:
        self.searches.append(query)
        return sorted(self.entries, key=lambda e: -e.seq)[: query["limit"]]


def verify(log: PagedLog, keys: AuditKeys = KEYS, page_size: int = 10) -> ChainCheck:
    return AuditService(log, keys, page_size=page_size).verify()


def test_verify_walks_the_log_in_keyed_pages() -> None:
    log = PagedLog(chain(25))
    check = verify(log)
    assert (check.problem, check.broken, check.checked, check.recorded) == (None, None, 25, 25)
    # Keyed by the last seq seen, never an offset, never more than a page at once.
    assert log.pages == [(0, 10), (10, 10), (20, 10), (25, 10)]


def test_verify_of_an_empty_log_holds() -> None:
    check = verify(PagedLog([]))
    assert (check.broken, check.checked, check.problem) == (None, 0, None)


@pytest.mark.parametrize("seq", [1, 10, 11, 25])
def test_verify_names_an_altered_entry(seq: int) -> None:
    entries = chain(25)
    entries[seq - 1] = replace(entries[seq - 1], data={"role": "admin"})
    check = verify(PagedLog(entries))
    assert (check.problem, check.broken, check.checked) == (LINK, seq, seq - 1)


@pytest.mark.parametrize("seq", [1, 10, 11, 24])
def test_verify_names_a_deleted_entry(seq: int) -> None:
    log = PagedLog(chain(25))
    log.entries = [e for e in log.entries if e.seq != seq]
    check = verify(log)
    assert (check.problem, check.broken) == (LINK, seq)


@pytest.mark.parametrize("kept", [0, 1, 10, 24])
def test_verify_finds_entries_cut_off_the_end(kept: int) -> None:
    # What #13 found: deleting every row after #k verified as intact.
    log = PagedLog(chain(25))
    log.entries = log.entries[:kept]
    check = verify(log)
    assert (check.problem, check.broken, check.checked, check.recorded) == (
        MISSING,
        kept + 1,
        kept,
        25,
    )


def test_verify_refuses_a_rewritten_row_with_a_recomputed_unkeyed_hash() -> None:
    # Whoever can write the table rewrites entry 3 and every link after it the old way.
    entries = chain(6)
    forged = legacy_chain(6)
    forged[2] = replace(forged[2], actor="someone")
    prev = forged[1].hash
    for i in range(2, 6):
        e = forged[i]
        forged[i] = replace(
            e,
            prev_hash=prev,
            hash=audit_hash(e.seq, e.at, e.actor, e.action, e.target, e.data, prev),
        )
        prev = forged[i].hash
    log = PagedLog(entries)
    log.entries = entries[:2] + forged[2:]
    assert (verify(log).problem, verify(log).broken) == (LINK, 3)


def test_verify_refuses_a_head_not_sealed_by_our_key() -> None:
    log = PagedLog(chain(25))
    log.entries = log.entries[:10]
    log.head = replace(log.head, length=10, link=log.entries[-1].hash) if log.head else None
    assert verify(log).problem == HEAD_FORGED  # the MAC covers (length, link)
    log.head = AuditKeys("the attacker's own key").seal(10, log.entries[-1].hash, chain=LT)
    assert verify(log).problem == HEAD_FORGED


def test_verify_refuses_a_chain_rebuilt_with_another_key() -> None:
    other = AuditKeys("the attacker's own key")
    log = PagedLog(chain(5))
    log.entries = extend([], 5, other)
    assert (verify(log).problem, verify(log).broken) == (LINK, 1)


def test_verify_refuses_entries_without_a_head() -> None:
    log = PagedLog(chain(5))
    log.head = None
    check = verify(log)
    assert (check.problem, check.checked) == (HEAD_MISSING, 5)


def test_verify_refuses_entries_past_the_head() -> None:
    entries = chain(7)
    log = PagedLog(entries[:5])
    log.entries = entries
    check = verify(log)
    assert (check.problem, check.broken, check.recorded) == (EXTRA, 6, 5)


def test_verify_follows_a_head_that_moved_while_it_walked() -> None:
    entries = chain(30)
    log = PagedLog(entries[:20])
    log.entries = entries  # appended between reading the head and the walk
    newer = KEYS.seal(30, entries[-1].hash, chain=LT)
    reads = iter([log.head, newer])
    log.audit_head = lambda chain=None: next(reads)  # type: ignore[method-assign]
    check = verify(log)
    assert (check.problem, check.checked, check.recorded) == (None, 30, 30)


def test_old_keys_still_verify_after_a_rotation() -> None:
    old = AuditKeys("first-key")
    rotated = AuditKeys("second-key", previous=("first-key",))
    entries = extend(extend([], 4, old), 3, rotated)
    log = PagedLog(entries, rotated)
    assert [e.key_id for e in entries] == [old.key_id] * 4 + [rotated.key_id] * 3
    assert verify(log, rotated).problem is None
    assert verify(log, AuditKeys("second-key")).broken == 1  # the old key dropped too soon
    assert verify(log, old).broken == 5  # entries of a key it does not hold


def test_legacy_entries_verify_up_to_the_cut_over_only() -> None:
    keys = AuditKeys("unit-test-audit-key", legacy_until=5)
    entries = extend(legacy_chain(5), 3, keys)
    check = verify(PagedLog(entries, keys), keys)
    assert (check.problem, check.checked, check.legacy) == (None, 8, 5)
    # Without the cut-over setting the old entries count for nothing...
    assert verify(PagedLog(entries, keys), KEYS).broken == 1
    # ...and an unkeyed entry after it is refused.
    forged = legacy_chain(8)
    assert verify(PagedLog(forged[:5] + entries[5:], keys), keys).problem is None
    assert verify(PagedLog(forged, keys), keys).broken == 6


def test_a_legacy_log_at_its_cut_over_holds_without_a_head() -> None:
    keys = AuditKeys("unit-test-audit-key", legacy_until=5)
    assert verify(PagedLog(legacy_chain(5), None), keys).problem is None
    check = verify(PagedLog(legacy_chain(4), None), keys)
    assert (check.problem, check.broken, check.recorded) == (MISSING, 5, 5)


def test_appending_refuses_to_build_on_a_head_it_did_not_seal() -> None:
    with pytest.raises(StoreUnavailable):
        KEYS.start(AuditKeys("another").seal(3, "ab" * 32, chain=LT), None, chain=LT)
    with pytest.raises(StoreUnavailable):  # a lost head is never rebuilt from the rows
        KEYS.start(None, (3, "ab" * 32), chain=LT)
    assert KEYS.start(None, None, chain=LT) == (0, GENESIS_HASH)
    assert KEYS.start(KEYS.seal(3, "ab" * 32, chain=LT), None, chain=LT) == (3, "ab" * 32)
    with pytest.raises(StoreUnavailable):  # another kabupaten's head (#16)
        KEYS.start(KEYS.seal(3, "ab" * 32, chain="52.04"), None, chain=LT)


def test_verify_stops_at_the_first_break() -> None:
    entries = chain(25)
    entries[2] = replace(entries[2], actor="someone")
    log = PagedLog(entries)
    assert verify(log).broken == 3
    assert log.pages == [(0, 10)]


@pytest.mark.parametrize("officer", [DUKCAPIL, ADMIN])
def test_search_is_for_dukcapil_staff(officer: Actor) -> None:
    log = PagedLog(chain(5))
    page = AuditService(log).search(officer, target="u3", user="admin", limit=2)
    assert [e.seq for e in page.items] == [5, 4]
    assert page.before == 4  # a full page: there may be older ones
    assert log.searches == [
        {
            "target": "u3",
            "actor": "admin",
            "since": None,
            "until": None,
            "before_seq": None,
            "limit": 2,
            "chain": LT,  # officers from before #16 work for the default kabupaten
        }
    ]


def test_search_refuses_an_operator() -> None:
    log = PagedLog(chain(5))
    with pytest.raises(Forbidden):
        AuditService(log).search(OPERATOR)
    assert log.searches == []


def test_search_pages_are_bounded_and_the_last_has_no_cursor() -> None:
    log = PagedLog(chain(5))
    service = AuditService(log)
    assert service.search(DUKCAPIL, limit=10_000).before is None
    assert service.search(DUKCAPIL, limit=0).before == 5
    assert [s["limit"] for s in log.searches] == [SEARCH_LIMIT_MAX, 1]


SUMBAWA_OFFICER = Actor("dk.sumbawa", Role.DUKCAPIL, None, kabupaten="52.04")


class Codes:
    """get_request_by_code for the search by request code (a Lombok Timur request)."""

    def get_request_by_code(self, code: str) -> Any:
        from types import SimpleNamespace

        return (
            SimpleNamespace(id="req-lt", desa="52.03.01.2001") if code == "LT-ABCD-EFGH" else None
        )


def test_an_officer_searches_its_own_kabupatens_chain_only() -> None:
    log = PagedLog(chain(5))
    AuditService(log).search(SUMBAWA_OFFICER, target="u3")
    assert log.searches[0]["chain"] == "52.04"


def test_a_request_code_of_another_kabupaten_finds_nothing() -> None:
    log = PagedLog(chain(5))
    service = AuditService(log, requests=Codes())  # type: ignore[arg-type]

    assert service.search(SUMBAWA_OFFICER, target="LT-ABCD-EFGH").items == []
    assert log.searches == []  # as for a code that does not exist
    service.search(DUKCAPIL, target="lt-abcd-efgh")
    assert [(q["target"], q["chain"]) for q in log.searches] == [("req-lt", LT)]
