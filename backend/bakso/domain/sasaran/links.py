"""The requests started from a worklist row, one per document it lacks, and when it is served.

A row keeps, per document code, the request last linked for it ({"id",
"status", "version"}). A DITOLAK or DIBATALKAN request is no longer live:
another request for that document may then be started (and takes its place).
The row is served once every document it lacks has a request at SELESAI or
DISERAHKAN, and no longer when one of them is then cancelled.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..lifecycle import Status
from .rows import SasaranRow
from .vocabulary import DOCUMENTS

SERVED_STATUSES = frozenset({Status.SELESAI, Status.DISERAHKAN})
DEAD_STATUSES = frozenset({Status.DITOLAK, Status.DIBATALKAN})
UNKNOWN_DOCUMENT_KEY = "?"  # a link stored before links were per document (see rows.py)

_DOCUMENT_BY_SERVICE = {d.service: d.code for d in DOCUMENTS}


def document_for(service: str) -> str:
    """The document a service issues (its own code when it issues none of the worklist's)."""
    return _DOCUMENT_BY_SERVICE.get(service, service)


def is_live(status: str | None) -> bool:
    return status not in {s.value for s in DEAD_STATUSES}


def _issued(link: dict[str, Any] | None) -> bool:
    return link is not None and link.get("status") in {s.value for s in SERVED_STATUSES}


def all_issued(row: SasaranRow) -> bool:
    """Every document the row lacks has been issued by its linked request."""
    return bool(row.documents) and all(_issued(row.requests.get(d)) for d in row.documents)


def _key_of(row: SasaranRow, request_id: str, service: str | None) -> str:
    if service:
        return document_for(service)
    # A change queued before changes named their service: the key it is already under.
    for key, link in row.requests.items():
        if link.get("id") == request_id:
            return key
    return UNKNOWN_DOCUMENT_KEY


def link_request(
    row: SasaranRow,
    *,
    request_id: str,
    service: str | None,
    status: str,
    version: int,
    at: str,
) -> SasaranRow | None:
    """The row after a change of a request started from it; None when it changes nothing.

    A late (older) change of the linked request is ignored; so is another
    request for a document whose linked request is still live, unless the other
    one was issued and the linked one was not.
    """
    key = _key_of(row, request_id, service)
    requests = dict(row.requests)
    # A link migrated without its document is moved to the document it names now.
    legacy = requests.get(UNKNOWN_DOCUMENT_KEY)
    if key != UNKNOWN_DOCUMENT_KEY and legacy is not None and legacy.get("id") == request_id:
        del requests[UNKNOWN_DOCUMENT_KEY]
        requests.setdefault(key, legacy)
    current = requests.get(key)
    new = {"id": request_id, "status": status, "version": version}
    if current is not None and current.get("id") == request_id:
        if version < int(current.get("version", 0)):
            return None
    elif (
        current is not None
        and is_live(current.get("status"))
        and not (_issued(new) and not _issued(current))
    ):
        return None
    requests[key] = new
    after = replace(row, requests=requests)
    return with_served(after, at)


def with_served(row: SasaranRow, at: str) -> SasaranRow:
    """The row with its served mark following its links (kept while still served)."""
    if all_issued(row):
        return row if row.served_at else replace(row, served_at=at)
    return replace(row, served_at=None) if row.served_at else row
