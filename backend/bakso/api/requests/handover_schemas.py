"""The handover's bodies (request_handover.py): the move to DISERAHKAN with who received the
document, and the photo of the signed receipt, registered like a scan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...schemas import In, Multiline


class HandoverPhotoIn(In):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(gt=0)
    content_type: str = Field(max_length=100)


class HandoverIn(In):
    """Who received the issued document, and through whom (DESIGN §2 "Handover")."""

    received_by: str = Field(min_length=1, max_length=120)
    relation: Literal["PEMOHON", "KELUARGA"]
    # UPT: a card (KTP-el, KIA) the resident collected at Dukcapil/UPT kecamatan (cards only).
    via: Literal["LOKET", "KAWIL", "RT", "UPT"]
    via_name: str | None = Field(default=None, max_length=120)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")  # not before SELESAI
    photo_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")  # signed receipt
    # The desa printed the issued TTE PDF on A4: printable documents with the PDF only.
    printed: bool = False


class TransitionIn(In):
    to: str
    note: Multiline = Field(default="", max_length=2000)
    version: int = Field(ge=1)
    handover: HandoverIn | None = Field(default=None, description="required for DISERAHKAN")
