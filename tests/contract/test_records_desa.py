"""The DesaContactStore contract, on every adapter set: a desa's contact is read back as it
was saved, replaced by the next save, and never seen by another desa."""

from __future__ import annotations

from bakso.domain.desa import DesaContact
from bakso.ports import Records

DESA = "52.03.01.2001"
OTHER = "52.03.01.2002"


def _contact(desa: str = DESA, **changes: object) -> DesaContact:
    fields: dict[str, object] = {
        "desa": desa,
        "phone": "0812-3456-7890",
        "whatsapp": True,
        "hours": "Senin–Jumat 08.00–14.00",
        "updated_at": "2026-12-01T08:00:00.000+00:00",
        "updated_by": "op.a",
    }
    fields.update(changes)
    return DesaContact(**fields)  # type: ignore[arg-type]


def test_a_saved_contact_reads_back_and_is_replaced(records: Records) -> None:
    assert records.get_desa_contact(DESA) is None
    records.save_desa_contact(_contact())
    assert records.get_desa_contact(DESA) == _contact()

    later = _contact(phone="(0376) 21234", whatsapp=False, hours="", updated_by="admin")
    records.save_desa_contact(later)

    assert records.get_desa_contact(DESA) == later
    assert records.get_desa_contact(OTHER) is None
