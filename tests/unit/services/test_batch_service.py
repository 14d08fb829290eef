"""A Dukcapil batch built by the worker's steps on the fakes: volumes, a broken request left out."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.model import BATCH_READY, VOLUME_READY
from bakso.services.batches import BatchFilters
from bakso.workers.handlers import drain_until_idle
from fakes import FakeSet
from seeding import seed_requests
from unit.services.support import DUKCAPIL


def test_a_batch_is_built_in_volumes_and_a_request_with_a_lost_scan_goes_back(
    fakes: FakeSet,
) -> None:
    broken, *fine = seed_requests(fakes.services, 5, scans=1, scan_bytes=1_000, berkas_bytes=1_000)
    (scan,) = fakes.records.list_scans(broken.id)
    fakes.blobs.delete(scan.key)

    created = fakes.services.batches.create(DUKCAPIL, BatchFilters())
    drain_until_idle(fakes.services)

    batch = fakes.records.get_batch(created.id)
    assert batch is not None and batch.status == BATCH_READY
    assert batch.count == 4
    # Planned 2 + 2 + 1; the broken one is found while packing volume 1 and left out.
    assert [(v.n, v.count, v.status) for v in batch.volumes] == [
        (1, 1, VOLUME_READY),
        (2, 2, VOLUME_READY),
        (3, 1, VOLUME_READY),
    ]
    assert [e["code"] for e in batch.excluded] == [broken.code]
    packed = []
    for volume in batch.volumes:
        assert volume.key is not None
        data = b"".join(fakes.blobs.iter_chunks(volume.key))
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
        packed += [r["code"] for r in manifest["requests"]]
    assert sorted(packed) == sorted(r.code for r in fine)
    assert all(fakes.records.get_request(r.id).batch_id == batch.id for r in fine)  # type: ignore[union-attr]
    back = fakes.records.get_request(broken.id)
    assert back is not None and back.status is Status.PERLU_PERBAIKAN
    assert fakes.records.timeline(broken.id)[-1].by == "sistem"
    assert fakes.queue.pending() == []


def test_a_second_batch_with_nothing_left_to_take_is_refused_not_made_empty(
    fakes: FakeSet,
) -> None:
    seed_requests(fakes.services, 2, scans=1, scan_bytes=500, berkas_bytes=500)
    first = fakes.services.batches.create(DUKCAPIL, BatchFilters())
    drain_until_idle(fakes.services)

    with pytest.raises(Conflict, match="Belum ada permohonan siap"):
        fakes.services.batches.create(DUKCAPIL, BatchFilters())

    assert fakes.records.get_batch(first.id).count == 2  # type: ignore[union-attr]
    batches, _ = fakes.records.list_batches(kabupaten="52.03", cursor=None, limit=10)
    assert [b.id for b in batches] == [first.id]
    assert fakes.queue.pending() == []


def test_a_batch_whose_filters_match_no_ready_request_is_refused(fakes: FakeSet) -> None:
    (waiting,) = seed_requests(fakes.services, 1, scans=1, scan_bytes=500, berkas_bytes=500)
    # Another desa, and a service nobody asked for: nothing to take.
    with pytest.raises(Conflict, match="Belum ada permohonan siap"):
        fakes.services.batches.create(DUKCAPIL, BatchFilters(desa="52.03.01.2002"))
    with pytest.raises(Conflict, match="Belum ada permohonan siap"):
        fakes.services.batches.create(DUKCAPIL, BatchFilters(service="KK_BARU"))
    # Submitted but not yet checked by the worker: not ready either.
    unchecked = dataclasses.replace(waiting, ready_submission=0, version=waiting.version + 1)
    fakes.records.save_request(unchecked, waiting.version, None)
    with pytest.raises(Conflict, match="Belum ada permohonan siap"):
        fakes.services.batches.create(DUKCAPIL, BatchFilters())
    assert fakes.records.list_batches(kabupaten="52.03", cursor=None, limit=10) == ([], None)
