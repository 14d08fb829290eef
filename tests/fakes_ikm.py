"""The in-memory IKM store (ports/ikm.py), re-exported by fakes.py; it runs the same
contract suite (tests/contract/test_ikm_store.py) as SQLite and DynamoDB on moto."""

from __future__ import annotations

import threading
from dataclasses import replace

from bakso.domain.ikm import Tally
from bakso.domain.regions import kabupaten_of
from bakso.ports.ikm import AlreadyAnswered, CommentPage, IkmAnswer, IkmComment


class FakeIkmStore:
    def __init__(self) -> None:
        self.answers: dict[str, IkmAnswer] = {}
        self.tally: dict[tuple[str, str, str], Tally] = {}
        self.tally_reads = 0  # bounded reads: one per kabupaten-month
        self.order: dict[str, int] = {}  # request id → arrival: the comments' cursor
        self._lock = threading.Lock()

    def add_answer(self, answer: IkmAnswer) -> None:
        with self._lock:
            if answer.request_id in self.answers:
                raise AlreadyAnswered(answer.request_id)
            self.answers[answer.request_id] = answer
            self.order[answer.request_id] = len(self.order) + 1
            key = (kabupaten_of(answer.desa), answer.month, answer.desa)
            self.tally[key] = self.tally.get(key, Tally.empty()).plus(Tally(1, answer.scores))

    def answered(self, request_id: str) -> bool:
        return request_id in self.answers

    def comment(self, request_id: str) -> str | None:
        answer = self.answers.get(request_id)
        return None if answer is None else answer.comment

    def tallies(self, kabupaten: str, month: str) -> dict[str, Tally]:
        self.tally_reads += 1
        return {d: t for (k, m, d), t in self.tally.items() if k == kabupaten and m == month}

    def comments(
        self, kabupaten: str, month: str, *, limit: int, after: str | None = None
    ) -> CommentPage:
        day, _, number = (after or "").partition("|")
        if after is not None and not (day and number.isdigit()):
            raise ValueError("not a cursor of this store")
        listed = sorted(
            (
                (a.day, self.order[a.request_id], a)
                for a in self.answers.values()
                if a.comment and a.month == month and kabupaten_of(a.desa) == kabupaten
            ),
            key=lambda entry: entry[:2],
            reverse=True,
        )
        if after is not None:
            listed = [e for e in listed if e[:2] < (day, int(number))]
        page = [IkmComment(a.desa, a.day, a.comment) for _, _, a in listed[:limit]]
        more = len(listed) > limit
        last = listed[limit - 1] if more else None
        return CommentPage(page, f"{last[0]}|{last[1]}" if last else None)

    def erase_comment(self, request_id: str) -> None:
        with self._lock:
            answer = self.answers.get(request_id)
            if answer is not None:
                self.answers[request_id] = replace(answer, comment="")

    def compact(self) -> None:
        pass
