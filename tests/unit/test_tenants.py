"""Kabupaten folders (domain/tenants.py, #16): what a deployment refuses to start with, and
what it takes from the nationwide list when a folder brings no regions of its own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from bakso import bootstrap, config
from bakso.domain.tenants import PACKAGED_DIR, TenantError, Tenants, folders, load_kabupaten
from helpers import DESA_SUMBAWA, PANGANDARAN_DIR, SUMBAWA, SUMBAWA_DIR


def _folder(tmp_path: Path, source: str, folder_name: str = "", **changes: Any) -> Path:
    """A copy of a fixture folder (renamed, its kabupaten.json changed)."""
    folder = tmp_path / (folder_name or Path(source).name)
    shutil.copytree(source, folder)
    path = folder / "kabupaten.json"
    settings = json.loads(path.read_text(encoding="utf-8"))
    settings.update(changes)
    path.write_text(json.dumps(settings), encoding="utf-8")
    return folder


def test_lombok_timur_is_the_packaged_default() -> None:
    tenants = Tenants.from_folders(folders((), ()))
    assert tenants.codes() == ["52.03"]
    assert tenants.default.name == "Kabupaten Lombok Timur"
    assert tenants.default.code_prefix == "LT"
    assert len(tenants.regions.desa("52.03")) == 254


def test_a_folder_must_be_named_after_its_code(tmp_path: Path) -> None:
    folder = _folder(tmp_path, SUMBAWA_DIR, folder_name="sumbawa")
    with pytest.raises(TenantError, match=r"folder must be named after its code \(52\.04\)") as e:
        load_kabupaten(folder)
    assert str(folder / "kabupaten.json") in str(e.value)


def test_two_kabupaten_may_not_share_a_code_prefix(tmp_path: Path) -> None:
    twin = _folder(tmp_path, SUMBAWA_DIR, code_prefix="LT")
    shared = re.escape("52.03 and 52.04 share the request-code prefix LT")
    with pytest.raises(TenantError, match=shared):
        Tenants.from_folders(folders((), (str(twin),)))


def test_a_kabupaten_configured_twice_is_refused() -> None:
    with pytest.raises(TenantError, match=re.escape("52.04 is configured twice")):
        Tenants.from_folders([Path(SUMBAWA_DIR), Path(SUMBAWA_DIR)])


def test_a_folder_without_wilayah_csv_takes_its_regions_from_the_nationwide_list() -> None:
    assert not (Path(SUMBAWA_DIR) / "wilayah.csv").exists()
    tenants = Tenants.from_folders(folders((), (SUMBAWA_DIR, PANGANDARAN_DIR)))
    assert tenants.codes() == ["52.03", SUMBAWA, "32.18"]
    assert tenants.regions.is_desa(DESA_SUMBAWA)
    sumbawa = tenants.regions.desa(SUMBAWA)
    assert sumbawa and all(d.code.startswith("52.04.") for d in sumbawa)
    assert all(k.code.startswith("52.04.") for k in tenants.regions.kecamatan(SUMBAWA))
    # Lombok Timur's own list is unchanged beside them; Pangandaran (2012) is there too.
    assert len(tenants.regions.desa("52.03")) == 254
    assert tenants.regions.desa("32.18")
    assert tenants.of_desa(DESA_SUMBAWA).short_name == "Sumbawa"
    assert [k.code for k in tenants.in_provinsi("52")] == ["52.03", SUMBAWA]


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"timezone": "Asia/Lombok"}, "'timezone' 'Asia/Lombok' is not an IANA time zone"),
        ({"code_prefix": "sb-1"}, "'code_prefix' must be 1 to 8 capital letters or digits"),
        ({"code_prefix": "SUMBAWABESAR"}, "'code_prefix' must be 1 to 8"),
        ({"report_channels": []}, "'report_channels' must be a non-empty list"),
        ({"name": ""}, "'name' must be a non-empty text"),
    ],
)
def test_a_bad_setting_refuses_to_start_naming_the_file(
    tmp_path: Path, changes: dict[str, Any], complaint: str
) -> None:
    folder = _folder(tmp_path, SUMBAWA_DIR, **changes)
    settings = {"SECRET_KEY": "k" * 32, "KABUPATEN_DIRS": (str(folder),)}
    with pytest.raises(config.ConfigError) as refused:
        bootstrap.build_tenants(config.load(settings, environ={}))
    assert str(folder / "kabupaten.json") in str(refused.value)
    assert complaint in str(refused.value)


def test_a_kabupaten_no_region_list_holds_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, SUMBAWA_DIR, folder_name="52.99", code="52.99")
    with pytest.raises(TenantError, match=re.escape("no region list holds kabupaten/kota 52.99")):
        load_kabupaten(folder)


def test_an_unknown_packaged_code_is_refused() -> None:
    with pytest.raises(TenantError, match=re.escape("no packaged kabupaten folder for 52.04")):
        folders(("52.04",), ())
    assert (PACKAGED_DIR / "52.03" / "kabupaten.json").is_file()
