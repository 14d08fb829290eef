"""A kabupaten's catalog.json (domain/catalog_changes.py, #16): what it changes, for that
kabupaten only, and what refuses to start, naming the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bakso import bootstrap, config
from bakso.domain.catalog import Catalog
from helpers import SUMBAWA, SUMBAWA_DIR

PACKAGED = Catalog.from_json(bootstrap.PACKAGE_DATA / "catalog.json")


def _catalog(tmp_path: Path, changes: Any) -> tuple[Catalog, Path]:
    folder = tmp_path / SUMBAWA
    shutil.copytree(SUMBAWA_DIR, folder)
    path = folder / "catalog.json"
    path.write_text(json.dumps(changes), encoding="utf-8")
    settings = config.load({"SECRET_KEY": "k" * 32, "KABUPATEN_DIRS": (str(folder),)}, environ={})
    return bootstrap.build_catalog(settings, bootstrap.build_tenants(settings)), path


def test_changes_apply_to_their_kabupaten_only(tmp_path: Path) -> None:
    requirements = [{"code": "KK", "label": "Kartu Keluarga", "required": True, "one_of": None}]
    catalog, _ = _catalog(
        tmp_path,
        {
            "about": "Sumbawa belum melayani KIA.",
            "disabled": ["KIA"],
            "services": {"KTP_BARU": {"label": "KTP-el baru", "requirements": requirements}},
        },
    )
    sumbawa = catalog.catalog_for(SUMBAWA)
    assert "KIA" not in [s.code for s in sumbawa.services()]
    assert sumbawa.offers("KIA") is None
    kia = sumbawa.get("KIA")  # its older requests keep their label and requirements
    assert kia is not None and kia.label == "Kartu Identitas Anak"
    ktp = sumbawa.offers("KTP_BARU")
    assert ktp is not None and ktp.label == "KTP-el baru"
    assert [r.code for r in ktp.requirements] == ["KK"]
    assert ktp.referral == PACKAGED.get("KTP_BARU").referral  # type: ignore[union-attr]
    # Lombok Timur, the default, is the packaged catalog.
    for lotim in (catalog, catalog.catalog_for("52.03"), catalog.catalog_for(None)):
        assert [s.to_dict() for s in lotim.services()] == [s.to_dict() for s in PACKAGED.services()]


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"disabled": ["KTP_ANAK"]}, "unknown service code(s) KTP_ANAK"),
        ({"services": {"SURAT_SAKTI": {"label": "x"}}}, "unknown service code(s) SURAT_SAKTI"),
        ({"services": {"KIA": {"harga": 0}}}, "unknown field(s) harga"),
        ({"disable": ["KIA"]}, "unknown key(s) disable"),
        ({"services": {"KIA": {"requirements": []}}}, "requirements must be a non-empty list"),
        (
            {"services": {"KIA": {"requirements": [{"code": "KK", "label": "KK"}]}}},
            "required must be true or false",
        ),
        ([], "expected a JSON object"),
    ],
)
def test_a_bad_catalog_json_refuses_to_start_naming_the_file(
    tmp_path: Path, changes: Any, complaint: str
) -> None:
    with pytest.raises(config.ConfigError) as refused:
        _catalog(tmp_path, changes)
    assert str(tmp_path / SUMBAWA / "catalog.json") in str(refused.value)
    assert complaint in str(refused.value)
