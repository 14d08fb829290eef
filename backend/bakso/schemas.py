"""The shapes of the HTTP contract (DESIGN §4.1).

The same models validate incoming JSON and generate /api/openapi.json, so
the document cannot drift from what the server accepts. Strict mode: a number
sent as a string is an error, not a guess.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from .domain.text import CONTROL_MESSAGE, has_control


class Out(BaseModel):
    """Base of response models: they document responses and check what we send."""

    model_config = ConfigDict(defer_build=True)


# Marks a text field that may hold tab and line breaks (a note): `notes: Multiline = ...`.
MULTILINE = "multiline"
Multiline = Annotated[str, MULTILINE]


class TextChecked(BaseModel):
    """Refuses control characters in every text field (domain/text.py says why)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str) and value:
            field = cls.model_fields.get(info.field_name or "")
            multiline = field is not None and MULTILINE in field.metadata
            if has_control(value, multiline=multiline):
                raise PydanticCustomError("control_character", CONTROL_MESSAGE)
        return value


class _In(TextChecked):
    # defer_build: validators are built on first use, not at import (Lambda cold start).
    model_config = ConfigDict(
        extra="forbid", strict=True, str_strip_whitespace=True, defer_build=True
    )


In = _In  # the base of every request body (api/*/schemas.py, api/users)


class ApplicantIn(_In):
    nik: str = Field(min_length=1, max_length=32, description="16 digits; separators allowed")
    name: str = Field(min_length=1, max_length=120)
    kk: str | None = Field(default=None, max_length=32)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 \-]{6,19}$")
    address: str | None = Field(default=None, max_length=300)
    notify: bool = Field(
        default=False,
        description="the applicant consents to messages about this request (#18); needs an"
        " Indonesian mobile number in `phone` (docs/notifications.md)",
    )


class SubjectIn(_In):
    """Whom the document is for, when not the applicant (a newborn, the deceased...)."""

    name: str = Field(min_length=1, max_length=120)
    nik: str | None = Field(default=None, max_length=32)
    birth_date: dt.date | None = None
    birth_place: str | None = Field(default=None, max_length=120)
    sex: Literal["L", "P"] | None = None


class DraftIn(_In):
    service: str = Field(min_length=1, max_length=40)
    desa: str = Field(
        min_length=1, max_length=20, description="Kemendagri code, e.g. 52.03.01.2001"
    )
    applicant: ApplicantIn
    subject: SubjectIn | None = None
    notes: Multiline = Field(default="", max_length=2000)
    version: int = Field(default=0, ge=0, description="the version the client last saw; 0 = new")
    sasaran_id: str | None = Field(
        default=None, max_length=64, description="the worklist row this request serves"
    )
    jemput_bola: bool = Field(default=False, description="taken at the resident's home")
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="the service form's values, {section: {field: value}} (docs/forms.md)",
    )


class ScanIn(_In):
    requirement: str = Field(min_length=1, max_length=60)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: str = Field(max_length=100)
    replaces: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$")  # a page sent back
    # Kept despite the PWA's photo check (domain/scan_quality.py); part of a replay.
    quality: list[Literal["dark", "blurred", "small"]] = Field(default_factory=list, max_length=3)


class IssuedIn(_In):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: Literal["application/pdf"]


class RequirementOut(Out):
    code: str
    label: str
    required: bool
    one_of: str | None


class ServiceOut(Out):
    code: str
    label: str
    label_en: str
    referral: str | None
    requirements: list[RequirementOut]


class CatalogOut(Out):
    services: list[ServiceOut]
    # The configured notifier's channel ("SMS", "WhatsApp"); null when NOTIFIER is "none".
    notify_channel: str | None = None


class RegionOut(Out):
    code: str
    name: str
    level: str
    parent: str


class RegionsOut(Out):
    kabupaten: RegionOut
    kecamatan: list[RegionOut]
    desa: list[RegionOut]


class ScanOut(Out):
    id: str
    requirement: str
    sha256: str
    size: int
    content_type: str
    state: Literal["pending", "ok"]
    created_at: str = ""
    replaces: str | None = None  # the scan this photo replaced; it sorts at placed_at
    placed_at: str = ""
    submission: int = 0  # the submission it first went out with
    quality: list[Literal["dark", "blurred", "small"]] = []  # flags kept despite the photo check


class RequirementStateOut(Out):
    code: str
    label: str
    required: bool
    one_of: str | None
    satisfied: bool


class TimelineOut(Out):
    status: str
    label: str
    at: str
    by: str
    note: str
    # "request.transition" for a move; another action is a note on the status, e.g.
    # "issued.download.resident" (docs/resident-download.md).
    action: str = "request.transition"


class WarningOut(Out):
    code: str
    message: str


