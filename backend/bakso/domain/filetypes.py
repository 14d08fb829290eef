"""What a file really is, by its first bytes: clients' declared types are not trusted."""

from __future__ import annotations

ALLOWED_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
SNIFF_BYTES = 16


def sniff(head: bytes) -> str | None:
    """The content type of the first SNIFF_BYTES of a file, if it is one BAKSO accepts."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None
