"""The capacity model's arithmetic (bench/capacity.py, docs/capacity.md): the conclusions
the document draws must follow from its assumptions."""

from __future__ import annotations

from bench.capacity import SCALES, Assumptions, markdown, peak_requests_per_second


def test_the_national_peak_outgrows_one_audit_chain_but_not_one_per_kabupaten() -> None:
    a = Assumptions()
    national = next(s for s in SCALES if s.name == "Indonesia")
    appends = peak_requests_per_second(national, a) * a.audit_head_writes
    assert appends > a.chain_appends_per_second
    assert appends / national.kabupaten < a.chain_appends_per_second / 100


def test_one_kabupaten_is_far_below_every_partition_limit() -> None:
    a = Assumptions()
    lotim = SCALES[0]
    rps = peak_requests_per_second(lotim, a)
    assert rps * a.dynamo_writes < a.partition_wcu / 100
    assert markdown(a).count("\n") == len(SCALES) + 1  # header, rule, one row per scale
