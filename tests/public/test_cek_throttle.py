"""The resident lookup under a flood (#13): parallel guesses are counted before they are checked."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from bakso.bootstrap import Services


class CountingLookups:
    """The status service's records, counting the reads a guess is checked against."""

    def __init__(self, records: Any) -> None:
        self._records = records
        self.checked = 0
        self._lock = threading.Lock()

    def get_request_by_code(self, code: str) -> Any:
        with self._lock:
            self.checked += 1
        return self._records.get_request_by_code(code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._records, name)


def test_fifty_parallel_wrong_digits_are_checked_at_most_ten_times(
    app: Flask, services: Services, api_factory: Any
) -> None:
    op = api_factory("op.a")
    created = op.create()
    op.attach_mandatory(created["id"])
    code = op.post(f"/api/v1/requests/{created['id']}/submit").get_json()["code"]
    counting = CountingLookups(services.status.records)
    services.status.records = counting  # type: ignore[assignment]

    def guess(i: int) -> int:
        answer = app.test_client().post("/cek", data={"code": code, "phone": f"{i:04d}"})
        return int(answer.status_code)

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(guess, range(50)))

    assert counting.checked <= 10
    assert statuses.count(404) == counting.checked
    assert statuses.count(429) == 50 - counting.checked
