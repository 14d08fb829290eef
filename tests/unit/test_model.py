"""Records: the human request code, the masked name and the hash-chained audit log."""

from __future__ import annotations

import dataclasses
import itertools
import re
import uuid

import pytest

from bakso.domain.lifecycle import Role, Status
from bakso.domain.model import (
    CODE_ALPHABET,
    GENESIS_HASH,
    Actor,
    AuditEntry,
    Event,
    Request,
    audit_hash,
    event_audit_data,
    first_broken_link,
    mask_name,
    request_code,
)

CODE_RE = re.compile(rf"^LT-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
IDS = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(200)]


# --- request code ---------------------------------------------------------------------


def test_code_alphabet_has_32_distinct_characters_without_lookalikes() -> None:
    assert len(CODE_ALPHABET) == len(set(CODE_ALPHABET)) == 32
    assert not set("01OI") & set(CODE_ALPHABET)


@pytest.mark.parametrize("request_id", IDS[:20])
def test_request_code_has_lt_xxxx_xxxx_shape_from_the_alphabet(request_id: str) -> None:
    assert CODE_RE.fullmatch(request_code(request_id))


def test_request_code_is_deterministic_for_the_same_id() -> None:
    request_id = "3f2b8c1e-6a4d-4e8f-9b1a-2c3d4e5f6a7b"
    assert request_code(request_id) == request_code(request_id) == request_code(request_id, 0)


def test_request_code_changes_on_attempt_one() -> None:
    assert all(request_code(i, 1) != request_code(i) for i in IDS)
    assert all(CODE_RE.fullmatch(request_code(i, 1)) for i in IDS)


def test_request_codes_of_different_ids_differ() -> None:
    assert len({request_code(i) for i in IDS}) == len(IDS)


def test_request_code_uses_every_alphabet_character_over_many_ids() -> None:
    # A bias in the bit slicing would leave some characters unused.
    used = {ch for i in IDS for ch in request_code(i)[3:].replace("-", "")}
    assert used == set(CODE_ALPHABET)


def test_request_code_takes_the_given_prefix() -> None:
    assert request_code(IDS[0], prefix="LB").startswith("LB-")
    assert request_code(IDS[0], prefix="LB")[2:] == request_code(IDS[0])[2:]


# --- masked name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Siti Aminah", "S*** A*****"),
        ("Lalu  Muhammad   Zohri", "L*** M******* Z****"),
        (" Baiq ", "B***"),
        ("A", "A"),
        ("", ""),
    ],
)
def test_mask_name_keeps_initials_and_word_lengths(name: str, masked: str) -> None:
    assert mask_name(name) == masked


# --- audit chain ----------------------------------------------------------------------


def _chain(count: int = 5) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        entry = AuditEntry(
            seq=seq,
            at=f"2026-11-27T08:0{seq}:00+08:00",
            actor="op.tanjungluar",
            action="request.transition",
            target=f"req-{seq}",
            data={"from": "DRAF", "to": "DIAJUKAN", "note": ""},
            prev_hash=prev,
            hash="",
        )
        entries.append(_sealed(entry, prev))
        prev = entries[-1].hash
    return entries


def _sealed(entry: AuditEntry, prev: str) -> AuditEntry:
    """The entry linked to `prev` with its hash computed, as any writer (or forger) would."""
    digest = audit_hash(
        entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.data, prev
    )
    return dataclasses.replace(entry, prev_hash=prev, hash=digest)


def _rehash_from(entries: list[AuditEntry], start: int) -> list[AuditEntry]:
    """Recompute hashes from index `start` on, as a forger rewriting the tail would."""
    out = entries[:start]
    for entry in entries[start:]:
        out.append(_sealed(entry, out[-1].hash if out else GENESIS_HASH))
    return out


def test_intact_chain_has_no_broken_link() -> None:
    assert first_broken_link(_chain()) is None


def test_empty_chain_has_no_broken_link() -> None:
    assert first_broken_link([]) is None


