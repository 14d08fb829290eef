"""What residents are told and when (#18, docs/notifications.md): the statuses that send a
message to a resident who consented at the loket, the channel's name in their words, and
the texts themselves.

Every text is one SMS: at most 160 characters of the GSM-7 alphabet (a character outside
it would make the whole message UCS-2, 70 characters a part, and cost two or three SMS).
What comes from people (an officer's reason, a kabupaten's service label) is folded into
GSM-7 and cut to the room left; a NIK or KK number (any run of 16 digits) and the
applicant's or subject's name are taken out of it. The link and the PIN are never cut.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# DIAJUKAN: code, link and PIN; PERLU_PERBAIKAN: what to bring; DITOLAK: the reason;
# SELESAI: where to collect, or that it can be downloaded with the PIN.
NOTIFIED_STATUSES = ("DIAJUKAN", "PERLU_PERBAIKAN", "DITOLAK", "SELESAI")

# The configured notifier's channel (ports.Notifier.channel) as the status page names it.
CHANNEL_NAMES = {"local": "SMS", "sms": "SMS", "whatsapp": "WhatsApp"}
# The NOTIFIER setting's adapter → its channel, where the two names differ.
_SETTING_CHANNELS = {"sns": "sms"}


def channel_name(notifier_setting: str) -> str | None:
    """The channel the resident is told of for a NOTIFIER setting; None for "none"."""
    return CHANNEL_NAMES.get(_SETTING_CHANNELS.get(notifier_setting, notifier_setting))


SMS_LENGTH = 160

# GSM 03.38's basic character set; the extension table (^{}\[~]|€) costs two places
# each and some phones show it wrong, so texts never use it.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

# The catalog's services by short names, so a message has room for the reason.
SHORT_NAMES = {
    "KK_BARU": "KK baru",
    "KK_UBAH": "Perubahan KK",
    "KK_HILANG": "KK hilang/rusak",
    "KTP_BARU": "KTP-el baru",
    "KTP_HILANG": "KTP-el hilang/rusak",
    "KTP_UBAH": "Perubahan KTP-el",
    "AKTA_LAHIR": "Akta kelahiran",
    "AKTA_MATI": "Akta kematian",
    "KIA": "KIA",
    "PINDAH_KELUAR": "Surat pindah",
    "PINDAH_DATANG": "Pindah datang",
    "AKTA_KAWIN": "Akta perkawinan",
    "AKTA_CERAI": "Akta perceraian",
}
SHORT_NAME_MAX = 20  # a service not listed above: its label, cut to this

_FOLDED = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "\\": "/",
    "|": "/",
    "~": "-",
    "^": "",
    "€": "EUR",
}
_NUMBER_16 = re.compile(r"\d(?:[ .\-]?\d){15,}")  # a NIK or KK, however it was spaced
_SPACES = re.compile(r"\s+")
_MASK = "***"
_MASKS = re.compile(r"\*\*\*(?:\s*\*\*\*)+")  # a whole name masked is one mask


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC for ch in text)


def fits_sms(text: str) -> bool:
    return len(text) <= SMS_LENGTH and is_gsm7(text)


def gsm7(text: str) -> str:
    """`text` in GSM-7: quotes and dashes folded, accents dropped, anything else removed."""
    out: list[str] = []
    for ch in _SPACES.sub(" ", text):
        if ch in GSM7_BASIC:
            out.append(ch)
        elif ch in _FOLDED:
            out.append(_FOLDED[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)
            out.extend(c for c in base if c in GSM7_BASIC)
    return "".join(out).strip()


def scrubbed(text: str, names: Sequence[str] = ()) -> str:
    """`text` without NIK/KK numbers and without the people's names (every word of a name
    of three letters or more), in GSM-7."""
    text = _NUMBER_16.sub(_MASK, text)
    words = {w for name in names for w in re.findall(r"[^\W\d_]{3,}", name or "")}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(word)}\b", _MASK, text, flags=re.IGNORECASE)
    return gsm7(_MASKS.sub(_MASK, text))


def cut(text: str, room: int) -> str:
    """`text` in at most `room` characters, "..." marking a cut."""
    if len(text) <= room:
        return text
    if room <= 3:
        return ""
    return text[: room - 3].rstrip(" ,.;:") + "..."


def short_name(service: str, label: str) -> str:
    return SHORT_NAMES.get(service) or cut(gsm7(label), SHORT_NAME_MAX)


@dataclass(frozen=True)
class MessageFacts:
    """What a message may say; only what is here reaches the text."""

    status: str
    code: str  # LT-XXXX-XXXX
    service: str  # the catalog code
    service_label: str  # as the request's kabupaten calls it
    link: str  # the resident's status page, /cek/<token>
    pin: str | None = None  # DIAJUKAN's, unsealed
    reason: str = ""  # PERLU_PERBAIKAN's and DITOLAK's note
    printable: bool = True  # the catalog's document: "printable" (True) or "card"
    downloadable: bool = False  # SELESAI: an issued PDF is there and the request has a PIN
    office: str = "Dukcapil"  # where a card is collected: "Dukcapil Lombok Timur"
    names: tuple[str, ...] = ()  # the applicant's and subject's names, never said


def resident_text(facts: MessageFacts) -> str:
    """The one SMS for `facts.status`; ValueError for a status that sends none."""
    name = short_name(facts.service, facts.service_label)
    for service in (name, ""):  # without the service's name when the link leaves no room
        text = _text(facts, f"{service} {facts.code}".strip())
        if len(text) <= SMS_LENGTH:
            return text
    return text[:SMS_LENGTH]  # not reached with a link under ~90 characters (tested)


def _text(facts: MessageFacts, what: str) -> str:
    status = facts.status
    if status == "DIAJUKAN":
        pin = f" PIN unduh: {facts.pin}." if facts.pin else ""
        return f"{what} sudah diajukan. Cek: {facts.link}{pin} Layanan GRATIS."
    if status in ("PERLU_PERBAIKAN", "DITOLAK"):
        reason = scrubbed(facts.reason, facts.names)
        if status == "PERLU_PERBAIKAN":
            head = f"{what} perlu perbaikan. Bawa ke kantor desa: "
            if not reason:
                return f"{what} perlu perbaikan. Datang ke kantor desa."
        else:
            head = f"{what} ditolak. Alasan: "
            reason = reason or "tanyakan di kantor desa."
        return head + cut(reason, SMS_LENGTH - len(head))
    if status == "SELESAI":
        if not facts.printable:
            office = gsm7(facts.office)
            text = f"{what} selesai. Ambil di {office} atau UPT Dukcapil. Bawa tanda terima."
            if len(text) > SMS_LENGTH:
                text = f"{what} selesai. Ambil di kantor Dukcapil/UPT. Bawa tanda terima."
            return text
        if facts.downloadable:
            return f"{what} selesai. Cetak di kantor desa atau unduh dengan PIN di {facts.link}"
        return f"{what} selesai. Ambil di kantor desa, bawa tanda terima."
    raise ValueError(f"no message for status {status}")
