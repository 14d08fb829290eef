"""Report channels as things a resident can tap: a web address opens, "SMS 1708" starts a
text, a phone number dials. The channels are configured as plain text (each kabupaten.json's
`report_channels`); this finds those parts in it, and leaves the rest as words."""

from __future__ import annotations

import re
from dataclasses import dataclass

# www.lapor.go.id, https://…; "SMS 1708"; a phone: 0…, +62…, (0376) 21…; 5+ digits.
_PARTS = re.compile(
    r"(?P<web>\bhttps?://[^\s,;]+|\bwww\.[^\s,;]+[^\s,;.])"
    r"|(?P<sms>\bSMS\s+(?P<sms_number>\+?\d[\d ]{2,14}\d))"
    r"|(?P<tel>(?:\+62|\(0\d{2,3}\)|\b0)[\d ()-]{5,16}\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Part:
    text: str
    href: str | None = None


def channel_parts(channel: str) -> list[Part]:
    parts: list[Part] = []
    at = 0
    for match in _PARTS.finditer(channel):
        if match.start() > at:
            parts.append(Part(channel[at : match.start()]))
        text = match.group(0)
        if match.group("web"):
            href = text if text.lower().startswith("http") else f"https://{text}"
        elif match.group("sms"):
            href = "sms:" + re.sub(r"\D", "", match.group("sms_number"))
        else:
            digits = re.sub(r"[^\d+]", "", text)
            href = "tel:" + digits
        parts.append(Part(text, href))
        at = match.end()
    if at < len(channel):
        parts.append(Part(channel[at:]))
    return parts
