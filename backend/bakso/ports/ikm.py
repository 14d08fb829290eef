"""The IKM survey's store (docs/ikm.md): one answer per request, and per (desa, month)
the respondents and each element's sum, written in the same transaction as the answer.

Every figure is read from those desa-month tallies: one Query per kabupaten-month on
DynamoDB (`PK = IKM#<kabupaten>#<yyyy-mm>`), never a Scan and never the answers. The
comments ("saran") are read the same way, a page at a time, newest first, from their own
kabupaten-month list, which holds the desa and the time but never the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.ikm import Tally


@dataclass(frozen=True)
class IkmAnswer:
    request_id: str
    desa: str
    month: str  # yyyy-mm in the kabupaten's zone, when it was answered
    scores: tuple[int, ...]  # U1..U9, each 1-4
    comment: str  # "" for none; erased with the request (retention)
    at: str  # ISO UTC
    day: str  # yyyy-mm-dd in the kabupaten's zone: all a comment says of its time


@dataclass(frozen=True)
class IkmComment:
    """A comment as Dukcapil reads it: where and when, never which request."""

    desa: str
    day: str  # yyyy-mm-dd in the kabupaten's zone (never the time: it could point at one)
    text: str


@dataclass(frozen=True)
class CommentPage:
    items: list[IkmComment]
    next: str | None  # the store's cursor for the following page; None: no more


class AlreadyAnswered(Exception):
    """The request has an answer already: nothing was written."""


class IkmStore(Protocol):
    def add_answer(self, answer: IkmAnswer) -> None:
        """Store the answer and add it to its desa-month tally, atomically; AlreadyAnswered
        (nothing written) when the request has one."""
        ...

    def answered(self, request_id: str) -> bool: ...

    def comment(self, request_id: str) -> str | None:
        """The answer's comment (None: no answer); for retention's check and tests."""
        ...

    def tallies(self, kabupaten: str, month: str) -> dict[str, Tally]:
        """Every desa of the kabupaten with answers in `month`: desa code → tally."""
        ...

    def comments(
        self, kabupaten: str, month: str, *, limit: int, after: str | None = None
    ) -> CommentPage:
        """The non-empty comments of the kabupaten's `month`, newest day first, at most
        `limit`, continuing after the cursor a previous page returned (a cursor holds
        neither the request nor a time; another string: ValueError)."""
        ...

    def erase_comment(self, request_id: str) -> None:
        """Drop the answer's comment from the answer and from the month's list (the
        scores stay counted); no answer: nothing."""
        ...

    def compact(self) -> None:
        """After erasures: leave no erased comment in a file's free pages or WAL."""
        ...
