"""Sasaran on the fakes: a follow-up updates the row and the counters of its desa and above."""

from __future__ import annotations

import uuid

from bakso.domain.sasaran import SasaranRow, row_deltas
from bakso.ports import RowWrite
from fakes import FakeSet
from unit.services.support import DESA_A, DUKCAPIL, OPERATOR


def worklist_row(fakes: FakeSet) -> SasaranRow:
    row = SasaranRow(
        id=str(uuid.uuid4()),
        desa=DESA_A,
        name="Baiq Nur",
        address="Dusun Timur",
        documents=["KTP_EL"],
        nik="5203015708900001",
        category=None,
        name_key="baiq nur|dusun timur",
        created_at="2026-01-01T00:00:00.000+00:00",
    )
    fakes.sasaran.save_row(RowWrite(row, 0, row_deltas(None, row)))
    return row


def test_a_followup_updates_the_row_and_the_counters_once(fakes: FakeSet) -> None:
    row = worklist_row(fakes)
    sasaran = fakes.services.sasaran
    followup_id = str(uuid.uuid4())

    after, followup, created = sasaran.record_followup(
        OPERATOR, row.id, followup_id=followup_id, outcome="DITEMUKAN", note=" ada ", at=None
    )
    _, _, again = sasaran.record_followup(
        OPERATOR, row.id, followup_id=followup_id, outcome="DITEMUKAN", note="ada", at=None
    )

    assert created and not again
    assert after.version == row.version + 1 and followup.note == "ada"
    assert fakes.sasaran.list_followups(row.id) == [followup]
    for level, code in (("desa", DESA_A), ("kecamatan", "52.03.01"), ("kabupaten", "52.03")):
        counters = fakes.sasaran.counters(level, code)
        assert (counters["target"], counters["followed_up"]) == (1, 1)
    assert (
        fakes.records.audit_search(
            target=row.id, actor=None, since=None, until=None, before_seq=None, limit=5
        )[0].action
        == "sasaran.followup"
    )
    figures = fakes.services.coverage.coverage(
        DUKCAPIL, level="desa", kecamatan="52.03.01", desa=None
    )
    (desa,) = [item for item in figures["items"] if item["target"]]
    assert (desa["code"], desa["target"], desa["followed_up"]) == (DESA_A, 1, 1)
    assert desa["followups"]["DITEMUKAN"] == 1
