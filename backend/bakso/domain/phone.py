"""An Indonesian mobile number as the notifiers take it: E.164 ("+6281234567890").

The loket types what the resident says: "0812-3456-7890", "0812 3456 7890", "+62 812…"
or "62812…". A mobile number is 08 (or 62 8) followed by 8 to 11 more digits: 10 to 13
digits written the national way. A landline (0376 …) takes no SMS, so it is refused
for notifications; the request may still keep it as a contact number.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-.()]")
_NATIONAL_MOBILE = re.compile(r"8[1-9][0-9]{7,10}")  # after the 0 or the 62


def mobile_e164(number: str | None) -> str | None:
    """The number as "+628…", or None when it is no Indonesian mobile number."""
    if not number:
        return None
    digits = _SEPARATORS.sub("", number.strip())
    if digits.startswith("+62"):
        rest = digits[3:]
    elif digits.startswith("62"):
        rest = digits[2:]
    elif digits.startswith("0"):
        rest = digits[1:]
    else:
        return None
    if not _NATIONAL_MOBILE.fullmatch(rest):
        return None
    return f"+62{rest}"


CONSENT_NEEDS_PHONE = (
    "Nomor HP pemohon wajib diisi dengan nomor seluler Indonesia yang sah (mis. 0812-3456-7890)"
    " bila pemohon setuju menerima pemberitahuan."
)


def consent_problem(applicant: dict[str, object]) -> str | None:
    """What is wrong with the applicant's consent to notifications (#18), or None: with
    `notify` true the phone must be an Indonesian mobile number."""
    if applicant.get("notify") is not True:
        return None
    phone = applicant.get("phone")
    if isinstance(phone, str) and mobile_e164(phone) is not None:
        return None
    return CONSENT_NEEDS_PHONE
