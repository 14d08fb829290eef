"""bench/load.py at a tiny size: the morning peak produces its figures and per-key counts.

Nothing is judged but that every figure was measured, no call failed, and the DynamoDB
partitions the load touched were counted (the numbers are the capacity model's input).
"""

from __future__ import annotations

from pathlib import Path

from bench import load


def test_the_peak_runs_on_both_sets_and_counts_partition_keys(tmp_path: Path) -> None:
    figures = {f.key: f for f in load.run(tmp_path, desa=3, requests=1, scans=1, top=3)}

    for prefix in ("peak.local", "peak.aws"):
        assert figures[f"{prefix}.errors"].value == 0, figures[f"{prefix}.errors"].note
        assert "3 requests submitted" in figures[f"{prefix}.calls_per_s"].note
    for kind in load.KINDS:
        assert figures[f"peak.local.{kind}.p50"].value is not None
        assert figures[f"peak.local.{kind}.p99"].value is not None
    assert figures["peak.aws.wcu_per_request"].value
    assert figures["peak.aws.rcu_per_request"].value
    for kind in ("write", "read"):
        busiest = [figures[f"peak.aws.{kind}_key.{rank}"] for rank in (1, 2, 3)]
        shares = [f.value or 0.0 for f in busiest]
        assert shares == sorted(shares, reverse=True) and 0 < shares[0] <= 1
        assert "saturates at" in busiest[0].note
    # Writes reach the request indexes too, counted per index partition.
    assert any(
        key.startswith("peak.aws.index.") and key != "peak.aws.index.(table)" for key in figures
    )
