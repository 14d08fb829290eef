"""A request list can start at a moment: a cursor naming a time and no request (#15).

The service starts an age-filtered list at its cutoff (services/requests.py): a position
("<cutoff>", "") that no request holds, which every store must page from alike.
"""

from __future__ import annotations

from bakso.domain import paging
from bakso.domain.lifecycle import Status
from bakso.ports import Records
from contract.test_records import DESA_A, make_request, store


def test_a_cursor_at_a_moment_lists_what_was_created_before_it(records: Records) -> None:
    made = {
        day: store(
            records, make_request(status=Status.DIAJUKAN, created_at=f"2026-01-{day}T08:00:00Z")
        )
        for day in ("03", "05", "07", "09")
    }
    cursor = paging.encode_position("2026-01-07T08:00:00Z", "")

    for desa, status in [
        (None, None),
        (DESA_A, None),
        (None, Status.DIAJUKAN),
        (DESA_A, Status.DIAJUKAN),
    ]:
        page = records.list_requests(
            kabupaten="52.03", desa=desa, status=status, cursor=cursor, limit=10
        )

        assert [r.id for r in page.items] == [made["05"].id, made["03"].id], (desa, status)
