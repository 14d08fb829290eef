"""The IKM store contract (ports/ikm.py) over SQLite, DynamoDB on moto and the fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import aws_env
from bakso.adapters.local.ikm import SqliteIkmStore
from bakso.domain.ikm import Tally
from bakso.ports.ikm import AlreadyAnswered, IkmAnswer, IkmComment, IkmStore
from fakes_ikm import FakeIkmStore

DESA_A, DESA_A2, DESA_B = "52.03.01.2001", "52.03.01.2002", "52.04.02.2001"


@pytest.fixture(params=["local", "aws", "memory"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[IkmStore]:
    if request.param == "local":
        local = SqliteIkmStore(tmp_path / "ikm.sqlite3")
        yield local
        local.close()
    elif request.param == "aws":
        from bakso.adapters import aws
        from bakso.adapters.aws.ikm import DynamoIkmStore

        with aws_env.moto_aws(monkeypatch):
            records, _, _ = aws.build(aws_env.deploy_stack().config())
            assert isinstance(records, aws.DynamoRecords)
            yield DynamoIkmStore(records.client, records.table)
    else:
        yield FakeIkmStore()


def _answer(
    request_id: str,
    desa: str = DESA_A,
    month: str = "2026-11",
    score: int = 3,
    comment: str = "Ramah.",
    at: str = "2026-11-02T01:00:00+00:00",
) -> IkmAnswer:
    return IkmAnswer(request_id, desa, month, (score,) * 8 + (1,), comment, at, at[:10])


def test_answers_add_up_per_desa_and_month_and_a_second_is_refused(store: IkmStore) -> None:
    store.add_answer(_answer("r1", score=4))
    store.add_answer(_answer("r2", score=2))
    store.add_answer(_answer("r3", DESA_A2))
    store.add_answer(_answer("r4", month="2026-10"))
    store.add_answer(_answer("r5", DESA_B))

    with pytest.raises(AlreadyAnswered):
        store.add_answer(_answer("r1", score=1))

    assert store.tallies("52.03", "2026-11") == {
        DESA_A: Tally(2, (6,) * 8 + (2,)),  # the refused answer changed nothing
        DESA_A2: Tally(1, (3,) * 8 + (1,)),
    }
    assert store.tallies("52.03", "2026-10") == {DESA_A: Tally(1, (3,) * 8 + (1,))}
    assert store.tallies("52.04", "2026-11") == {DESA_B: Tally(1, (3,) * 8 + (1,))}
    assert store.tallies("52.03", "2026-12") == {}
    assert store.answered("r1") and not store.answered("r9")


def test_erasing_the_comment_keeps_the_scores_counted(store: IkmStore) -> None:
    store.add_answer(_answer("r1"))
    assert store.comment("r1") == "Ramah."

    store.erase_comment("r1")
    store.erase_comment("never-answered")

    assert store.comment("r1") == ""
    assert store.comment("never-answered") is None
    assert store.tallies("52.03", "2026-11")[DESA_A].respondents == 1
    with pytest.raises(AlreadyAnswered):  # still one answer per request
        store.add_answer(_answer("r1"))


def test_two_answers_for_one_request_at_once_count_once(store: IkmStore) -> None:
    refused: list[str] = []

    def answer() -> None:
        try:
            store.add_answer(_answer("same"))
        except AlreadyAnswered:
            refused.append("x")

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(refused) == 3
    assert store.tallies("52.03", "2026-11")[DESA_A].respondents == 1


def _all_comments(store: IkmStore, kabupaten: str, month: str, limit: int) -> list[IkmComment]:
    pages, after = [], None
    while True:
        page = store.comments(kabupaten, month, limit=limit, after=after)
        assert len(page.items) <= limit
        pages += page.items
        if page.next is None:
            return pages
        assert page.items, "a cursor without items would loop"
        after = page.next


def test_comments_are_read_newest_first_a_page_at_a_time_without_the_request(
    store: IkmStore,
) -> None:
    # Two answers in the same second (the tie is broken, none lost or repeated), one
    # without a comment, another kabupaten's and another month's.
    times = ["2026-11-03T02:00:00+00:00", "2026-11-05T09:30:00+00:00"] + [
        "2026-11-04T08:00:00+00:00"
    ] * 2
    for i, at in enumerate(times):
        store.add_answer(
            _answer(f"r{i}", DESA_A2 if i % 2 else DESA_A, comment=f"Saran {i}", at=at)
        )
    store.add_answer(_answer("quiet", comment="", at="2026-11-06T00:00:00+00:00"))
    store.add_answer(_answer("lobar", DESA_B, comment="Lain kabupaten"))
    store.add_answer(_answer("october", month="2026-10", comment="Bulan lalu"))

    for limit in (1, 2, 3, 10):
        listed = _all_comments(store, "52.03", "2026-11", limit)
        assert [c.text for c in listed[:1] + listed[3:]] == ["Saran 1", "Saran 0"]
        assert {c.text for c in listed[1:3]} == {"Saran 2", "Saran 3"}
    first = _all_comments(store, "52.03", "2026-11", 10)[0]
    assert first == IkmComment(DESA_A2, "2026-11-05", "Saran 1")
    page = store.comments("52.03", "2026-11", limit=2)
    # The cursor names neither the request nor a time of day.
    assert page.next is not None and "r1" not in page.next and "r0" not in page.next
    assert ":" not in page.next and "T0" not in page.next
    assert [c.text for c in _all_comments(store, "52.04", "2026-11", 5)] == ["Lain kabupaten"]
    assert _all_comments(store, "52.03", "2026-12", 5) == []
    with pytest.raises(ValueError):
        store.comments("52.03", "2026-11", limit=2, after="bukan-kursor")


def test_an_erased_comment_leaves_the_months_list(store: IkmStore) -> None:
    store.add_answer(_answer("r1", comment="Ibu Siti di loket ramah"))
    store.add_answer(_answer("r2", comment="Antre lama", at="2026-11-03T01:00:00+00:00"))

    store.erase_comment("r1")
    store.erase_comment("r1")  # again: nothing

    assert [c.text for c in _all_comments(store, "52.03", "2026-11", 5)] == ["Antre lama"]
    assert store.tallies("52.03", "2026-11")[DESA_A].respondents == 2
