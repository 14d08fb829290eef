"""The in-memory IKM store (ports/ikm.py), re-exported by fakes.py; it runs the same
contract suite (tests/contract/test_ikm_store.py) as SQLite and DynamoDB on moto."""

from __future__ import annotations

import threading
from dataclasses import replace

from bakso.domain.ikm import Tally
from bakso.domain.regions import kabupaten_of
from bakso.ports.ikm import AlreadyAnswered, IkmAnswer


class FakeIkmStore:
    def __init__(self) -> None:
        self.answers: dict[str, IkmAnswer] = {}
        self.tally: dict[tuple[str, str, str], Tally] = {}
        self.tally_reads = 0  # bounded reads: one per kabupaten-month
        self._lock = threading.Lock()

    def add_answer(self, answer: IkmAnswer) -> None:
        with self._lock:
            if answer.request_id in self.answers:
                raise AlreadyAnswered(answer.request_id)
            self.answers[answer.request_id] = answer
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

    def erase_comment(self, request_id: str) -> None:
        with self._lock:
            answer = self.answers.get(request_id)
            if answer is not None:
                self.answers[request_id] = replace(answer, comment="")

    def compact(self) -> None:
        pass
