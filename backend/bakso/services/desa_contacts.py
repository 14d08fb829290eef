"""The desa office's contact (domain.desa): its operator keeps it, the resident reads it.

An operator sets their own desa's number and hours (they know them; Dukcapil does not), an
admin any desa's of its own kabupaten; Dukcapil's officers read their kabupaten's. Another
desa's operator, or another kabupaten's officer or admin (#16), is told the desa does not
exist, as for its requests (Actor.can_see_desa).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.desa import DesaContact, checked_contact
from ..domain.errors import Forbidden, NotFound
from ..domain.lifecycle import Role
from ..domain.model import Actor
from ..domain.regions import Regions, kabupaten_of
from ..ports import AuditLog, DesaContactStore

UNKNOWN_DESA = "Desa tidak ditemukan."


class DesaContactService:
    def __init__(
        self,
        store: DesaContactStore,
        audit: AuditLog,
        regions: Regions,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.audit = audit
        self.regions = regions
        self.clock = clock

    def _desa(self, who: Actor, desa: str) -> str:
        if not self.regions.is_desa(desa) or not who.can_see_desa(desa):
            raise NotFound(UNKNOWN_DESA)
        return desa

    def get(self, who: Actor, desa: str) -> DesaContact | None:
        return self.store.get_desa_contact(self._desa(who, desa))

    def public(self, desa: str) -> DesaContact | None:
        """For the resident's pages: what the office published, nothing else."""
        return self.store.get_desa_contact(desa) if self.regions.is_desa(desa) else None

    def save(self, who: Actor, desa: str, *, phone: str, whatsapp: bool, hours: str) -> DesaContact:
        self._desa(who, desa)
        if who.role not in (Role.OPERATOR, Role.ADMIN):
            raise Forbidden("Kontak kantor desa diisi oleh operator desa itu atau admin.")
        phone, hours = checked_contact(phone, hours)
        stored = self.store.get_desa_contact(desa)
        if stored and (stored.phone, stored.whatsapp, stored.hours) == (phone, whatsapp, hours):
            return stored  # sent again (a retry, a second tap): nothing changes
        contact = DesaContact(
            desa=desa,
            phone=phone,
            whatsapp=whatsapp,
            hours=hours,
            updated_at=self.clock().isoformat(timespec="milliseconds"),
            updated_by=who.username,
        )
        self.store.save_desa_contact(contact)
        # The office's public number, not personal data: the log may carry it.
        self.audit.append_audit(
            chain=kabupaten_of(desa),
            at=contact.updated_at,
            actor=who.username,
            action="desa.contact",
            target=desa,
            data={"phone": phone, "whatsapp": whatsapp, "hours": hours},
        )
        return contact
