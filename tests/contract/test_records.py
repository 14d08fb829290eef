"""The Records contract: what every records adapter must do alike."""

from __future__ import annotations

import base64
import dataclasses
import threading
import uuid
from typing import TYPE_CHECKING

import pytest

from bakso.domain.errors import Conflict, InvalidInput, NotFound
from bakso.domain.lifecycle import Role, Status
from bakso.domain.model import (
    GENESIS_HASH,
    Event,
    Request,
    Scan,
    User,
    event_audit_data,
    request_code,
)
from bakso.ports import CodeTaken, Records
from bakso.services.audit import AuditService

if TYPE_CHECKING:
    from conftest import AdapterSet

DESA_A = "52.03.01.2001"
DESA_B = "52.03.01.2002"


def make_request(
    request_id: str | None = None,
    *,
    code: str | None = None,
    desa: str = DESA_A,
    status: Status = Status.DRAF,
    created_at: str = "2026-01-05T08:00:00Z",
    notes: str = "",
) -> Request:
    request_id = request_id or str(uuid.uuid4())
    return Request(
        id=request_id,
        code=code or request_code(request_id),
        service="akta-kelahiran",
        desa=desa,
        applicant={"nama": "Siti Aminah", "nik": "5203014101900001"},
        subject={"nama": "Baiq Nur", "tanggal_lahir": "2025-12-30"},
        notes=notes,
        status=status,
        version=1,
        created_by="op.sukamulia",
        created_at=created_at,
        updated_at=created_at,
        status_since=created_at,
        warnings=[{"code": "nik-ganda", "message": "NIK mirip"}],
    )


def created(request: Request) -> Event:
    return Event(
        request_id=request.id,
        at=request.created_at,
        by=request.created_by,
        from_status=None,
        to_status=request.status,
        action="request.create",
    )


def moved(request: Request, to: Status, at: str, note: str = "") -> tuple[Request, Event]:
    """The request after a transition (version bumped) and the event recording it."""
    event = Event(request.id, at, "dukcapil.ana", request.status, to, note)
    after = dataclasses.replace(
        request, status=to, version=request.version + 1, updated_at=at, status_since=at
    )
    return after, event


def store(records: Records, request: Request) -> Request:
    assert records.create_request(request, created(request))
    return request


# Creating -------------------------------------------------------------------


def test_create_new_id_stores_request_and_its_first_event(records: Records) -> None:
    request = make_request()

    assert records.create_request(request, created(request)) is True

    assert records.get_request(request.id) == request
    assert records.get_request_by_code(request.code) == request
    assert records.timeline(request.id) == [created(request)]


def test_create_same_id_twice_keeps_first(records: Records) -> None:
    first = store(records, make_request(notes="pertama"))
    replay = dataclasses.replace(first, notes="kedua")

    assert records.create_request(replay, created(replay)) is False

    assert records.get_request(first.id) == first
    assert len(records.timeline(first.id)) == 1
    assert len(records.audit_entries()) == 1


def test_create_same_id_from_50_threads_yields_one_request(adapter_set: AdapterSet) -> None:
    records = adapter_set.records
    request = make_request()
    start = threading.Barrier(50)
    results: list[bool] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            start.wait()
            results.append(records.create_request(request, created(request)))
        except BaseException as error:
            errors.append(error)
        finally:
            adapter_set.thread_done()

    threads = [threading.Thread(target=create) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False] * 49 + [True]
    assert records.timeline(request.id) == [created(request)]
    assert len(records.audit_entries()) == 1


def test_create_with_code_held_by_another_id_raises_code_taken(records: Records) -> None:
    holder = store(records, make_request())
    other = make_request(code=holder.code)

    with pytest.raises(CodeTaken):
        records.create_request(other, created(other))

    assert records.get_request(other.id) is None
    assert records.get_request_by_code(holder.code) == holder
    assert records.timeline(other.id) == []
    assert len(records.audit_entries()) == 1


def test_create_after_code_taken_with_next_code_succeeds(records: Records) -> None:
    holder = store(records, make_request())
    other = make_request(code=holder.code)
    with pytest.raises(CodeTaken):
        records.create_request(other, created(other))

    retry = dataclasses.replace(other, code=request_code(other.id, attempt=1))

    assert records.create_request(retry, created(retry)) is True
    assert records.get_request_by_code(retry.code) == retry


def test_get_unknown_id_or_code_returns_none(records: Records) -> None:
    assert records.get_request(str(uuid.uuid4())) is None
    assert records.get_request_by_code("LT-2222-2222") is None


