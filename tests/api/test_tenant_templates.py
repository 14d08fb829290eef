"""The import template's help speaks of the downloading officer's own kabupaten (#16).

Lombok Timur (52.03, the default) and Sumbawa (52.04) are served together, as in
test_tenant_coverage.py; "dukcapil" is Lombok Timur's officer, "dukcapil.sb" Sumbawa's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from flask import Flask

from helpers import PASSWORD, SUMBAWA, SUMBAWA_DIR, USERS, Api, close_app, make_app, services_of


@pytest.fixture
def app(data_dir: Path) -> Iterator[Flask]:
    app = make_app(data_dir, KABUPATEN_DIRS=(SUMBAWA_DIR,))
    accounts = services_of(app).accounts
    for username, role, desa in USERS:
        accounts.create_user(username, role, desa, PASSWORD)
    accounts.create_user("dukcapil.sb", "dukcapil", None, PASSWORD, kabupaten=SUMBAWA)
    yield app
    close_app(app)


def _kode_desa_help(api: Api) -> str:
    response = api.get("/api/v1/sasaran/template.xlsx")
    assert response.status_code == 200
    guide = openpyxl.load_workbook(io.BytesIO(response.data))["petunjuk"]
    helps = [row[2] for row in guide.iter_rows(values_only=True) if row[0] == "kode_desa"]
    assert len(helps) == 1
    return str(helps[0])


def _example_desa(api: Api) -> str:
    response = api.get("/api/v1/sasaran/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["sasaran"]
    header, example = list(sheet.iter_rows(values_only=True))[:2]
    return str(example[header.index("kode_desa")])


def test_the_template_help_names_a_desa_code_of_the_officers_kabupaten(api_factory) -> None:
    sumbawa, lombok = api_factory("dukcapil.sb"), api_factory("dukcapil")
    sumbawa_help, lombok_help = _kode_desa_help(sumbawa), _kode_desa_help(lombok)
    assert "52.04." in sumbawa_help and "52.03" not in sumbawa_help
    assert "52.03." in lombok_help and "52.04" not in lombok_help
    # The help's example is the desa the example line is filled in with.
    assert sumbawa_help.endswith(_example_desa(sumbawa))
    assert lombok_help.endswith(_example_desa(lombok))


def test_the_vocabulary_help_names_a_desa_code_of_the_officers_kabupaten(api_factory) -> None:
    columns = api_factory("dukcapil.sb").get("/api/v1/sasaran/vocabulary").get_json()["columns"]
    (kode_desa,) = [c["description"] for c in columns if c["name"] == "kode_desa"]
    assert "52.04." in kode_desa and "52.03" not in kode_desa and "{" not in kode_desa
