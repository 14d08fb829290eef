"""Who acts, and what each role may see: the one place these rules are written."""

from __future__ import annotations

from dataclasses import dataclass

from .lifecycle import Role
from .regions import kabupaten_of

# Who counts as Dukcapil staff: the officers and the admin, never a desa operator
# or the system. The one place this rule is written.
DUKCAPIL_STAFF = frozenset({Role.DUKCAPIL, Role.ADMIN})


def is_dukcapil_staff(role: Role) -> bool:
    return role in DUKCAPIL_STAFF


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    desa: str | None  # operators only
    # Dukcapil officers and admins: the one kabupaten they work for (#16, domain/tenants.py).
    # None for the system, which works for every kabupaten; a province role's is None too.
    kabupaten: str | None = None
    provinsi: str | None = None  # the province role only

    def can_see_desa(self, desa: str) -> bool:
        """Whether this actor may see a desa's requests, worklist and files: an operator
        their own desa, Dukcapil staff their kabupaten's, the system all; the province
        role none (it reads coverage figures only)."""
        if self.role is Role.OPERATOR:
            return self.desa == desa
        if self.role is Role.PROVINSI or self.role is Role.PENGAWAS:
            return False
        return self.kabupaten is None or kabupaten_of(desa) == self.kabupaten

    def can_see_kabupaten(self, kabupaten: str) -> bool:
        """Whether this actor may see what belongs to a whole kabupaten (its batches, imports,
        returns, audit chain); an operator sees none of those."""
        if self.role in (Role.OPERATOR, Role.PROVINSI, Role.PENGAWAS):
            return False
        return self.kabupaten is None or self.kabupaten == kabupaten

    @property
    def is_dukcapil_staff(self) -> bool:
        return is_dukcapil_staff(self.role)
