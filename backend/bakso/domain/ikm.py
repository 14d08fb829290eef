"""Indeks Kepuasan Masyarakat (IKM) as PermenPANRB 14/2017 defines it (docs/ikm.md).

Nine elements, each answered 1-4. Per element NRR = sum of scores / respondents; the
weighted NRR is NRR x 1/9; IKM = the sum of the weighted NRRs (1-4); IKM konversi =
IKM x 25 (25-100), graded A-D by the regulation's intervals. Sums are kept exact
(Fraction) and rounded once, to the two decimals the regulation prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SCALE = (1, 2, 3, 4)
COMMENT_MAX = 500
WEIGHT = Fraction(1, 9)  # the regulation's "bobot nilai rata-rata tertimbang" 1/9 = 0.111
CONVERSION = 25
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")

_SESUAI = ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")


@dataclass(frozen=True)
class Element:
    code: str  # U1..U9
    name: str
    question: str
    answers: tuple[str, str, str, str]  # the words for 1, 2, 3, 4


ELEMENTS: tuple[Element, ...] = (
    Element(
        "U1",
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis "
        "pelayanannya?",
        _SESUAI,
    ),
    Element(
        "U2",
        "Sistem, mekanisme dan prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Element(
        "U3",
        "Waktu penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Element(
        "U4",
        "Biaya/tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Element(
        "U5",
        "Produk spesifikasi jenis pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
        "tercantum dalam standar pelayanan dengan hasil yang diberikan?",
        _SESUAI,
    ),
    Element(
        "U6",
        "Kompetensi pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Element(
        "U7",
        "Perilaku pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
        "kesopanan dan keramahan?",
        (
            "Tidak sopan dan ramah",
            "Kurang sopan dan ramah",
            "Sopan dan ramah",
            "Sangat sopan dan ramah",
        ),
    ),
    Element(
        "U8",
        "Penanganan pengaduan, saran dan masukan",
        "Bagaimana pendapat Saudara tentang kualitas penanganan pengaduan, saran dan masukan?",
        (
            "Tidak ada",
            "Ada tetapi tidak berfungsi",
            "Berfungsi kurang maksimal",
            "Dikelola dengan baik",
        ),
    ),
    Element(
        "U9",
        "Sarana dan prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
)
COUNT = len(ELEMENTS)


@dataclass(frozen=True)
class Grade:
    letter: str
    label: str  # mutu pelayanan / kinerja unit pelayanan
    low: Decimal  # the lowest konversi value (2 decimals) of the interval
    interval_low: Decimal  # the regulation's nilai interval (1-4) lower bound


# Lampiran PermenPANRB 14/2017: nilai interval 1.00-2.5996 D, 2.60-3.064 C, 3.0644-3.532 B,
# 3.5324-4.00 A; konversi 25.00-64.99 D, 65.00-76.60 C, 76.61-88.30 B, 88.31-100.00 A.
# Each interval bound x 25 is the konversi bound (2.5996 x 25 = 64.99, 3.064 x 25 = 76.60,
# 3.0644 x 25 = 76.61, 3.532 x 25 = 88.30, 3.5324 x 25 = 88.31), so both scales agree
# once konversi is rounded to its two printed decimals: grading the rounded konversi leaves
# no value between two intervals (e.g. 76.605 rounds to 76.61, a B).
GRADES: tuple[Grade, ...] = (
    Grade("A", "Sangat Baik", Decimal("88.31"), Decimal("3.5324")),
    Grade("B", "Baik", Decimal("76.61"), Decimal("3.0644")),
    Grade("C", "Kurang Baik", Decimal("65.00"), Decimal("2.60")),
    Grade("D", "Tidak Baik", Decimal("25.00"), Decimal("1.00")),
)


class InvalidAnswer(ValueError):
    """An answer the form must show again, with this Indonesian message."""


@dataclass(frozen=True)
class Tally:
    """Respondents and the sum of each element's scores (a desa-month, or pooled ones)."""

    respondents: int
    sums: tuple[int, ...]  # COUNT sums, U1..U9

    @staticmethod
    def empty() -> Tally:
        return Tally(0, (0,) * COUNT)

    def plus(self, other: Tally) -> Tally:
        return Tally(
            self.respondents + other.respondents,
            tuple(a + b for a, b in zip(self.sums, other.sums, strict=True)),
        )


def pooled(tallies: list[Tally]) -> Tally:
    """The sums of several desa or months added up: a quarter is its months' pooled answers,
    never the mean of three monthly means."""
    total = Tally.empty()
    for tally in tallies:
        total = total.plus(tally)
    return total


def _two(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _three(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Score:
    respondents: int
    nrr: tuple[Decimal, ...]  # per element, 3 decimals (display)
    ikm: Decimal | None  # 1-4, 4 decimals
    konversi: Decimal | None  # 25-100, 2 decimals
    grade: Grade | None


def ikm_exact(tally: Tally) -> Fraction:
    """Σ (sum_i / respondents) x 1/9, exactly."""
    return sum((Fraction(s, tally.respondents) * WEIGHT for s in tally.sums), Fraction(0))


def score(tally: Tally) -> Score:
    if tally.respondents == 0:
        return Score(0, (), None, None, None)
    exact = ikm_exact(tally)
    konversi = _two(exact * CONVERSION)
    ikm = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    nrr = tuple(_three(Fraction(s, tally.respondents)) for s in tally.sums)
    return Score(tally.respondents, nrr, ikm, konversi, grade_of(konversi))


def grade_of(konversi: Decimal) -> Grade:
    for grade in GRADES:
        if konversi >= grade.low:
            return grade
    return GRADES[-1]


def parse_answer(form: dict[str, str]) -> tuple[tuple[int, ...], str]:
    """The nine scores (fields u1..u9, each 1-4) and the comment, or InvalidAnswer."""
    scores: list[int] = []
    missing: list[str] = []
    for element in ELEMENTS:
        raw = (form.get(element.code.lower()) or "").strip()
        if raw not in {"1", "2", "3", "4"}:
            missing.append(element.name)
            continue
        scores.append(int(raw))
    if missing:
        raise InvalidAnswer(
            "Pilih satu jawaban untuk setiap pertanyaan: " + ", ".join(missing) + "."
        )
    comment = (form.get("komentar") or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidAnswer(f"Saran atau komentar paling banyak {COMMENT_MAX} huruf.")
    return tuple(scores), comment


def months_of(period: str | None, quarter: str | None) -> tuple[str, list[str]]:
    """The label and the calendar months (yyyy-mm) of ?period= or ?quarter=."""
    if quarter:
        found = QUARTER.match(quarter)
        if not found or period:
            raise InvalidAnswer("Parameter quarter berbentuk 2026-Q4 (tanpa period).")
        year, q = int(found.group(1)), int(found.group(2))
        return quarter, [f"{year:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    if not period or not PERIOD.match(period):
        raise InvalidAnswer("Parameter period berbentuk 2026-11, atau quarter berbentuk 2026-Q4.")
    return period, [period]
