"""The IKM computation of PermenPANRB 14/2017, checked against arithmetic done by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bakso.domain.ikm import (
    ELEMENTS,
    InvalidAnswer,
    Tally,
    grade_of,
    months_of,
    parse_answer,
    pooled,
    score,
)

# Four respondents, U1..U9 each:
ANSWERS = [
    (4, 3, 3, 4, 3, 4, 4, 3, 3),
    (3, 3, 2, 4, 3, 3, 4, 2, 3),
    (4, 4, 3, 4, 4, 4, 4, 3, 4),
    (3, 2, 2, 4, 3, 3, 3, 2, 2),
]


def _tally(rows: list[tuple[int, ...]]) -> Tally:
    return pooled([Tally(1, row) for row in rows])


def test_the_score_of_four_answers_is_the_one_computed_by_hand() -> None:
    tally = _tally(ANSWERS)
    # Sums per element: U1 4+3+4+3=14, U2 3+3+4+2=12, U3 3+2+3+2=10, U4 4+4+4+4=16,
    # U5 3+3+4+3=13, U6 4+3+4+3=14, U7 4+4+4+3=15, U8 3+2+3+2=10, U9 3+3+4+2=12.
    assert tally.sums == (14, 12, 10, 16, 13, 14, 15, 10, 12)
    result = score(tally)
    # NRR = sum / 4: 3.5, 3.0, 2.5, 4.0, 3.25, 3.5, 3.75, 2.5, 3.0
    by_hand = ("3.500", "3.000", "2.500", "4.000", "3.250", "3.500", "3.750", "2.500", "3.000")
    assert result.nrr == tuple(Decimal(v) for v in by_hand)
    # NRR tertimbang = NRR x 1/9; IKM = their sum = (116 / 4) / 9 = 29 / 9 = 3.2222...
    assert result.ikm == Decimal("3.2222")
    # IKM konversi = 29/9 x 25 = 725/9 = 80.5555... -> 80.56: interval 76.61-88.30, B "Baik".
    assert result.konversi == Decimal("80.56")
    assert result.grade is not None
    assert (result.grade.letter, result.grade.label) == ("B", "Baik")
    assert result.respondents == 4


def test_a_single_very_good_answer_is_an_a_and_all_ones_a_d() -> None:
    best = score(Tally(1, (4,) * 9))
    assert (best.konversi, best.grade and best.grade.letter) == (Decimal("100.00"), "A")
    worst = score(Tally(1, (1,) * 9))  # 9 x 1 / 9 = 1.00 -> 25.00, "Tidak Baik"
    assert (worst.konversi, worst.grade and worst.grade.label) == (Decimal("25.00"), "Tidak Baik")


@pytest.mark.parametrize(
    ("konversi", "letter"),
    [
        ("25.00", "D"),
        ("64.99", "D"),
        ("65.00", "C"),
        ("76.60", "C"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.31", "A"),
        ("100.00", "A"),
    ],
)
def test_the_grade_boundaries_are_the_regulations(konversi: str, letter: str) -> None:
    assert grade_of(Decimal(konversi)).letter == letter


def test_the_nilai_interval_bounds_times_25_are_the_konversi_bounds() -> None:
    from bakso.domain.ikm import GRADES

    for grade in GRADES:
        assert grade.interval_low * 25 == grade.low


def test_no_answers_has_no_score() -> None:
    result = score(Tally.empty())
    assert (result.respondents, result.konversi, result.grade) == (0, None, None)


def test_a_quarter_pools_the_months_answers_not_their_means() -> None:
    # October: one answer all 4s; November: three answers all 1s.
    october, november = Tally(1, (4,) * 9), _tally([(1,) * 9] * 3)
    quarter = score(pooled([october, november]))
    # Pooled: each element (4 + 1 + 1 + 1) / 4 = 1.75; IKM 1.75 -> konversi 43.75 (D).
    assert quarter.konversi == Decimal("43.75")
    # The mean of the monthly figures would be (100 + 25) / 2 = 62.5: not what is reported.
    assert quarter.konversi != Decimal("62.50")


def test_the_answer_needs_nine_scores_of_1_to_4_and_a_short_comment() -> None:
    form = {e.code.lower(): "3" for e in ELEMENTS} | {"komentar": " Cepat. "}
    assert parse_answer(form) == ((3,) * 9, "Cepat.")
    with pytest.raises(InvalidAnswer, match="Biaya/tarif"):
        parse_answer(form | {"u4": "5"})
    with pytest.raises(InvalidAnswer, match="500"):
        parse_answer(form | {"komentar": "x" * 501})


def test_the_biaya_element_reads_from_sangat_mahal_to_gratis() -> None:
    biaya = next(e for e in ELEMENTS if e.code == "U4")
    assert (biaya.answers[0], biaya.answers[3]) == ("Sangat mahal", "Gratis")
    assert [e.code for e in ELEMENTS] == [f"U{i}" for i in range(1, 10)]


def test_a_quarter_is_its_three_months() -> None:
    assert months_of(None, "2026-Q4") == ("2026-Q4", ["2026-10", "2026-11", "2026-12"])
    assert months_of("2026-11", None) == ("2026-11", ["2026-11"])
    with pytest.raises(InvalidAnswer):
        months_of("2026-13", None)
