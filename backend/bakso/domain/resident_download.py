"""The resident's own copy of the issued document (#18, docs/resident-download.md). Pure rules:
when the status page offers the download, what the timeline calls it, and what the
resident is told they will receive."""

from __future__ import annotations

import re
from typing import Any

from .lifecycle import LABELS, Status
from .model import Event, Request
from .notifications import NOTIFIED_STATUSES, channel_name

# The timeline entry of a resident's download: a note on SELESAI (from and to SELESAI),
# not a move. Its audit entry is the event's, on the request's kabupaten chain.
DOWNLOAD_ACTION = "issued.download.resident"
RESIDENT_ACTOR = "warga"
# Timeline entries that record something other than a move, and what they are called.
EVENT_LABELS = {DOWNLOAD_ACTION: "Diunduh warga"}

# What the status page offers.
OFFER_FORM = "form"  # the PIN form
OFFER_PURGED = "purged"  # the file was deleted by retention: no form
OFFER_CARD = "card"  # KTP-el, KIA: collected at Dukcapil/UPT
OFFER_NO_PIN = "no_pin"  # the PDF is there but no PIN was ever made: ask the desa for one
OFFER_NONE = "none"  # not SELESAI, or no issued PDF (yet)

# The statuses' words in the notice, in NOTIFIED_STATUSES' order.
_STATUS_WORDS = {
    "DIAJUKAN": "diajukan",
    "PERLU_PERBAIKAN": "perlu perbaikan",
    "DITOLAK": "ditolak",
    "SELESAI": "selesai",
}


# The NOTIFIER setting's adapter → its channel (ports.Notifier.channel).
def event_label(event: Event) -> str:
    return EVENT_LABELS.get(event.action) or LABELS[event.to_status]


def is_move(event: Event) -> bool:
    return event.action not in EVENT_LABELS


def offer(request: Request, document: str) -> str:
    """What the status page shows about downloading; `document`: the service's kind."""
    if request.status is not Status.SELESAI:
        return OFFER_NONE
    if document == "card":
        return OFFER_CARD
    issued = request.issued or {}
    if request.purged_at is not None or (issued and "key" not in issued):
        return OFFER_PURGED
    if issued.get("state") != "ok":
        return OFFER_NONE
    return OFFER_NO_PIN if request.pin_hash is None else OFFER_FORM


def mask_phone(phone: str) -> str:
    """'+6281234567890' → '0812*****890': the carrier's prefix and the last three digits."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 7) + digits[-3:]


def _channel(applicant: dict[str, Any], notifier: str) -> str | None:
    """The channel the resident's messages go by; None: none are sent (no consent, none)."""
    phone = str(applicant.get("phone") or "")
    channel = channel_name(notifier)
    return channel if applicant.get("notify") is True and phone and channel else None


def messages_sent(applicant: dict[str, Any], notifier: str) -> bool:
    """Whether the resident is sent messages (so the PIN may have reached their phone)."""
    return _channel(applicant, notifier) is not None


def notice(applicant: dict[str, Any], notifier: str) -> str:
    """Exactly which messages the resident will receive, for the receipt and status page."""
    phone = str(applicant.get("phone") or "")
    channel = _channel(applicant, notifier)
    if channel is None:
        return (
            "Tidak ada pemberitahuan lewat SMS atau WhatsApp untuk permohonan ini: "
            "pantau statusnya lewat tautan atau kode QR ini."
        )
    statuses = ", ".join(_STATUS_WORDS[s] for s in NOTIFIED_STATUSES)
    return f"Pemberitahuan lewat {channel} ke {mask_phone(phone)} saat: {statuses}."
