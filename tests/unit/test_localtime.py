"""Each kabupaten tells times in its own zone (kabupaten.json `timezone`, #16): one process
serving Lombok Timur (WITA) and Pangandaran (WIB) writes each one's dates in its clock."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from bakso import bootstrap, config
from bakso.domain import localtime
from bakso.domain.resident import indonesian_date
from bakso.domain.sasaran.counters import iso_week
from bakso.domain.tenants import Tenants
from bakso.services.spreadsheets import Column, csv_bytes, time_header
from helpers import PANGANDARAN_DIR, SUMBAWA_DIR


def _tenants(*dirs: str) -> Tenants:
    return bootstrap.build_tenants(
        config.load({"SECRET_KEY": "k" * 32, "KABUPATEN_DIRS": dirs}, environ={})
    )


def test_default_is_lombok_timurs_wita() -> None:
    tenants = _tenants()
    assert tenants.default.code == "52.03"
    assert tenants.default.timezone == "Asia/Makassar"
    assert localtime.zone_label() == "WITA"
    assert time_header("Diajukan") == "Diajukan (WITA)"
    assert indonesian_date("2026-11-27T06:05:00+00:00") == "27 November 2026, 14.05 WITA"
    # Sunday 16:30 UTC is Monday 00:30 in Lombok: the trend's week has already turned.
    assert iso_week("2026-12-06T16:30:00+00:00") == "2026-W50"


def test_a_folder_with_an_unknown_zone_refuses_to_start_naming_its_file(tmp_path: Path) -> None:
    folder = tmp_path / "52.04"
    shutil.copytree(SUMBAWA_DIR, folder)
    settings = json.loads((folder / "kabupaten.json").read_text(encoding="utf-8"))
    settings["timezone"] = "Asia/Lombok"
    (folder / "kabupaten.json").write_text(json.dumps(settings), encoding="utf-8")
    with pytest.raises(config.ConfigError, match="Asia/Lombok") as refused:
        _tenants(str(folder))
    assert str(folder / "kabupaten.json") in str(refused.value)


def test_a_wib_kabupaten_and_lombok_timur_each_keep_their_clock_in_one_process() -> None:
    pangandaran = _tenants(PANGANDARAN_DIR).get("32.18")
    assert pangandaran is not None and pangandaran.timezone == "Asia/Jakarta"
    with localtime.in_zone(pangandaran.timezone):
        assert time_header("Diajukan") == "Diajukan (WIB)"
        row = csv_bytes([Column("Diajukan", "time")], [["2026-11-27T06:05:00+00:00"]])
        assert row.decode("utf-8-sig").splitlines()[1] == "27/11/2026 13:05"
        assert indonesian_date("2026-11-27T06:05:00+00:00").endswith("13.05 WIB")
        assert iso_week("2026-12-06T16:30:00+00:00") == "2026-W49"
    # Out of Pangandaran's block, Lombok Timur's again.
    assert indonesian_date("2026-11-27T06:05:00+00:00").endswith("14.05 WITA")


def test_a_zone_set_in_one_thread_is_not_another_threads() -> None:
    """Two requests served at once by two threads: neither sees the other's clock."""
    inside, outside = threading.Event(), threading.Event()
    seen: list[str] = []

    def pangandaran_request() -> None:
        with localtime.in_zone("Asia/Jakarta"):
            inside.set()
            outside.wait(5)
            seen.append(localtime.zone_label())

    worker = threading.Thread(target=pangandaran_request)
    worker.start()
    inside.wait(5)
    seen.append(localtime.zone_label())  # this thread, while the other is in WIB
    outside.set()
    worker.join(5)
    assert seen == ["WITA", "WIB"]
