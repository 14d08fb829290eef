"""What retention needs of every adapter set: the due index, erasing notes, erasing blobs."""

from __future__ import annotations

import dataclasses
import io
from typing import TYPE_CHECKING

from bakso.domain.lifecycle import Status
from bakso.domain.retention import (
    ABANDONED_CLOCK,
    FINAL_CLOCK,
    UNCOLLECTED_CLOCK,
    erased,
)
from bakso.ports import Blobs, Records
from contract.test_records import DESA_A, DESA_B, created, make_request, moved

if TYPE_CHECKING:
    from conftest import AdapterSet


def final(records: Records, day: int, *, desa: str = DESA_A, note: str = "") -> str:
    """A request DISERAHKAN on January `day` (its final clock starts then)."""
    request = make_request(desa=desa, created_at=f"2026-01-{day:02d}T08:00:00.000+00:00")
    records.create_request(request, created(request))
    at = f"2026-01-{day:02d}T09:00:00.000+00:00"
    after, event = moved(request, Status.DISERAHKAN, at, note)
    records.save_request(after, request.version, event)
    return request.id


def due_ids(records: Records, clock: str, until: str, desa: str = DESA_A) -> list[str]:
    page = records.list_retention_due(desa=desa, clock=clock, until=until, cursor=None, limit=50)
    return [r.id for r in page.items]


def test_due_requests_of_a_desa_and_clock_oldest_first_up_to_the_cutoff(
    records: Records,
) -> None:
    third, first, second = final(records, 3), final(records, 1), final(records, 2)
    final(records, 1, desa=DESA_B)
    late = final(records, 9)

    until = "2026-01-03T09:00:00.000+00:00"  # the third's own moment counts as due
    assert due_ids(records, FINAL_CLOCK, until) == [first, second, third]
    assert late in due_ids(records, FINAL_CLOCK, "2026-02-01T00:00:00.000+00:00")
    assert due_ids(records, UNCOLLECTED_CLOCK, until) == []
    assert len(due_ids(records, FINAL_CLOCK, until, desa=DESA_B)) == 1


def test_due_pages_continue_from_their_cursor(records: Records) -> None:
    ids = [final(records, day) for day in range(1, 6)]
    seen: list[str] = []
    cursor = None
    while True:
        page = records.list_retention_due(
            desa=DESA_A, clock=FINAL_CLOCK, until="2026-02-01", cursor=cursor, limit=2
        )
        seen += [r.id for r in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == ids


def test_a_request_follows_its_clock_and_leaves_the_index_once_erased(
    records: Records,
) -> None:
    request = make_request(created_at="2026-01-05T08:00:00.000+00:00")
    records.create_request(request, created(request))
    until = "2026-03-01T00:00:00.000+00:00"
    assert due_ids(records, ABANDONED_CLOCK, until) == [request.id]  # a draft

    submitted, event = moved(request, Status.DIAJUKAN, "2026-01-06T08:00:00.000+00:00")
    records.save_request(submitted, request.version, event)
    assert due_ids(records, ABANDONED_CLOCK, until) == []  # Dukcapil's work: no clock

    done, event = moved(submitted, Status.SELESAI, "2026-01-07T08:00:00.000+00:00")
    records.save_request(done, submitted.version, event)
    assert due_ids(records, UNCOLLECTED_CLOCK, until) == [request.id]

    skeleton = dataclasses.replace(
        erased(done, "2026-02-01T00:00:00.000+00:00"), version=done.version + 1
    )
    records.save_request(skeleton, done.version, None)
    assert due_ids(records, UNCOLLECTED_CLOCK, until) == []
    stored = records.get_request(request.id)
    assert stored is not None and stored.applicant == {} and stored.token is None


def test_clearing_timeline_notes_keeps_statuses_and_times(records: Records) -> None:
    request_id = final(records, 4, note="Diterima oleh Siti Aminah (pemohon) melalui loket desa.")
    before = records.timeline(request_id)

    records.clear_timeline_notes(request_id)
    records.clear_timeline_notes(request_id)  # again: nothing more to do

    after = records.timeline(request_id)
    assert [dataclasses.replace(e, note="") for e in before] == after
    assert all(e.note == "" for e in after)


def test_erase_prefix_removes_every_blob_under_it_and_nothing_else(
    adapter_set: AdapterSet, blobs: Blobs
) -> None:
    kept = "scans/other-request/a"
    for key in ("scans/req-9/a", "scans/req-9/b", "scans/req-9/a", kept):
        blobs.put(key, io.BytesIO(b"\xff\xd8" + key.encode()), "image/jpeg")

    assert blobs.erase_prefix("scans/req-9/") == 2
    assert blobs.erase_prefix("scans/req-9/") == 0  # idempotent

    assert blobs.size("scans/req-9/a") is None and blobs.size("scans/req-9/b") is None
    assert blobs.size(kept) is not None
    if adapter_set.name == "aws":
        # Versioning keeps replaced and deleted objects: none of them may remain.
        client = blobs.client  # type: ignore[attr-defined]
        listed = client.list_object_versions(Bucket=blobs.bucket, Prefix="scans/req-9/")  # type: ignore[attr-defined]
        assert listed.get("Versions", []) == [] and listed.get("DeleteMarkers", []) == []


def test_a_resident_download_moves_the_request_to_the_final_clock(records: Records) -> None:
    """#18: the PIN's hash and the first download are stored, and saving the download
    re-indexes the request: it counts as collected (docs/resident-download.md)."""
    request = make_request(created_at="2026-01-05T08:00:00.000+00:00")
    records.create_request(request, created(request))
    submitted, event = moved(request, Status.DIAJUKAN, "2026-01-06T08:00:00.000+00:00")
    submitted = dataclasses.replace(submitted, pin_hash="ab" * 32)
    records.save_request(submitted, request.version, event)
    done, event = moved(submitted, Status.SELESAI, "2026-01-07T08:00:00.000+00:00")
    records.save_request(done, submitted.version, event)
    until = "2026-03-01T00:00:00.000+00:00"
    assert due_ids(records, UNCOLLECTED_CLOCK, until) == [request.id]

    at = "2026-01-08T08:00:00.000+00:00"
    downloaded = dataclasses.replace(done, downloaded_at=at, updated_at=at)
    records.save_request(downloaded, done.version, None)

    assert due_ids(records, UNCOLLECTED_CLOCK, until) == []
    assert due_ids(records, FINAL_CLOCK, until) == [request.id]
    assert due_ids(records, FINAL_CLOCK, "2026-01-07T23:00:00.000+00:00") == []
    stored = records.get_request(request.id)
    assert stored is not None
    assert (stored.pin_hash, stored.downloaded_at) == ("ab" * 32, at)
