"""The IKM store contract (ports/ikm.py) over SQLite, DynamoDB on moto and the fake."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import aws_env
from bakso.adapters.local.ikm import SqliteIkmStore
from bakso.domain.ikm import Tally
from bakso.ports.ikm import AlreadyAnswered, IkmAnswer, IkmStore
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
    request_id: str, desa: str = DESA_A, month: str = "2026-11", score: int = 3
) -> IkmAnswer:
    return IkmAnswer(
        request_id, desa, month, (score,) * 8 + (1,), "Ramah.", "2026-11-02T01:00:00+00:00"
    )


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
