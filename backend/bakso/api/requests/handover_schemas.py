"""The photo of the signed handover receipt, registered like a scan (request_handover.py)."""

from __future__ import annotations

from pydantic import Field

from ...schemas import In


class HandoverPhotoIn(In):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: str = Field(max_length=100)