def test_chain_starts_from_genesis_and_links_each_entry_to_the_previous() -> None:
    entries = _chain()
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert len({e.hash for e in entries}) == len(entries)


@pytest.mark.parametrize("index", range(5))
def test_altered_data_breaks_the_chain_at_that_entry(index: int) -> None:
    entries = _chain()
    entries[index] = dataclasses.replace(entries[index], data={"to": "SELESAI"})
    assert first_broken_link(entries) == index + 1


@pytest.mark.parametrize("field", ["at", "actor", "action", "target"])
def test_altered_field_breaks_the_chain_at_that_entry(field: str) -> None:
    entries = _chain()
    entries[2] = dataclasses.replace(entries[2], **{field: "forged"})
    assert first_broken_link(entries) == 3


def test_altered_entry_with_its_own_hash_recomputed_breaks_at_the_next() -> None:
    entries = _chain()
    entries[1] = _sealed(dataclasses.replace(entries[1], actor="someone.else"), entries[0].hash)
    assert first_broken_link(entries) == 3


@pytest.mark.parametrize("index", range(4))
def test_removed_entry_breaks_the_chain_at_the_gap(index: int) -> None:
    entries = _chain()
    del entries[index]
    assert first_broken_link(entries) == index + 1


def test_removed_entry_with_tail_rehashed_still_shows_the_seq_gap() -> None:
    entries = _chain()
    del entries[2]
    assert first_broken_link(_rehash_from(entries, 2)) == 3


def test_swapped_entries_break_the_chain_at_the_first_swapped() -> None:
    entries = _chain()
    entries[1], entries[2] = entries[2], entries[1]
    assert first_broken_link(entries) == 2


def test_audit_hash_does_not_depend_on_data_key_order() -> None:
    a = audit_hash(1, "t", "u", "x", "r", {"a": 1, "b": 2}, GENESIS_HASH)
    b = audit_hash(1, "t", "u", "x", "r", {"b": 2, "a": 1}, GENESIS_HASH)
    assert a == b
    assert re.fullmatch(r"[0-9a-f]{64}", a)


# --- records ---------------------------------------------------------------------------


def test_event_audit_data_records_the_move_but_never_the_note_text() -> None:
    event = Event("req-1", "2026-11-27T08:00:00+08:00", "op", None, Status.DRAF)
    assert event_audit_data(event) == {"from": None, "to": "DRAF", "noted": False}
    handed = dataclasses.replace(
        event,
        from_status=Status.SELESAI,
        to_status=Status.DISERAHKAN,
        note="Diterima oleh Siti Aminah (pemohon) melalui loket desa.",
    )
    # The receiver's name stays in the timeline, which the purge erases; the chained
    # audit log cannot be erased, so it never holds the text.
    assert event_audit_data(handed) == {"from": "SELESAI", "to": "DISERAHKAN", "noted": True}


def test_request_round_trips_through_its_record() -> None:
    request = Request(
        id=IDS[0],
        code=request_code(IDS[0]),
        service="AKTA_LAHIR",
        desa="52.03.01.2001",
        applicant={"nik": "5203015708900001", "name": "Siti Aminah"},
        subject=None,
        notes="",
        status=Status.DIAJUKAN,
        version=2,
        created_by="op",
        created_at="2026-11-27T08:00:00+08:00",
        updated_at="2026-11-27T08:05:00+08:00",
        status_since="2026-11-27T08:05:00+08:00",
        submission=1,
    )
    record = request.to_record()

    assert record["status"] == "DIAJUKAN"
    assert Request.from_record(record) == request
    assert not request.ready
    assert dataclasses.replace(request, ready_submission=1).ready


def test_operator_sees_only_own_desa_while_dukcapil_sees_all() -> None:
    operator = Actor("op", Role.OPERATOR, "52.03.01.2001")
    dukcapil = Actor("dk", Role.DUKCAPIL, None)

    assert operator.can_see_desa("52.03.01.2001")
    assert not operator.can_see_desa("52.03.01.2002")
    assert dukcapil.can_see_desa("52.03.01.2002")
