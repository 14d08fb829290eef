"""A desa's worklist and the follow-ups its officers record."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.lifecycle import Role
from ..domain.model import Actor
from ..domain.regions import kabupaten_of
from ..domain.sasaran import (
    Followup,
    Outcome,
    SasaranRow,
    Tombstone,
    apply_followup,
    row_deltas,
    too_old,
    withdrawn,
)
from ..ports import RowWrite, SasaranPage
from .sasaran_core import WRITE_ATTEMPTS, SasaranCore

log = logging.getLogger("bakso.services.sasaran")

_NOT_FOUND = "Sasaran tidak ditemukan."
BAD_SINCE = "Parameter since harus bilangan bulat 0 atau lebih (revisi daftar yang disimpan)."


@dataclass(frozen=True)
class WorklistSync:
    """A page of a desa's worklist for a device: what changed after its revision, or
    (`full`) the whole list's page when the device must start over."""

    full: bool
    revision: int  # the desa's revision before this page was read: the device keeps it
    rows: list[SasaranRow]
    removed: list[Tombstone]
    cursor: str | None


class SasaranWorklist(SasaranCore):
    # The worklist ------------------------------------------------------------------
    def worklist_desa(self, actor: Actor, desa: str | None) -> str:
        """The desa whose list this officer asks for: an operator's own, always; a Dukcapil
        officer's a desa of its kabupaten (another's is not found); never the province's."""
        if actor.role is Role.OPERATOR:
            if desa and desa != actor.desa:
                raise NotFound("Desa tidak ditemukan.")
            assert actor.desa is not None
            return actor.desa
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat membuka daftar sasaran desa.")
        if not desa:
            raise InvalidInput("Pilih desa (parameter desa).")
        if not self.regions.is_desa(desa) or not actor.can_see_desa(desa):
            raise NotFound("Desa tidak ditemukan.")
        return desa

    def revision(self, desa: str) -> int:
        """Bumped by every change to the desa's rows: a cached worklist is current while equal."""
        return self.store.counters("desa", desa).get("revision", 0)

    def list_rows(
        self, actor: Actor, desa: str | None, *, cursor: str | None, limit: int
    ) -> SasaranPage:
        desa = self.worklist_desa(actor, desa)
        limit = max(1, min(limit, self.settings.page_size_max))
        return self.store.list_rows(desa, cursor=cursor, limit=limit)

    def sync(
        self, actor: Actor, desa: str | None, *, since: int, cursor: str | None, limit: int
    ) -> WorklistSync:
        """What changed in the desa after revision `since` (domain.sasaran.changes), or the
        first page of the whole list when the device must start over."""
        if since < 0:
            raise InvalidInput(BAD_SINCE)
        desa = self.worklist_desa(actor, desa)
        limit = max(1, min(limit, self.settings.page_size_max))
        page = self.store.changes(desa, since=since, cursor=cursor, limit=limit)
        if page is not None and not too_old(since, revision=page.revision, floor=0):
            return WorklistSync(False, page.revision, page.rows, page.removed, page.cursor)
        revision = self.revision(desa)
        whole = self.store.list_rows(desa, cursor=None, limit=limit)
        return WorklistSync(True, revision, whole.items, [], whole.cursor)

    def withdraw(self, actor: Actor, sasaran_id: str) -> bool:
        """Dukcapil takes a row off its desa's worklist: erased, uncounted, a tombstone left.

        True when withdrawn now; False when it was already off the worklist (a
        repeated DELETE changes nothing). NotFound for an id never stored.
        """
        if not actor.is_dukcapil_staff:
            raise Forbidden("Hanya petugas Dukcapil yang dapat menarik sasaran dari daftar.")
        for _ in range(WRITE_ATTEMPTS):
            row = self.store.get_row(sasaran_id)
            if row is None or not actor.can_see_desa(row.desa):
                raise NotFound(_NOT_FOUND)
            if row.purged_at:
                return False
            now = self._now()
            # The notes first, as retention does: a repeated DELETE finishes what a failed one left.
            self.store.erase_followup_notes(row.id)
            after = withdrawn(row, now)
            try:
                self.store.save_row(RowWrite(after, row.version, row_deltas(row, after)))
            except Conflict:
                continue
            self.records.append_audit(
                chain=kabupaten_of(row.desa),
                at=now,
                actor=actor.username,
                action="sasaran.withdraw",
                target=row.id,
                data={"desa": row.desa},
            )
            log.info("sasaran %s withdrawn", row.id)
            return True
        raise Conflict("Sasaran sedang diubah; coba lagi.")

    def get_row(self, actor: Actor, sasaran_id: str) -> SasaranRow:
        row = self.store.get_row(sasaran_id)
        # A purged row (retention) has nothing left to show or follow up: as if gone.
        if row is None or row.purged_at or not actor.can_see_desa(row.desa):
            raise NotFound(_NOT_FOUND)
        return row

    def followups(self, actor: Actor, sasaran_id: str) -> list[Followup]:
        return self.store.list_followups(self.get_row(actor, sasaran_id).id)

    def record_followup(
        self,
        actor: Actor,
        sasaran_id: str,
        *,
        followup_id: str,
        outcome: str,
        note: str,
        at: datetime | None,
    ) -> tuple[SasaranRow, Followup, bool]:
        """Record what the desa found; (row, follow-up, created).

        Keyed by the device's follow-up id: a replayed outbox entry returns what
        was stored, once; the same id with other content is refused.
        """
        row = self.get_row(actor, sasaran_id)
        if actor.role is not Role.OPERATOR:
            raise Forbidden("Hanya operator desa yang dapat mencatat tindak lanjut.")
        try:
            outcome = Outcome(outcome).value
        except ValueError:
            raise InvalidInput(f"Hasil tindak lanjut '{outcome}' tidak dikenal.") from None
        now = self.clock()
        when = now if at is None else min(at.astimezone(UTC), now)
        followup = Followup(
            id=followup_id,
            sasaran_id=row.id,
            outcome=outcome,
            note=note.strip(),
            at=when.isoformat(timespec="milliseconds"),
            by=actor.username,
            recorded_at=now.isoformat(timespec="milliseconds"),
        )
        for _ in range(WRITE_ATTEMPTS):
            stored = self.store.get_followup(followup_id)
            if stored is not None:
                if not stored.same_as(followup):
                    raise Conflict("ID tindak lanjut ini sudah dipakai untuk catatan lain.")
                return self.get_row(actor, sasaran_id), stored, False
            after = apply_followup(row, followup, followup.recorded_at)
            try:
                if self.store.record_followup(
                    followup, RowWrite(after, row.version, row_deltas(row, after))
                ):
                    self.records.append_audit(
                        chain=kabupaten_of(row.desa),
                        at=followup.recorded_at,
                        actor=actor.username,
                        action="sasaran.followup",
                        target=row.id,
                        data={"followup": followup.id, "outcome": outcome},
                    )
                    log.info("sasaran %s followed up: %s", row.id, outcome)
                    return after, followup, True
            except Conflict:
                pass  # the row changed meanwhile (an import, a request): apply to the new one
            row = self.get_row(actor, sasaran_id)
        raise Conflict("Sasaran sedang diubah; coba lagi.")
