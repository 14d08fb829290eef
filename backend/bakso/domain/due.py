"""Which records sit in the retention index, and at which position (bakso.ports.due).

Both adapter sets and the fakes index a record by what these return (None:
not indexed), so they agree on what the daily cleanup finds; the position is
`"<time>#<ref>"`, the time when the retention period starts counting.
"""

from __future__ import annotations

from . import paging
from .model import Batch, Scan
from .returns import RETURN_DONE, RETURN_FAILED, ReturnRun
from .sasaran import IMPORT_DONE, IMPORT_FAILED, ImportRun, SasaranRow, closed_at

FINISHED_RETURNS = frozenset({RETURN_DONE, RETURN_FAILED})
FINISHED_IMPORTS = frozenset({IMPORT_DONE, IMPORT_FAILED})


def due_position(time: str, ref: str) -> str:
    # "#" sorts below every character of an ISO time, so positions order like
    # (time, ref) and every position below a bare time `t` has a time below `t`.
    return f"{time}#{ref}"


def scan_position(scan: Scan) -> str | None:
    """A scan registered and never completed: its upload may have left bytes behind."""
    if scan.state != "pending":
        return None
    return due_position(scan.created_at, f"{scan.request_id}/{scan.id}")


def batch_position(batch: Batch) -> str | None:
    """A batch whose volumes are not yet deleted."""
    return None if batch.purged_at else due_position(batch.created_at, batch.id)


def return_position(run: ReturnRun) -> str | None:
    """A bulk return not finished: its uploaded CSV and zip may still be stored."""
    return None if run.status in FINISHED_RETURNS else due_position(run.created_at, run.id)


def import_position(run: ImportRun) -> str | None:
    """A sasaran import not finished: its file and chunk files may still be stored."""
    return None if run.status in FINISHED_IMPORTS else due_position(run.created_at, run.id)


def row_position(row: SasaranRow) -> str | None:
    """A closed row not yet purged."""
    closed = closed_at(row)
    return None if closed is None else due_position(closed, row.id)


def cursor_after(position: str) -> str:
    time, _, ref = position.partition("#")
    return paging.encode_position(time, ref)


def position_after(cursor: str) -> str:
    """The position a cursor continues after; InvalidInput(BAD_CURSOR) if it is not one."""
    return due_position(*paging.decode_position(cursor))