def test_request_is_found_by_its_status_token_once_it_has_one(records: Records) -> None:
    request = store(records, make_request())
    assert records.get_request_by_token("t" * 32) is None
    after, event = moved(request, Status.DIAJUKAN, "2026-01-05T09:00:00Z")
    after = dataclasses.replace(after, token="t" * 32)

    records.save_request(after, expected_version=request.version, event=event)

    assert records.get_request_by_token("t" * 32) == after
    assert records.get_request_by_token("u" * 32) is None


# Saving ---------------------------------------------------------------------


def test_save_with_current_version_replaces_request_and_appends_event(records: Records) -> None:
    request = store(records, make_request())
    after, event = moved(request, Status.DIAJUKAN, "2026-01-05T09:00:00Z")

    records.save_request(after, expected_version=request.version, event=event)

    assert records.get_request(request.id) == after
    assert records.timeline(request.id) == [created(request), event]


def test_save_without_event_leaves_timeline_and_audit_alone(records: Records) -> None:
    request = store(records, make_request())
    edited = dataclasses.replace(request, notes="lahir di rumah", version=2)

    records.save_request(edited, expected_version=1, event=None)

    assert records.get_request(request.id) == edited
    assert records.timeline(request.id) == [created(request)]
    assert len(records.audit_entries()) == 1


def test_save_with_stale_version_raises_conflict_and_changes_nothing(records: Records) -> None:
    request = store(records, make_request())
    current, event = moved(request, Status.DIAJUKAN, "2026-01-05T09:00:00Z")
    records.save_request(current, expected_version=1, event=event)
    stale, stale_event = moved(request, Status.DIBATALKAN, "2026-01-05T09:30:00Z")

    with pytest.raises(Conflict) as caught:
        records.save_request(stale, expected_version=1, event=stale_event)

    assert caught.value.extra["current_version"] == 2
    assert records.get_request(request.id) == current
    assert records.timeline(request.id) == [created(request), event]
    assert len(records.audit_entries()) == 2


def test_save_of_unknown_request_raises_conflict_without_version(records: Records) -> None:
    request = make_request()

    with pytest.raises(Conflict) as caught:
        records.save_request(request, expected_version=1, event=None)

    assert caught.value.extra["current_version"] is None
    assert records.get_request(request.id) is None


# Listing --------------------------------------------------------------------


def _at(minute: int) -> str:
    return f"2026-01-05T08:{minute:02d}:00Z"


def test_list_returns_newest_first_with_id_breaking_ties(records: Records) -> None:
    older = store(records, make_request(created_at=_at(1)))
    tied = [store(records, make_request(created_at=_at(2))) for _ in range(3)]

    page = records.list_requests(kabupaten="52.03", desa=None, status=None, cursor=None, limit=10)

    expected = [*sorted(tied, key=lambda r: r.id, reverse=True), older]
    assert [r.id for r in page.items] == [r.id for r in expected]
    assert page.cursor is None


def test_list_filters_by_desa_and_by_status(records: Records) -> None:
    a_draft = store(records, make_request(desa=DESA_A, created_at=_at(1)))
    a_sent = store(records, make_request(desa=DESA_A, status=Status.DIAJUKAN, created_at=_at(2)))
    b_sent = store(records, make_request(desa=DESA_B, status=Status.DIAJUKAN, created_at=_at(3)))

    def ids(desa: str | None, status: Status | None) -> list[str]:
        page = records.list_requests(
            kabupaten="52.03", desa=desa, status=status, cursor=None, limit=10
        )
        return [r.id for r in page.items]

    assert ids(DESA_A, None) == [a_sent.id, a_draft.id]
    assert ids(None, Status.DIAJUKAN) == [b_sent.id, a_sent.id]
    assert ids(DESA_A, Status.DIAJUKAN) == [a_sent.id]
    assert ids(DESA_B, Status.DRAF) == []


