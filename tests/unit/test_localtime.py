"""The kabupaten's local time is one setting (BAKSO_TIMEZONE), used by every export and date."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bakso import config
from bakso.domain import localtime
from bakso.domain.resident import indonesian_date
from bakso.domain.sasaran.counters import iso_week
from bakso.services.spreadsheets import Column, csv_bytes, time_header


@pytest.fixture
def jakarta() -> Iterator[None]:
    localtime.use_zone("Asia/Jakarta")
    try:
        yield
    finally:
        localtime.use_zone(localtime.DEFAULT_ZONE)


def test_default_is_wita_for_lombok_timur() -> None:
    values = config.load({"SECRET_KEY": "k" * 32}, environ={})
    assert values["TIMEZONE"] == "Asia/Makassar"
    assert localtime.zone_label() == "WITA"
    assert time_header("Diajukan") == "Diajukan (WITA)"
    assert indonesian_date("2026-11-27T06:05:00+00:00") == "27 November 2026, 14.05 WITA"
    # Sunday 16:30 UTC is Monday 00:30 in Lombok: the trend's week has already turned.
    assert iso_week("2026-12-06T16:30:00+00:00") == "2026-W50"


def test_an_unknown_zone_refuses_to_start_naming_the_variable() -> None:
    with pytest.raises(config.ConfigError, match="BAKSO_TIMEZONE='Asia/Lombok'"):
        config.load({"SECRET_KEY": "k" * 32}, environ={"BAKSO_TIMEZONE": "Asia/Lombok"})


def test_another_kabupaten_sets_its_zone_once_and_every_date_follows(jakarta: None) -> None:
    assert (
        config.load({"SECRET_KEY": "k" * 32}, {"BAKSO_TIMEZONE": "Asia/Jakarta"})["TIMEZONE"]
        == "Asia/Jakarta"
    )
    assert time_header("Diajukan") == "Diajukan (WIB)"
    row = csv_bytes([Column("Diajukan", "time")], [["2026-11-27T06:05:00+00:00"]])
    assert row.decode("utf-8-sig").splitlines()[1] == "27/11/2026 13:05"
    assert indonesian_date("2026-11-27T06:05:00+00:00").endswith("13.05 WIB")
    assert iso_week("2026-12-06T16:30:00+00:00") == "2026-W49"
