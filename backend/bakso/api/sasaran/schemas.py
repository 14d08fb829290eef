"""Shapes of the sasaran API: the import, the worklist and follow-ups (same rules as schemas.py)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from ...schemas import In, Multiline, Out, UploadOut


class _In(In):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class ImportIn(_In):
    id: uuid.UUID | None = Field(
        default=None, description="made by the client so a repeated call is recognised"
    )
    filename: str = Field(min_length=1, max_length=200, description="ends in .csv or .xlsx")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: str = Field(max_length=100)


class ImportOut(Out):
    id: str
    status: Literal["UPLOADING", "QUEUED", "RUNNING", "DONE", "FAILED"]
    filename: str
    kind: Literal["csv", "xlsx"]
    size: int
    created_at: str
    created_by: str
    lines_total: int
    lines_done: int
    counts: dict[str, int] = Field(description="accepted, updated, unchanged, refused")
    ignored_columns: list[str]
    error: str | None
    finished_at: str | None


class ImportStartOut(Out):
    model_config = ConfigDict(populate_by_name=True)

    import_: ImportOut = Field(alias="import")
    upload: UploadOut | None = Field(description="null once the file is uploaded")


class ImportListOut(Out):
    items: list[ImportOut]


class ImportRowOut(Out):
    line: int = Field(description="as the spreadsheet numbers it; the header is line 1")
    outcome: Literal["accepted", "updated", "unchanged", "refused"]
    reason: str | None = Field(description="UNKNOWN_DESA, BAD_NIK, DUPLICATE, ...")
    message: str
    sasaran_id: str | None


class ImportRowsOut(Out):
    items: list[ImportRowOut]
    next_after: int | None = Field(description="pass as ?after= for the next page")


class DocumentOut(Out):
    code: str
    label: str
    service: str


class CodeLabelOut(Out):
    code: str
    label: str


class ColumnOut(Out):
    name: str
    required: bool
    description: str


class VocabularyOut(Out):
    columns: list[ColumnOut]
    documents: list[DocumentOut]
    categories: list[CodeLabelOut]
    outcomes: list[CodeLabelOut]


class FollowupOut(Out):
    id: str
    outcome: str
    label: str
    note: str
    at: str
    by: str


class LinkedRequestOut(Out):
    document: str = Field(description='the document it issues; "?" for a link kept from before')
    id: str
    status: str | None
    live: bool = Field(description="false once DITOLAK or DIBATALKAN: another may be started")


class TombstoneOut(Out):
    id: str = Field(description="the row that left the desa's worklist")
    revision: int = Field(description="the desa's revision at which it left")
    removed: Literal[True] = True


class SasaranOut(Out):
    id: str
    desa: str
    desa_name: str
    name: str
    nik: str | None
    address: str
    documents: list[DocumentOut]
    category: str | None
    category_label: str | None
    note: str
    followup: FollowupOut | None
    followup_count: int
    requests: list[LinkedRequestOut] = Field(description="one per document, the latest linked")
    served: bool
    served_at: str | None
    version: int
    updated_at: str
    sort_key: str = Field(
        description="the worklist order (rentan first, then by name): a device that applies"
        " changes to its copy sorts by it"
    )
    followups: list[FollowupOut] | None = None


class SasaranPageOut(Out):
    desa: str
    revision: int = Field(
        description="the desa's revision before this page was read; it grows with every"
        " change to the desa's rows (also the ETag of a whole-list answer). A device keeps"
        " the revision of the first page of a download and sends it as ?since= next time"
    )
    full: bool = Field(
        default=True,
        description="true: `items` is a page of the whole list, in worklist order (no"
        " ?since=, or a ?since= the server cannot answer by change: older than the"
        " tombstones it keeps, SASARAN_TOMBSTONE_DAYS, or above the desa's revision); the"
        " device replaces its copy and continues with ?cursor= and no ?since=. false:"
        " `items` are the rows changed after ?since= and `removed` the rows that left the"
        " list after it, in revision order; continue with the same ?since= and ?cursor=",
    )
    items: list[SasaranOut]
    removed: list[TombstoneOut] = Field(
        default_factory=list,
        description="rows withdrawn by Dukcapil, purged by retention or moved to another"
        " desa after ?since=: the device deletes them from its copy (empty when full)",
    )
    cursor: str | None


class FollowupIn(_In):
    id: uuid.UUID = Field(
        description="made by the device; a replay with the same id is stored once"
    )
    outcome: Literal["DITEMUKAN", "SUDAH_PUNYA", "PINDAH", "MENINGGAL", "TIDAK_DITEMUKAN"]
    note: Multiline = Field(default="", max_length=500)
    at: AwareDatetime | None = Field(
        default=None, description="when it was recorded on the device; default: now"
    )


class FollowupResultOut(Out):
    created: bool = Field(description="false when this follow-up id was already stored")
    followup: FollowupOut
    sasaran: SasaranOut