def test_list_cursor_walks_every_page_once(records: Records) -> None:
    # Repeated timestamps put page boundaries inside ties.
    stored = [store(records, make_request(created_at=_at(i // 3))) for i in range(23)]
    seen: list[str] = []
    cursor = None
    pages = 0

    while True:
        page = records.list_requests(
            kabupaten="52.03", desa=None, status=None, cursor=cursor, limit=5
        )
        pages += 1
        assert len(page.items) <= 5
        seen.extend(r.id for r in page.items)
        cursor = page.cursor
        if cursor is None:
            break

    expected = sorted(stored, key=lambda r: (r.created_at, r.id), reverse=True)
    assert seen == [r.id for r in expected]
    assert pages == 5


def test_list_cursor_keeps_filters_across_pages(records: Records) -> None:
    wanted = []
    for i in range(12):
        desa = DESA_A if i % 2 else DESA_B
        request = store(records, make_request(desa=desa, status=Status.DIAJUKAN, created_at=_at(i)))
        if desa == DESA_A:
            wanted.append(request.id)
    seen: list[str] = []
    cursor = None

    while True:
        page = records.list_requests(
            kabupaten="52.03", desa=DESA_A, status=Status.DIAJUKAN, cursor=cursor, limit=4
        )
        seen.extend(r.id for r in page.items)
        cursor = page.cursor
        if cursor is None:
            break

    assert seen == list(reversed(wanted))


def test_list_with_exactly_limit_items_has_no_next_cursor(records: Records) -> None:
    for i in range(3):
        store(records, make_request(created_at=_at(i)))

    page = records.list_requests(kabupaten="52.03", desa=None, status=None, cursor=None, limit=3)

    assert len(page.items) == 3
    assert page.cursor is None


@pytest.mark.parametrize(
    "cursor",
    [
        "bukan-kursor!!",
        base64.urlsafe_b64encode(b"{not json").decode(),
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
    ],
)
def test_list_with_malformed_cursor_raises_invalid_input(records: Records, cursor: str) -> None:
    with pytest.raises(InvalidInput, match="Kursor halaman tidak valid"):
        records.list_requests(kabupaten="52.03", desa=None, status=None, cursor=cursor, limit=5)


# Timeline -------------------------------------------------------------------


def test_timeline_keeps_insertion_order_per_request(records: Records) -> None:
    first = store(records, make_request())
    second = store(records, make_request())
    expected = {first.id: [created(first)], second.id: [created(second)]}
    current = {first.id: first, second.id: second}
    steps = [Status.DIAJUKAN, Status.DITERIMA, Status.DIPROSES]

    for minute, to in enumerate(steps, start=10):
        for request_id in (first.id, second.id):
            # Timestamps run backwards: order must come from insertion, not `at`.
            after, event = moved(current[request_id], to, _at(59 - minute))
            records.save_request(after, expected_version=after.version - 1, event=event)
            current[request_id] = after
            expected[request_id].append(event)

    assert records.timeline(first.id) == expected[first.id]
    assert records.timeline(second.id) == expected[second.id]


def test_timeline_of_unknown_request_is_empty(records: Records) -> None:
    assert records.timeline(str(uuid.uuid4())) == []


# Audit ----------------------------------------------------------------------


def test_audit_chain_over_appends_and_events_verifies(records: Records) -> None:
    records.append_audit(
        chain="52.03",
        at=_at(0),
        actor="admin",
        action="user.create",
        target="op.a",
        data={"role": "operator"},
    )
    request = store(records, make_request(created_at=_at(1)))
    after, event = moved(request, Status.DIAJUKAN, _at(2), note="lengkap")
    records.save_request(after, expected_version=1, event=event)
    records.append_audit(
        chain="52.03",
        at=_at(3),
        actor="dukcapil.ana",
        action="batch.download",
        target="b-1",
        data={"n": 1},
    )

    entries = records.audit_entries()

    assert AuditService(records).verify().problem is None
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS_HASH
    transition = entries[2]
    assert (transition.action, transition.actor, transition.target, transition.at) == (
        event.action,
        event.by,
        request.id,
        event.at,
    )
    assert transition.data == event_audit_data(event)


def test_append_audit_returns_the_entry_as_stored(records: Records) -> None:
    appended = [
        records.append_audit(
            chain="52.03",
            at=_at(i),
            actor="admin",
            action="user.reset",
            target=f"op.{i}",
            data={"i": [i, "x"]},
        )
        for i in range(3)
    ]

    assert records.audit_entries() == appended


def test_audit_entries_page_by_seq(records: Records) -> None:
    for i in range(7):
        records.append_audit(
            chain="52.03", at=_at(i), actor="admin", action="x", target=str(i), data={}
        )

    page = records.audit_entries(after_seq=2, limit=3)

    assert [e.seq for e in page] == [3, 4, 5]
    assert records.audit_entries(after_seq=7) == []


def test_concurrent_audit_appends_keep_one_unbroken_chain(adapter_set: AdapterSet) -> None:
    records = adapter_set.records
    start = threading.Barrier(8)

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(5):
                records.append_audit(
                    chain="52.03", at=_at(i), actor=f"w{worker}", action="x", target=str(i), data={}
                )
        finally:
            adapter_set.thread_done()

    threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    entries = records.audit_entries()
    assert len(entries) == 40
    assert AuditService(records).verify().problem is None


# Scans ----------------------------------------------------------------------


def make_scan(request_id: str, scan_id: str, *, created_at: str = _at(0), sha: str = "a") -> Scan:
    sha256 = sha * 64
    return Scan(
        id=scan_id,
        request_id=request_id,
        requirement="kk",
        sha256=sha256,
        size=1234,
        content_type="image/jpeg",
        key=f"scans/{request_id}/{sha256}",
        state="pending",
        created_at=created_at,
    )


def test_add_scan_twice_keeps_first(records: Records) -> None:
    request = store(records, make_request())
    first = make_scan(request.id, "s1", sha="a")

    assert records.add_scan(first) == first
    assert records.add_scan(make_scan(request.id, "s1", sha="b")) == first
    assert records.get_scan(request.id, "s1") == first


def test_list_scans_orders_by_creation_then_id_and_only_that_request(records: Records) -> None:
    request = store(records, make_request())
    other = store(records, make_request())
    late = records.add_scan(make_scan(request.id, "a-late", created_at=_at(5)))
    early_b = records.add_scan(make_scan(request.id, "b", created_at=_at(1)))
    early_a = records.add_scan(make_scan(request.id, "a", created_at=_at(1)))
    records.add_scan(make_scan(other.id, "z", created_at=_at(0)))

    assert records.list_scans(request.id) == [early_a, early_b, late]


def test_a_replacing_scan_keeps_what_it_replaces_its_place_and_submission(
    records: Records,
) -> None:
    request = store(records, make_request())
    plain = records.add_scan(make_scan(request.id, "s1"))
    replacing = dataclasses.replace(
        make_scan(request.id, "s2", sha="b"),
        replaces="s1",
        placed_at=_at(0),
        submission=2,
    )

    assert records.add_scan(replacing) == replacing
    records.set_scan_state(request.id, "s2", "ok")

    assert records.get_scan(request.id, "s2") == dataclasses.replace(replacing, state="ok")
    stored = records.get_scan(request.id, "s1")
    assert stored == plain and stored.replaces is None and stored.submission == 0


def test_a_scans_kept_quality_flags_are_stored_and_the_first_registration_wins(
    records: Records,
) -> None:
    request = store(records, make_request())
    flagged = dataclasses.replace(make_scan(request.id, "s1"), quality=("dark", "small"))
    plain = records.add_scan(make_scan(request.id, "s2", sha="b"))

    assert records.add_scan(flagged) == flagged
    # A second registration of the same id reads back the first, flags and all.
    assert records.add_scan(dataclasses.replace(flagged, quality=())) == flagged
    records.set_scan_state(request.id, "s1", "ok")

    assert records.get_scan(request.id, "s1") == dataclasses.replace(flagged, state="ok")
    assert plain.quality == ()
    assert [s.quality for s in records.list_scans(request.id)] == [("dark", "small"), ()]


def test_set_scan_state_changes_only_the_state(records: Records) -> None:
    request = store(records, make_request())
    scan = records.add_scan(make_scan(request.id, "s1"))

    records.set_scan_state(request.id, "s1", "ok")

    assert records.get_scan(request.id, "s1") == dataclasses.replace(scan, state="ok")


def test_set_state_of_missing_scan_raises_not_found(records: Records) -> None:
    with pytest.raises(NotFound):
        records.set_scan_state(str(uuid.uuid4()), "s1", "ok")


def test_delete_scan_removes_it_and_missing_delete_is_fine(records: Records) -> None:
    request = store(records, make_request())
    records.add_scan(make_scan(request.id, "s1"))

    records.delete_scan(request.id, "s1")
    records.delete_scan(request.id, "s1")

    assert records.get_scan(request.id, "s1") is None
    assert records.list_scans(request.id) == []


# Officers and login throttling ----------------------------------------------


def make_user(username: str, role: Role = Role.OPERATOR, desa: str | None = DESA_A) -> User:
    return User(
        username=username,
        role=role,
        desa=desa,
        password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
        created_at=_at(0),
    )


def test_saved_user_reads_back_equal_and_save_replaces(records: Records) -> None:
    user = make_user("op.sukamulia")
    records.save_user(user)
    assert records.get_user("op.sukamulia") == user

    disabled = dataclasses.replace(user, active=False, session_epoch=3)
    records.save_user(disabled)

    stored = records.get_user("op.sukamulia")
    assert stored == disabled
    assert stored is not None and stored.role is Role.OPERATOR


def test_list_users_sorted_by_username(records: Records) -> None:
    for name, role, desa in [
        ("zainal", Role.DUKCAPIL, None),
        ("admin", Role.ADMIN, None),
        ("op.a", Role.OPERATOR, DESA_A),
    ]:
        records.save_user(make_user(name, role, desa))

    assert [u.username for u in records.list_users()] == ["admin", "op.a", "zainal"]
    assert records.get_user("nobody") is None
