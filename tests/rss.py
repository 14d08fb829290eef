"""How much a block of code grows this process's resident memory at its peak (Linux).

`ru_maxrss` is a high-water mark over the whole process: after an earlier test
that used more, a later growth would not show. Writing "5" to
/proc/self/clear_refs resets the kernel's mark (VmHWM) to the current RSS, so
the peak seen afterwards belongs to the block alone. zlib's buffers, openpyxl's
trees and Pillow's pixels all count, which tracemalloc would not see.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STATUS = Path("/proc/self/status")


@dataclass
class Growth:
    mib: float = 0.0


def _status_kib(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


@contextmanager
def peak_growth() -> Iterator[Growth]:
    """`with peak_growth() as grown: ...`, then `grown.mib` is the peak RSS growth in MiB."""
    growth = Growth()
    if _reset_peak():
        before = _status_kib("VmRSS")
        yield growth
        growth.mib = (_status_kib("VmHWM") - before) / 1024
    else:  # no clear_refs: the process-wide mark, weaker but never a false failure
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        yield growth
        growth.mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
