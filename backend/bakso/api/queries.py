"""The query strings of the API, validated like bodies (`common.query(Model)`).

Query values arrive as text, so these models are lax where bodies are strict ("20" is
the number 20) but otherwise alike: unknown parameters are refused, control characters
too, and a bad value is a 422 problem naming the parameter. Page sizes above a
service's maximum are clamped by the service; below 1 they are refused here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from ..schemas import TextChecked


class Query(TextChecked):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


Cursor = Annotated[str, Field(max_length=1000, pattern=r"^[A-Za-z0-9_=-]+$")]
RegionCode = Annotated[str, Field(max_length=20, pattern=r"^[0-9]{2}(\.[0-9]{2,4}){0,3}$")]
KabupatenCode = Annotated[str, Field(max_length=5, pattern=r"^[0-9]{2}\.[0-9]{2}$")]
Word = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9_]+$")]
# "2026-01-31" or an ISO timestamp; compared as text with the entries' times. A "+" of an
# offset that was not percent-encoded arrives as a space.
Moment = Annotated[str, Field(max_length=40, pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+ Z-]*)?$")]


# Sequence numbers are stored as SQLite INTEGER / DynamoDB numbers: beyond this is no row.
SEQ_MAX = 2**63 - 1


def limit(default: int) -> Any:
    return Field(default=default, ge=1, description="page size; the service clamps the top")


class RequestListQuery(Query):
    status: Word | None = None
    desa: RegionCode | None = None
    kecamatan: RegionCode | None = None
    service: Word | None = None
    older_than_days: int | None = Field(default=None, ge=0, le=36500)
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        description="a request code or a 16-digit NIK (exact), else a name (word prefix)",
    )
    cursor: Cursor | None = None
    limit: int = limit(50)


class RequestCountsQuery(Query):
    desa: RegionCode | None = None
    kecamatan: RegionCode | None = None
    service: Word | None = None


class ReceiptQuery(Query):
    layout: Literal["a4", "thermal"] = "a4"


class BatchListQuery(Query):
    cursor: Cursor | None = None
    limit: int = limit(50)


class VolumeQuery(Query):
    volume: int = Field(default=1, ge=1, le=100_000)


class AuditQuery(Query):
    request: str | None = Field(default=None, max_length=100, description="the entry's target")
    user: str | None = Field(default=None, max_length=64)
    from_: Moment | None = Field(default=None, alias="from")
    to: Moment | None = None
    before: int | None = Field(
        default=None, ge=1, le=SEQ_MAX, description="the seq to page back from"
    )
    limit: int = limit(100)


class RowsQuery(Query):
    """A per-line report (bulk return, sasaran import), paged by line number."""

    after: int = Field(default=0, ge=0, le=SEQ_MAX)
    limit: int = limit(200)


class ImportListQuery(Query):
    limit: int = limit(20)


class WorklistQuery(Query):
    desa: RegionCode | None = None
    since: int | None = Field(
        default=None,
        ge=0,
        le=SEQ_MAX,
        description="the revision the device holds: only rows changed after it, and"
        " tombstones of rows removed after it (absent: the whole list)",
    )
    cursor: Cursor | None = None
    limit: int = limit(200)


class CoverageQuery(Query):
    level: Literal["kabupaten", "kecamatan", "desa"] | None = None
    kabupaten: KabupatenCode | None = None  # the province role's choice; officers: own only
    kecamatan: RegionCode | None = None
    desa: RegionCode | None = None
