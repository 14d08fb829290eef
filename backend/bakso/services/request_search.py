"""Finding requests (domain.search) and counting the open ones, for Dukcapil's desk.

Every call reads a bounded number of items: a code is one Get, a NIK one index
Query of at most a page, a name narrows the pages a filtered list reads
(services/requests.py), and the counts read at most COUNT_CAP requests per
status through the status index, saying when they stopped there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from ..domain.errors import InvalidInput, NotFound
from ..domain.lifecycle import Role, Status
from ..domain.model import Actor, Request
from ..domain.regions import kabupaten_of
from ..domain.search import Search, nik_index_key, nik_key_of, parse_search
from ..ports import Page
from .request_base import RequestBase

# The statuses that wait for someone (SELESAI: for the handover), counted on the desk.
COUNTED = (
    Status.DIAJUKAN,
    Status.DITERIMA,
    Status.DIPROSES,
    Status.PERLU_PERBAIKAN,
    Status.SELESAI,
)
AGE_BANDS = (7, 14)  # days in the same status
COUNT_CAP = 500  # requests read per status at most (5 pages of 100)
SEARCH_HINT = (
    "Ketik kode permohonan ({prefix}-XXXX-XXXX), 16 angka NIK, atau sedikitnya 2 huruf nama."
)


@dataclass(frozen=True)
class StatusCount:
    status: Status
    count: int
    older: dict[int, int]  # days → how many have been in this status longer than that
    capped: bool  # COUNT_CAP reached: "at least"


class RequestSearch(RequestBase):
    def with_nik_key(self, request: Request) -> Request:
        """The request with the index key of its applicant's NIK (none without a NIK)."""
        key = nik_key_of(request.applicant, self.settings.search_secret)
        return request if key == request.nik_key else replace(request, nik_key=key)

    def parse_query(self, text: str, kabupaten: str) -> Search:
        search = parse_search(text)
        if search is None:
            served = self.tenants.get(kabupaten) or self.tenants.default
            raise InvalidInput(SEARCH_HINT.format(prefix=served.code_prefix))
        return search

    def find_exact(
        self,
        actor: Actor,
        search: Search,
        limit: int,
        keep: Callable[[Request], bool],
    ) -> Page:
        """The requests holding this code or NIK that the officer may see and `keep` keeps.

        An operator sees only their desa: another desa's request is simply not found.
        """
        if search.kind == "code":
            found = self.records.get_request_by_code(search.value)
            items = [found] if found is not None else []
        else:
            key = nik_index_key(search.value, self.settings.search_secret)
            items = self.records.requests_by_nik(key, limit=self.settings.page_size_max)
        visible = [r for r in items if actor.can_see_desa(r.desa) and keep(r)]
        return Page(items=visible[:limit], cursor=None)

    def counts(
        self,
        actor: Actor,
        *,
        desa: str | None,
        kecamatan: str | None = None,
        service: str | None = None,
    ) -> list[StatusCount]:
        """How many requests wait in each open status, and how many for over 7 / 14 days.

        Of the actor's kabupaten only (#16); a kecamatan's through the lists of its desa,
        one after another within the same COUNT_CAP (never the kabupaten's, filtered)."""
        kabupaten = self.lists_kabupaten(actor)
        if actor.role is Role.OPERATOR:
            if desa and desa != actor.desa:
                raise NotFound("Desa tidak ditemukan.")
            desa = actor.desa
        places: list[str | None] = [desa]
        if desa is None and kecamatan is not None:
            places = [
                *(
                    self.regions.desa_of_kecamatan(kecamatan)
                    if kabupaten_of(kecamatan) == kabupaten
                    else []
                )
            ]
        now = self.clock()
        cutoffs = {days: (now - timedelta(days=days)).isoformat() for days in AGE_BANDS}
        result = []
        for status in COUNTED:
            count, read = 0, 0
            cursor: str | None = None
            older = dict.fromkeys(AGE_BANDS, 0)
            left = list(places)
            while left and read < COUNT_CAP:
                page = self.records.list_requests(
                    kabupaten=kabupaten,
                    desa=left[0],
                    status=status,
                    cursor=cursor,
                    limit=min(100, COUNT_CAP - read),
                )
                read += len(page.items)
                for r in page.items:
                    if (kecamatan and self.regions.kecamatan_of(r.desa) != kecamatan) or (
                        service and r.service != service
                    ):
                        continue
                    count += 1
                    for days, cutoff in cutoffs.items():
                        older[days] += r.status_since < cutoff
                cursor = page.cursor
                if cursor is None:
                    left.pop(0)
            result.append(StatusCount(status, count, older, capped=bool(left)))
        return result
