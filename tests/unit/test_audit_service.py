"""AuditService: Dukcapil's search, and a verify that walks the chain in keyed pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bakso.domain.errors import Forbidden
from bakso.domain.lifecycle import Role
from bakso.domain.model import GENESIS_HASH, Actor, AuditEntry, audit_hash, first_broken_link
from bakso.services.audit import SEARCH_LIMIT_MAX, AuditService

OPERATOR = Actor("op.a", Role.OPERATOR, "52.03.01.2001")
DUKCAPIL = Actor("dukcapil", Role.DUKCAPIL, None)
ADMIN = Actor("admin", Role.ADMIN, None)


def chain(count: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        at, data = f"2026-01-01T00:00:{seq % 60:02d}", {"n": seq}
        digest = audit_hash(seq, at, "admin", "user.create", f"u{seq}", data, prev)
        entries.append(AuditEntry(seq, at, "admin", "user.create", f"u{seq}", data, prev, digest))
        prev = digest
    return entries


class PagedLog:
    """Just the reads AuditService makes, recording each call."""

    def __init__(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self.pages: list[tuple[int, int]] = []
        self.searches: list[dict[str, Any]] = []

    def append_audit(self, **_: Any) -> AuditEntry:
        raise NotImplementedError

    def audit_entries(self, after_seq: int = 0, limit: int = 1000) -> list[AuditEntry]:
        self.pages.append((after_seq, limit))
        return [e for e in self.entries if e.seq > after_seq][:limit]

    def audit_search(self, **query: Any) -> list[AuditEntry]:
        self.searches.append(query)
        return sorted(self.entries, key=lambda e: -e.seq)[: query["limit"]]


def test_verify_walks_the_log_in_keyed_pages() -> None:
    log = PagedLog(chain(25))
    check = AuditService(log, page_size=10).verify()
    assert (check.broken, check.checked) == (None, 25)
    # Keyed by the last seq seen, never an offset, never more than a page at once.
    assert log.pages == [(0, 10), (10, 10), (20, 10), (25, 10)]


def test_verify_of_an_empty_log_holds() -> None:
    check = AuditService(PagedLog([])).verify()
    assert (check.broken, check.checked) == (None, 0)


@pytest.mark.parametrize("seq", [1, 10, 11, 25])
def test_verify_names_an_altered_entry_like_first_broken_link(seq: int) -> None:
    entries = chain(25)
    entries[seq - 1] = replace(entries[seq - 1], data={"role": "admin"})
    check = AuditService(PagedLog(entries), page_size=10).verify()
    assert check.broken == first_broken_link(entries) == seq
    assert check.checked == seq - 1


@pytest.mark.parametrize("seq", [1, 10, 11, 25])
def test_verify_names_a_deleted_entry(seq: int) -> None:
    entries = [e for e in chain(25) if e.seq != seq]
    check = AuditService(PagedLog(entries), page_size=10).verify()
    expected = None if seq == 25 else seq  # the newest entry removed leaves a shorter chain
    assert check.broken == first_broken_link(entries) == expected


def test_verify_stops_at_the_first_break() -> None:
    entries = chain(25)
    entries[2] = replace(entries[2], actor="someone")
    log = PagedLog(entries)
    assert AuditService(log, page_size=10).verify().broken == 3
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
