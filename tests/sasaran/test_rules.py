"""The pure sasaran rules: normalising, matching, judging lines, counters, percentiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.regions import Regions
from bakso.domain.sasaran import (
    JudgedLine,
    SasaranRow,
    iso_week,
    judge_line,
    map_header,
    name_key,
    normalise_address,
    normalise_desa_code,
    parse_category,
    parse_documents,
    percentile,
    pick_match,
    refuse_duplicates,
    row_deltas,
)

REGIONS = Regions.from_csv(
    Path(__file__).resolve().parents[2]
    / "backend"
    / "bakso"
    / "data"
    / "kabupaten/52.03/wilayah.csv"
)
DESA_A, DESA_B = "52.03.01.2001", "52.03.02.2002"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Dsn. Lendang RT 001/RW 02", "dusun lendang rt 1 rw 2"),
        ("Jl. Pahlawan No.5", "JALAN PAHLAWAN NOMOR 5"),
        ("Dusun Lendang,RT01", "dusun  lendang rt 1"),
    ],
)
def test_address_spellings_of_one_place_normalise_alike(one: str, other: str) -> None:
    assert normalise_address(one) == normalise_address(other)


def test_name_key_ignores_case_spacing_and_accents_but_not_the_desa() -> None:
    key = name_key("Amaq Saleh", DESA_A, "Dusun Lendang")
    assert name_key("  AMAQ   saléh ", DESA_A, "dusun lendang") == key
    assert name_key("Amaq Saleh", DESA_B, "Dusun Lendang") != key
    assert name_key("Amaq Salih", DESA_A, "Dusun Lendang") != key
    assert "saleh" not in key  # a hash: logs and indexes carry no name


def test_desa_code_without_dots_is_read_as_dotted() -> None:
    assert normalise_desa_code(" 5203012001 ") == DESA_A
    assert normalise_desa_code(DESA_A) == DESA_A


def test_documents_are_read_from_common_spellings_in_catalog_order() -> None:
    assert parse_documents("akte kelahiran; e-KTP, KK") == (["KTP_EL", "KK", "AKTA_LAHIR"], [])
    assert parse_documents("KTP/SIM") == (["KTP_EL"], ["SIM"])
    assert parse_documents("") == ([], [])


def test_category_is_optional_but_must_be_known() -> None:
    assert parse_category("") is None
    assert parse_category("anak terlantar") == "ANAK_TERLANTAR"
    assert parse_category("Difabel") == "DISABILITAS"
    with pytest.raises(InvalidInput):
        parse_category("miskin")


def test_header_aliases_map_to_columns_and_report_missing_and_ignored() -> None:
    index, ignored, missing = map_header(["Nama Lengkap", "Desa", "Umur", "dokumen"])
    assert index == {"nama": 0, "kode_desa": 1, "dokumen": 3}
    assert ignored == ["Umur"]
    assert missing == ["alamat"]


def test_line_with_several_problems_reports_all_with_the_first_as_reason() -> None:
    judged = judge_line(
        7, {"nama": "", "kode_desa": "52.03.01.9999", "alamat": "x", "dokumen": "KK"}, REGIONS
    )
    assert (judged.line, judged.fields, judged.reason) == (7, None, "MISSING_NAME")
    assert judged.message == "Nama wajib diisi. Kode desa '52.03.01.9999' tidak dikenal."


def test_line_with_impossible_nik_date_is_refused() -> None:
    cells = {"nik": "5203013102900001", "nama": "A", "kode_desa": DESA_A, "alamat": "x"}
    judged = judge_line(2, {**cells, "dokumen": "KK"}, REGIONS)
    assert judged.reason == "BAD_NIK"


def test_control_characters_in_cells_never_reach_the_row() -> None:
    # They would be printed into a desa's worklist, berkas.pdf and manifest.csv.
    cells = {
        "nama": "Amaq\x00Saleh\u202e",
        "kode_desa": DESA_A,
        "alamat": "Dusun\x1b[2J Lendang\x7f",
        "keterangan": "catatan\x85lagi",
        "dokumen": "KK",
    }
    fields = judge_line(2, cells, REGIONS).fields
    assert fields is not None
    assert (fields.name, fields.address, fields.note) == (
        "Amaq Saleh",
        "Dusun [2J Lendang",
        "catatan lagi",
    )
    unknown = judge_line(3, {**cells, "dokumen": "KK, SIM\x00X"}, REGIONS)
    assert unknown.reason == "UNKNOWN_DOCUMENT" and "\x00" not in unknown.message
    _, ignored, _ = map_header(["nama", "kode_desa", "alamat", "dokumen", "lain\x00nya"])
    assert ignored == ["lain nya"]


def _line(n: int, nik: str | None, name: str = "Amaq Saleh") -> JudgedLine:
    cells = {"nik": nik or "", "nama": name, "kode_desa": DESA_A, "alamat": "Dusun Lendang"}
    return judge_line(n, {**cells, "dokumen": "KK"}, REGIONS)


def test_duplicates_are_the_same_nik_or_the_same_name_key_without_two_niks() -> None:
    nik_1, nik_2 = "5203015708900001", "5203014708950002"
    judged = refuse_duplicates(
        [
            _line(2, nik_1),
            _line(3, nik_1, "Someone Else"),  # same NIK
            _line(4, nik_2),  # same name key, another NIK: another person
            _line(5, None),  # same name key, no NIK: the same as line 2
            _line(6, None, "Inaq Rah"),
        ]
    )
    assert [(j.line, j.reason) for j in judged] == [
        (2, None),
        (3, "DUPLICATE"),
        (4, None),
        (5, "DUPLICATE"),
        (6, None),
    ]
    assert judged[3].message == "Duplikat: penduduk yang sama di baris 2."


def _row(row_id: str, nik: str | None, created_at: str = "2026-01-01") -> SasaranRow:
    return SasaranRow(
        id=row_id,
        desa=DESA_A,
        name="A",
        address="x",
        documents=["KK"],
        nik=nik,
        created_at=created_at,
    )


def test_match_prefers_the_nik_then_the_oldest_name_twin_without_another_nik() -> None:
    by_nik = _row("n", "5203015708900001")
    twins = [_row("b", None, "2026-02-01"), _row("a", None, "2026-01-01"), _row("c", "520301")]
    assert pick_match("5203015708900001", by_nik, twins) is by_nik
    assert pick_match("5203014708950002", None, twins).id == "a"
    assert pick_match(None, None, twins).id == "a"
    assert pick_match("5203014708950002", None, [_row("c", "520301")]) is None


def test_row_moving_desa_moves_its_counts() -> None:
    before = _row("r", None)
    before.category = "LANSIA"
    after = SasaranRow.from_record({**before.to_record(), "desa": DESA_B, "version": 2})
    assert row_deltas(before, after) == {
        DESA_A: {"target": -1, "rentan:LANSIA:target": -1, "revision": 1},
        DESA_B: {"target": 1, "rentan:LANSIA:target": 1, "revision": 1},
    }


def test_unchanged_row_changes_no_counter_but_the_revision() -> None:
    row = _row("r", None)
    assert row_deltas(row, row) == {DESA_A: {"revision": 1}}


def test_percentile_is_nearest_rank() -> None:
    assert percentile({}, 50) is None
    assert percentile({3: 1}, 90) == 3
    # 1, 2, 2, 5, 9: the median is the 3rd value, p90 the 5th (ceil(4.5)).
    histogram = {1: 1, 2: 2, 5: 1, 9: 1}
    assert (percentile(histogram, 50), percentile(histogram, 90)) == (2, 9)
    # 1..10: the median is the 5th value (nearest rank takes the lower middle).
    assert percentile(dict.fromkeys(range(1, 11), 1), 50) == 5


def test_week_is_counted_in_lombok_time() -> None:
    # Sunday 20:00 UTC is Monday 04:00 WITA: already the next ISO week there.
    assert iso_week("2026-03-01T20:00:00+00:00") == "2026-W10"
    assert iso_week("2026-03-01T15:00:00+00:00") == "2026-W09"
