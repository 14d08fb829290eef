"""Service-level unit tests: the use cases wired as bootstrap wires them, on tests/fakes.py.

No SQLite, no HTTP, no moto: each test builds its services on fresh fakes in a
few milliseconds, and the worker's messages are drained from the fake queue.
"""

from __future__ import annotations

import fpdf  # noqa: F401 - berkas.pdf imports these on first use: paid at collection
import pypdf  # noqa: F401
import pytest
from PIL import Image  # noqa: F401

from fakes import FakeSet, build_services


@pytest.fixture
def fakes() -> FakeSet:
    return build_services(BATCH_VOLUME_REQUESTS=2, BATCH_STEP_REQUESTS=2, RETURN_CHUNK_ROWS=2)
