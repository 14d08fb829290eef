"""Every code module under backend/bakso and pwa/src is a size a reader takes in at once.

Code is `.py`, `.ts` and `.tsx`; data files (JSON, CSV, CSS, templates) do not count.
A module longer than `MAX_LINES` is split by use case (issue #12, item 5).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = (ROOT / "backend" / "bakso", ROOT / "pwa" / "src")
CODE = frozenset({".py", ".ts", ".tsx"})
MAX_LINES = 400


def code_modules() -> list[Path]:
    return sorted(
        path
        for tree in TREES
        for path in tree.rglob("*")
        if path.is_file()
        and path.suffix in CODE
        and not {"node_modules", "__pycache__"} & set(path.parts)
    )


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_check_sees_both_trees() -> None:
    found = {path.relative_to(ROOT).as_posix() for path in code_modules()}
    assert "backend/bakso/bootstrap.py" in found
    assert "pwa/src/lib/db.ts" in found
    assert "pwa/src/app.tsx" in found
    assert not any(name.endswith((".json", ".csv", ".css")) for name in found)


def test_no_code_module_exceeds_the_limit() -> None:
    sizes = {path: line_count(path) for path in code_modules()}
    too_long = sorted(
        (lines, path.relative_to(ROOT).as_posix())
        for path, lines in sizes.items()
        if lines > MAX_LINES
    )
    assert not too_long, f"modules over {MAX_LINES} lines (split them by use case):\n" + "\n".join(
        f"  {name}: {lines}" for lines, name in reversed(too_long)
    )
