"""known_fields: a record written by a newer version is read, its unknown fields dropped.

The stores' side is tests/contract/test_records_newer_fields.py; this covers the
helper and the one record kept in a blob rather than a store (the judged lines
of a sasaran import, written by one worker step and read by the next, which may
run the other version during a deploy).
"""

from __future__ import annotations

import pytest

from bakso.domain.fields import known_fields
from bakso.domain.model import Batch, Volume
from bakso.domain.sasaran import JudgedLine, LineFields


def test_unknown_keys_are_dropped_and_known_ones_kept() -> None:
    data = {"n": 1, "first": "a", "last": "b", "count": 2, "size": 3, "later": True}

    assert known_fields(Volume, data) == {"n": 1, "first": "a", "last": "b", "count": 2, "size": 3}
    assert Volume(**known_fields(Volume, data)) == Volume(1, "a", "b", 2, 3)


def test_only_dataclasses_have_fields_to_know() -> None:
    with pytest.raises(TypeError):
        known_fields(dict, {"a": 1})


def test_a_batch_with_newer_fields_in_it_and_its_volumes_reads() -> None:
    batch = Batch("b1", "ana", "2026-01-06T10:00:00Z", {}, volumes=[Volume(1, "a", "b", 2, 3)])
    record = batch.to_record()
    record["later"] = {"x": 1}
    record["volumes"][0]["later"] = 1

    assert Batch.from_record(record) == batch


def test_a_judged_line_with_newer_fields_reads() -> None:
    fields = LineFields("52.03.01.2001", "Warga", "Dusun", ["KK"], None, None, "", "k")
    judged = JudgedLine(2, fields)
    record = judged.to_record()
    record["later"] = 1
    record["fields"]["later"] = 1

    assert JudgedLine.from_record(record) == judged
