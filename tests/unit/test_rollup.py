"""The desa → kecamatan → kabupaten counter roll-up, computed once for both stores."""

from __future__ import annotations

from bakso.domain.sasaran import rolled_up, scopes

DESA_A = "52.03.01.2001"  # Keruak
DESA_A2 = "52.03.01.2002"  # Keruak too
DESA_B = "52.03.02.2002"  # Sakra


def test_one_desa_change_adds_to_its_desa_kecamatan_and_kabupaten() -> None:
    assert scopes(DESA_A) == [
        ("desa", DESA_A),
        ("kecamatan", "52.03.01"),
        ("kabupaten", "52.03"),
    ]
    assert rolled_up([{DESA_A: {"open": 1, "revision": 1}}]) == {
        ("desa", DESA_A): {"open": 1, "revision": 1},
        ("kecamatan", "52.03.01"): {"open": 1, "revision": 1},
        ("kabupaten", "52.03"): {"open": 1, "revision": 1},
    }


def test_changes_of_many_writes_and_desa_are_summed_per_scope() -> None:
    total = rolled_up(
        [
            {DESA_A: {"open": 1}},
            {DESA_A2: {"open": 2, "done": 1}},
            {DESA_B: {"open": 1}, DESA_A: {"open": -1, "done": 1}},
        ]
    )
    assert total == {
        ("desa", DESA_A): {"done": 1},  # open +1 -1 is left out
        ("desa", DESA_A2): {"open": 2, "done": 1},
        ("desa", DESA_B): {"open": 1},
        ("kecamatan", "52.03.01"): {"open": 2, "done": 2},
        ("kecamatan", "52.03.02"): {"open": 1},
        ("kabupaten", "52.03"): {"open": 3, "done": 2},
    }


def test_scopes_whose_changes_cancel_out_are_left_out() -> None:
    assert rolled_up([{DESA_A: {"open": 1}}, {DESA_A: {"open": -1}}]) == {}
    assert rolled_up([{DESA_A: {"open": 0}}]) == {}
    assert rolled_up([]) == {}
    assert rolled_up(iter([{DESA_A: {}}])) == {}
