"""The bulk return port (bakso.services.returns): runs, their line results, chunk counts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol

from ..domain.returns import ReturnLine, ReturnRun
from .due import DuePage

RETURN_LINES_PER_WRITE = 100  # a DynamoDB transaction holds 100 items


class ReturnStore(Protocol):
    """Bulk return runs (bakso.services.returns), their line results and chunk counts."""

    @abstractmethod
    def create_return(self, run: ReturnRun) -> bool:
        """Insert if no return run has this id; False if one does."""

    @abstractmethod
    def save_return(self, run: ReturnRun) -> None:
        """Replace the run record; saving a run that does not exist changes nothing."""

    @abstractmethod
    def get_return(self, return_id: str) -> ReturnRun | None: ...

    @abstractmethod
    def add_return_lines(self, return_id: str, lines: Sequence[ReturnLine]) -> None:
        """Store each line's result unless one is stored for its seq (the first stays).

        At most RETURN_LINES_PER_WRITE lines: one write (a transaction) for all.
        """

    @abstractmethod
    def return_lines(self, return_id: str, *, after: int, limit: int) -> list[ReturnLine]:
        """Stored results in seq order, starting after `after`."""

    @abstractmethod
    def record_return_chunk(self, return_id: str, chunk: int, counts: Mapping[str, int]) -> None:
        """Set (not add) an applied chunk's outcome counts: safe to repeat."""

    @abstractmethod
    def return_chunk_counts(self, return_id: str) -> dict[int, dict[str, int]]: ...

    @abstractmethod
    def unfinished_returns(
        self, *, before: str, cursor: str | None, limit: int
    ) -> DuePage[ReturnRun]:
        """Runs neither DONE nor FAILED (their uploads may be stored) created before
        `before`, oldest first (ports.due)."""
