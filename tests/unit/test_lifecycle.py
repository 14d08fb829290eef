"""The request state machine: legal moves, who may make them, and the reasons they need."""

from __future__ import annotations

import pytest

from bakso.domain.errors import Conflict, Forbidden, InvalidInput
from bakso.domain.lifecycle import (
    FINAL,
    LABELS,
    NEEDS_REASON,
    TRANSITIONS,
    Role,
    Status,
    check_transition,
    parse_status,
)

NOTE = "Foto KK buram, mohon difoto ulang."


def _note_for(target: Status) -> str | None:
    return NOTE if target in NEEDS_REASON else None


def _allowed_cases() -> list[object]:
    return [
        pytest.param(current, target, role, id=f"{current}->{target}-by-{role}")
        for (current, target), roles in TRANSITIONS.items()
        for role in sorted(roles)
    ]


def _forbidden_cases() -> list[object]:
    return [
        pytest.param(current, target, role, id=f"{current}->{target}-by-{role}")
        for (current, target), roles in TRANSITIONS.items()
        for role in sorted(set(Role) - roles)
    ]


@pytest.mark.parametrize(("current", "target", "role"), _allowed_cases())
def test_legal_transition_by_allowed_role_passes(
    current: Status, target: Status, role: Role
) -> None:
    check_transition(current, target, role, _note_for(target))


@pytest.mark.parametrize(("current", "target", "role"), _forbidden_cases())
def test_legal_transition_by_other_role_is_forbidden(
    current: Status, target: Status, role: Role
) -> None:
    with pytest.raises(Forbidden) as caught:
        check_transition(current, target, role, _note_for(target))
    assert caught.value.status == 403
    assert caught.value.detail.strip()


def test_forbidden_cases_exist_for_every_role_split() -> None:
    # Guards the parametrisation above: a table granting every role everything
    # would make the Forbidden test vacuous.
    assert _forbidden_cases()
    assert TRANSITIONS[(Status.DRAF, Status.DIAJUKAN)] == {Role.OPERATOR}
    assert Role.OPERATOR not in TRANSITIONS[(Status.DIPROSES, Status.SELESAI)]


def test_forward_moves_are_exactly_those_of_the_design_diagram() -> None:
    forward = {(c, t) for (c, t) in TRANSITIONS if t is not Status.DIBATALKAN}
    assert forward == {
        (Status.DRAF, Status.DIAJUKAN),
        (Status.DIAJUKAN, Status.DITERIMA),
        (Status.DITERIMA, Status.DIPROSES),
        (Status.DIPROSES, Status.SELESAI),
        (Status.SELESAI, Status.DISERAHKAN),
        (Status.DITERIMA, Status.PERLU_PERBAIKAN),
        (Status.DIPROSES, Status.PERLU_PERBAIKAN),
        (Status.DIAJUKAN, Status.PERLU_PERBAIKAN),  # the system: broken files (DESIGN)
        (Status.PERLU_PERBAIKAN, Status.DIAJUKAN),
        (Status.DIPROSES, Status.DITOLAK),
    }


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.DRAF, Status.SELESAI),
        (Status.DRAF, Status.DITERIMA),
        (Status.DIAJUKAN, Status.SELESAI),
        (Status.DIAJUKAN, Status.DIPROSES),
        (Status.DIAJUKAN, Status.DRAF),
        (Status.DITERIMA, Status.SELESAI),
        (Status.DIPROSES, Status.DIAJUKAN),
        (Status.PERLU_PERBAIKAN, Status.DIPROSES),
        (Status.SELESAI, Status.DIPROSES),
        (Status.DITOLAK, Status.DIAJUKAN),
        (Status.DIBATALKAN, Status.DRAF),
        (Status.DRAF, Status.DRAF),
        *[(Status.DISERAHKAN, target) for target in Status],
    ],
    ids=lambda s: str(s),
)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_illegal_transition_is_a_conflict_for_every_role(
    current: Status, target: Status, role: Role
) -> None:
    with pytest.raises(Conflict) as caught:
        check_transition(current, target, role, NOTE)
    assert caught.value.status == 409
    assert caught.value.extra["status_now"] == current.value


@pytest.mark.parametrize(
    ("current", "target"),
    [(current, target) for (current, target) in TRANSITIONS if target in NEEDS_REASON],
    ids=str,
)
@pytest.mark.parametrize("note", [None, "", "   ", "\n\t"], ids=repr)
def test_move_needing_reason_without_note_is_invalid(
    current: Status, target: Status, note: str | None
) -> None:
    role = sorted(TRANSITIONS[(current, target)])[0]
    with pytest.raises(InvalidInput) as caught:
        check_transition(current, target, role, note)
    assert caught.value.status == 422


def test_perlu_perbaikan_and_ditolak_are_the_statuses_needing_a_reason() -> None:
    assert {Status.PERLU_PERBAIKAN, Status.DITOLAK} == NEEDS_REASON


@pytest.mark.parametrize("status", sorted(FINAL), ids=str)
def test_final_status_has_no_outgoing_transition(status: Status) -> None:
    assert [target for (current, target) in TRANSITIONS if current is status] == []


def test_final_statuses_are_ditolak_diserahkan_dibatalkan() -> None:
    assert {Status.DITOLAK, Status.DISERAHKAN, Status.DIBATALKAN} == FINAL


@pytest.mark.parametrize("status", list(Status), ids=str)
def test_every_status_has_a_label(status: Status) -> None:
    assert LABELS[status].strip()


@pytest.mark.parametrize("status", sorted(set(Status) - FINAL), ids=str)
def test_non_final_status_can_be_cancelled_by_someone(status: Status) -> None:
    roles = TRANSITIONS.get((status, Status.DIBATALKAN), frozenset())
    assert roles
    check_transition(status, Status.DIBATALKAN, next(iter(roles)), None)


@pytest.mark.parametrize("status", sorted(set(Status) - FINAL), ids=str)
def test_non_final_status_leads_somewhere_besides_cancel(status: Status) -> None:
    assert any(c is status and t is not Status.DIBATALKAN for (c, t) in TRANSITIONS)


def test_every_status_is_reachable_from_draf() -> None:
    seen = {Status.DRAF}
    frontier = [Status.DRAF]
    while frontier:
        current = frontier.pop()
        for c, t in TRANSITIONS:
            if c is current and t not in seen:
                seen.add(t)
                frontier.append(t)
    assert seen == set(Status)


def test_parse_status_reads_a_known_code() -> None:
    assert parse_status("DIPROSES") is Status.DIPROSES


@pytest.mark.parametrize("value", ["", "diproses", "SELESAI ", "DONE"])
def test_parse_status_of_unknown_code_is_invalid_input(value: str) -> None:
    with pytest.raises(InvalidInput):
        parse_status(value)


def test_only_the_system_sends_a_submitted_request_back_for_repair() -> None:
    assert TRANSITIONS[(Status.DIAJUKAN, Status.PERLU_PERBAIKAN)] == {Role.SYSTEM}
    check_transition(Status.DIAJUKAN, Status.PERLU_PERBAIKAN, Role.SYSTEM, NOTE)
    for role in (Role.DUKCAPIL, Role.ADMIN, Role.OPERATOR):
        with pytest.raises(Forbidden):
            check_transition(Status.DIAJUKAN, Status.PERLU_PERBAIKAN, role, NOTE)
