"""Sasaran: importing Dukcapil's list, the desa worklist, follow-ups, and serving a row.

One class per use case, joined here into the one service bootstrap builds:

- sasaran_imports.py: registering an upload, the worker's parse and chunks;
- sasaran_import_reads.py: a run, the kabupaten's list of runs, the per-line report;
- sasaran_worklist.py: a desa's worklist and its follow-ups;
- sasaran_requests.py: requests started from a row (the RequestObserver the
  request and batch services tell of every stored change);
- sasaran_core.py: the constructor, settings and helpers they share.
"""

from __future__ import annotations

from .sasaran_core import SasaranSettings
from .sasaran_import_reads import ImportSummary
from .sasaran_imports import SasaranImports
from .sasaran_requests import RequestObserver, SasaranRequestLinks
from .sasaran_worklist import SasaranWorklist

__all__ = ["ImportSummary", "RequestObserver", "SasaranService", "SasaranSettings"]


class SasaranService(SasaranImports, SasaranWorklist, SasaranRequestLinks):
    """Every sasaran use case over one store: SasaranCore's constructor."""
