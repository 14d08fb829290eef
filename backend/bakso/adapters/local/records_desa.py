"""The desa offices' contacts in SQLite: one row per desa."""

from __future__ import annotations

from ...domain.desa import DesaContact
from .records_rows import SqliteTable

_COLUMNS = "desa, phone, whatsapp, hours, updated_at, updated_by"


class DesaContactRecords(SqliteTable):
    def get_desa_contact(self, desa: str) -> DesaContact | None:
        row = self._read_one(
            f"SELECT {_COLUMNS} FROM desa_contacts WHERE desa = ?",  # noqa: S608
            desa,
        )
        if row is None:
            return None
        desa, phone, whatsapp, hours, updated_at, updated_by = row
        return DesaContact(desa, phone, bool(whatsapp), hours, updated_at, updated_by)

    def save_desa_contact(self, contact: DesaContact) -> None:
        self._db.connection().execute(
            f"INSERT OR REPLACE INTO desa_contacts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",  # noqa: S608
            (
                contact.desa,
                contact.phone,
                int(contact.whatsapp),
                contact.hours,
                contact.updated_at,
                contact.updated_by,
            ),
        )
