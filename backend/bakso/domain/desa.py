"""The desa office's own contact, which its operator keeps (DESIGN §1: the resident's next
step is often "datang ke kantor desa"): shown on the resident's status page and receipt.

It is the office's public number and opening hours, not a person's: nothing here is
personal data, and it stays when requests are erased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidInput

# Indonesian numbers as people write them: 0812-3456-7890, +62 812 3456 7890, (0376) 21234.
_PHONE = re.compile(r"^(?:\+62|0|\(0\d{2,3}\))[\d ()-]{5,18}$")
HOURS_MAX = 80


@dataclass(frozen=True)
class DesaContact:
    desa: str
    phone: str  # as the operator wrote it, for reading; `dial` is for links
    whatsapp: bool  # the number also takes WhatsApp messages
    hours: str  # e.g. "Senin–Jumat 08.00–14.00"
    updated_at: str
    updated_by: str

    @property
    def dial(self) -> str:
        """The number in international form, for tel: and wa.me links."""
        digits = re.sub(r"\D", "", self.phone)
        return "+62" + digits[1:] if digits.startswith("0") else "+" + digits

    def to_json(self) -> dict[str, object]:
        return {
            "desa": self.desa,
            "phone": self.phone,
            "whatsapp": self.whatsapp,
            "hours": self.hours,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
        }


def checked_contact(phone: str, hours: str) -> tuple[str, str]:
    """The phone and hours as stored, or why not (in Indonesian, for the operator)."""
    phone = " ".join(phone.split())
    hours = " ".join(hours.split())
    digits = re.sub(r"\D", "", phone)
    if not _PHONE.match(phone) or not 8 <= len(digits) <= 15:
        raise InvalidInput(
            "Nomor telepon kantor desa tidak dikenal; tulis seperti 0812-3456-7890 atau "
            "(0376) 21234.",
            errors=[{"field": "phone", "message": "nomor tidak dikenal"}],
        )
    if len(hours) > HOURS_MAX:
        raise InvalidInput(
            f"Jam layanan paling banyak {HOURS_MAX} karakter.",
            errors=[{"field": "hours", "message": "terlalu panjang"}],
        )
    return phone, hours
