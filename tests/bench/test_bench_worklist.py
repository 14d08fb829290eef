"""bench/worklist.py at a tiny size: the delta figure is measured against a real server
child, so `make bench` cannot rot. Values are not judged here (no timing), only that the
sync took the delta path and its bytes were counted beside the full download."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import worklist

pytestmark = pytest.mark.e2e  # a server child, like the other bench smoke tests


def test_the_worklist_delta_is_measured_beside_the_full_download(tmp_path: Path) -> None:
    (figure,) = worklist.run(tmp_path, rows=30)

    assert figure.key == "worklist.delta" and figure.budget == 5
    assert figure.value is not None, figure.note
    assert figure.baseline is not None and figure.baseline > figure.value
    assert "(1 row)" in figure.note and "30 rows" in figure.note
