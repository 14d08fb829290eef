"""bench/lists.py at tiny sizes: every list path gets its figure, so `make bench` cannot rot.

The values are not judged (no timing here), only that each path was measured through the
API beside its baseline and budget.
"""

from __future__ import annotations

from pathlib import Path

from bench import lists


def test_every_list_path_is_measured_at_both_sizes(tmp_path: Path) -> None:
    figures = lists.run(tmp_path, small=50, large=500, calls=1, runs=1)

    assert [f.key for f in figures] == [f"lists.{path.key}" for path in lists.PATHS]
    for figure in figures:
        assert figure.value is not None and figure.value > 0, figure
        assert figure.budget == 1.5 and figure.baseline is not None, figure
        assert figure.section == lists.SECTION
        assert "at 50" in figure.note and "at 500" in figure.note, figure.note
