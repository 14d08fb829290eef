"""The resident's report form as typed (domain/reports.checked_input): the amount field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bakso.domain.errors import InvalidInput
from bakso.domain.reports import checked_input

TEMPLATE = Path(__file__).resolve().parents[2] / "backend/bakso/public/templates/lapor_form.html"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("150.000", 150000), ("Rp 150.000", 150000), ("rp. 50 000", 50000), ("", None)],
)
def test_an_amount_is_read_as_residents_write_it(typed: str, amount: int | None) -> None:
    report = checked_input("diminta_membayar", "Diminta uang", typed, "", "", "")
    assert report.amount == amount


def test_an_amount_that_is_not_a_number_is_refused_in_words() -> None:
    with pytest.raises(InvalidInput, match="angka"):
        checked_input("diminta_membayar", "Diminta uang", "seratus ribu", "", "", "")


def test_the_browser_lets_through_what_the_server_reads() -> None:
    """Without JavaScript the form's `pattern` is the only check before sending: it must not
    stop "Rp 150.000", which the server reads (a generic browser bubble would)."""
    pattern = re.search(r'id="amount"[^>]*pattern="([^"]+)"', TEMPLATE.read_text(encoding="utf-8"))
    assert pattern is not None
    for typed in ("150.000", "Rp 150.000", "Rp. 50 000"):
        assert re.fullmatch(pattern.group(1), typed), typed