class RequestOut(Out):
    id: str
    code: str
    status: str
    status_label: str
    version: int
    service: str
    desa: str
    applicant: dict[str, object]
    subject: dict[str, object] | None
    notes: str
    created_at: str
    updated_at: str
    status_since: str | None = Field(default=None, description="when it entered its status")
    ready: bool
    verify_problem: str | None
    warnings: list[WarningOut]
    token: str | None
    batch_id: str | None = None
    issued: dict[str, object] | None = None
    handover: dict[str, object] | None = None
    downloaded_at: str | None = Field(
        default=None, description="the resident's first download of the issued document"
    )
    purged_at: str | None = Field(
        default=None, description="set once the personal data was erased (docs/retention.md)"
    )
    purge_due: str | None = Field(
        default=None, description="when the personal data will be erased, if a clock runs"
    )
    purge_warning: bool = Field(
        default=False, description="an untouched draft the system will cancel and delete soon"
    )
    sasaran_id: str | None = None
    jemput_bola: bool = False
    fields: dict[str, object] = Field(default_factory=dict)  # {} once erased
    submission: int = 0  # times submitted
    scans: list[ScanOut] | None = None
    requirements: list[RequirementStateOut] | None = None
    timeline: list[TimelineOut] | None = None


class RequestPageOut(Out):
    items: list[RequestOut]
    cursor: str | None


class UploadOut(Out):
    method: Literal["PUT", "POST"]
    url: str
    headers: dict[str, str]
    fields: dict[str, str]


class ScanRegisteredOut(Out):
    scan_id: str
    state: Literal["pending", "ok"]
    upload: UploadOut | None = Field(description="null when the scan is already stored and checked")


class ScanCompletedOut(Out):
    status: Literal["ok"]
    scan: ScanOut


class HealthOut(Out):
    status: str
    adapters: str


class ResidentStepOut(Out):
    status: str
    label: str
    at: str


class ResidentStatusOut(Out):
    code: str
    service: str
    service_label: str
    desa: str
    desa_name: str
    name_masked: str
    status: str
    status_label: str
    headline: str
    next_step: str
    timeline: list[ResidentStepOut]
    free_notice: str


class BatchIn(_In):
    kecamatan: str | None = None
    desa: str | None = None
    service: str | None = None


class VolumeOut(Out):
    n: int
    count: int
    size: int
    sha256: str | None
    status: Literal["PENDING", "READY"]
    downloaded_at: str | None
    downloads: int


class ExcludedOut(Out):
    id: str
    code: str
    reason: str
    volume: int | None = None


class BatchOut(Out):
    id: str
    status: Literal["BUILDING", "READY", "FAILED"]
    phase: str
    count: int
    claimed: int
    volumes: list[VolumeOut]
    excluded: list[ExcludedOut]
    rebuild_of: str | None
    progress_at: str | None
    created_at: str
    created_by: str
    filters: dict[str, str | None]
    size: int | None
    sha256: str | None
    error: str | None
    downloaded_at: str | None
    downloads: int


class BatchPageOut(Out):
    items: list[BatchOut]
    cursor: str | None


# Bulk return (api/returns): the upload protocol, then the worker's per-row report.
class ReturnFileIn(_In):
    filename: str = Field(min_length=1, max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: str = Field(max_length=100)


class ReturnIn(_In):
    id: uuid.UUID | None = Field(
        default=None, description="made by the client, so a repeated call is recognised"
    )
    table: ReturnFileIn = Field(description="the CSV: kode, status, catatan")
    pdfs: ReturnFileIn | None = Field(
        default=None, description="a zip of issued PDFs named <kode>.pdf, or null"
    )


class ReturnCountsOut(Out):
    applied: int
    unchanged: int
    refused: int


class ReturnFileOut(Out):
    filename: str
    size: int


class ReturnOut(Out):
    id: str
    status: Literal["WAITING_UPLOAD", "QUEUED", "RUNNING", "DONE", "FAILED"]
    counts: ReturnCountsOut
    rows_total: int = Field(description="CSV rows plus PDFs no row names; 0 until RUNNING")
    rows_done: int
    table: ReturnFileOut
    pdfs: ReturnFileOut | None
    created_at: str
    created_by: str
    started_at: str | None
    finished_at: str | None
    error: str | None = Field(description="why a FAILED return could not be read")


class ReturnUploadsOut(Out):
    table: UploadOut | None = Field(description="null once the return has started")
    pdfs: UploadOut | None


class ReturnCreatedOut(ReturnOut):
    uploads: ReturnUploadsOut


class ReturnRowOut(Out):
    row: int = Field(description="the CSV line (the header is line 1); 0 for a PDF without a row")
    code: str
    outcome: Literal["applied", "unchanged", "refused"]
    detail: str


class ReturnRowsOut(Out):
    items: list[ReturnRowOut]
    next_after: int | None = Field(description="pass as ?after= for the next page; null: the end")
