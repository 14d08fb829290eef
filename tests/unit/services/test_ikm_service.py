"""When the status page invites the resident to the IKM survey (docs/ikm.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from bakso.domain.errors import Conflict
from bakso.domain.lifecycle import Status
from bakso.domain.resident_download import DOWNLOAD_ACTION
from bakso.services.ikm import IkmService
from fakes import build_services
from fakes_ikm import FakeIkmStore

TOKEN = "t" * 32


@dataclass
class Stub:
    status: Status
    actions: list[str] = field(default_factory=list)

    def get_request_by_token(self, token: str) -> Any:
        @dataclass
        class Found:
            id: str = "req-1"
            desa: str = "52.03.01.2001"
            token: str = TOKEN
            status: Status = self.status

        return Found() if token == TOKEN else None

    def timeline(self, request_id: str) -> list[Any]:
        @dataclass
        class Step:
            action: str

        return [Step(a) for a in self.actions]


def _service(records: Stub) -> IkmService:
    base = build_services().services
    return IkmService(
        FakeIkmStore(),
        records,  # type: ignore[arg-type]
        base.tenants,
        base.regions,
        lambda: datetime(2026, 12, 31, 16, 30, tzinfo=UTC),  # 2027-01-01 00:30 WITA
    )


@pytest.mark.parametrize(
    ("status", "actions", "invited"),
    [
        (Status.DIAJUKAN, [], False),
        (Status.SELESAI, [], False),
        (Status.SELESAI, [DOWNLOAD_ACTION], True),  # the resident downloaded the document
        (Status.DISERAHKAN, [], True),
        (Status.DITOLAK, [], True),
    ],
)
def test_the_survey_opens_after_handover_rejection_or_the_residents_download(
    status: Status, actions: list[str], invited: bool
) -> None:
    ikm = _service(Stub(status, actions))
    assert ikm.survey(TOKEN).open is invited
    answer = {f"u{i}": "4" for i in range(1, 10)}
    if not invited:
        with pytest.raises(Conflict):
            ikm.answer(TOKEN, answer)
        return
    ikm.answer(TOKEN, answer)
    store = ikm.store
    assert isinstance(store, FakeIkmStore)
    # Answered in the kabupaten's zone: already January 2027 in Lombok Timur.
    assert list(store.tally) == [("52.03", "2027-01", "52.03.01.2001")]
    assert ikm.survey(TOKEN).open is False and ikm.survey(TOKEN).answered


def test_a_quarters_report_reads_three_kabupaten_months_and_no_answer() -> None:
    from bakso.domain.actors import Actor
    from bakso.domain.lifecycle import Role

    ikm = _service(Stub(Status.DITOLAK))
    ikm.answer(TOKEN, {f"u{i}": "2" for i in range(1, 10)})
    store = ikm.store
    assert isinstance(store, FakeIkmStore)
    store.tally_reads = 0
    officer = Actor("dukcapil", Role.DUKCAPIL, None, "52.03")

    report = ikm.report(officer, period=None, quarter="2027-Q1")

    assert store.tally_reads == 3  # one per month of the quarter
    assert report["kabupaten"]["respondents"] == 1
    assert report["kabupaten"]["ikm_konversi"] == 50.0  # 2 x 9 / 9 = 2.00, x 25 = 50.00
    with pytest.raises(Exception, match="Dukcapil"):
        ikm.report(Actor("op", Role.OPERATOR, "52.03.01.2001"), period="2027-01", quarter=None)


def test_a_quarters_comments_page_newest_first_across_its_months() -> None:
    from bakso.domain.actors import Actor
    from bakso.domain.errors import InvalidInput
    from bakso.domain.lifecycle import Role
    from bakso.ports.ikm import IkmAnswer

    ikm = _service(Stub(Status.DITOLAK))
    scores = (3,) * 9
    # Five comments over January and March (none in February), one answer without one.
    for n, (month, day) in enumerate(
        [("2027-01", 5), ("2027-01", 20), ("2027-03", 2), ("2027-03", 9), ("2027-03", 30)]
    ):
        at = f"{month}-{day:02d}T01:00:00+00:00"
        ikm.store.add_answer(
            IkmAnswer(f"r{n}", "52.03.01.2001", month, scores, f"S{n}", at, at[:10])
        )
    ikm.store.add_answer(
        IkmAnswer("quiet", "52.03.01.2001", "2027-02", scores, "", "2027-02-01", "2027-02-01")
    )
    officer = Actor("dukcapil", Role.DUKCAPIL, None, "52.03")

    for limit in (1, 2, 3, 5, 50):
        texts, cursor, pages = [], None, 0
        while True:
            page = ikm.comments(officer, period=None, quarter="2027-Q1", cursor=cursor, limit=limit)
            texts += [item["text"] for item in page["items"]]
            pages += 1
            cursor = page["next"]
            if cursor is None:
                break
        assert texts == ["S4", "S3", "S2", "S1", "S0"], limit
        assert pages <= 5 // limit + 2  # at most one page that ends a month exactly
    first = ikm.comments(officer, period="2027-03", quarter=None)["items"][0]
    # The local day (WITA), the place, the words; nothing that names the request.
    assert first == {
        "date": "2027-03-30",
        "desa": "52.03.01.2001",
        "desa_name": first["desa_name"],
        "kecamatan_name": first["kecamatan_name"],
        "text": "S4",
    }
    assert first["desa_name"] and first["kecamatan_name"]
    assert [
        c["text"] for c in ikm.all_comments(officer, period=None, quarter="2027-Q1", kabupaten=None)
    ] == ["S4", "S3", "S2", "S1", "S0"]
    for bad in ("bukan", "eyJtIjoiMjAyNi0wMSIsImEiOm51bGx9"):  # garbage; a month not in Q1
        with pytest.raises(InvalidInput):
            ikm.comments(officer, period=None, quarter="2027-Q1", cursor=bad)
    with pytest.raises(Exception, match="Dukcapil"):
        ikm.comments(Actor("op", Role.OPERATOR, "52.03.01.2001"), period="2027-01", quarter=None)
