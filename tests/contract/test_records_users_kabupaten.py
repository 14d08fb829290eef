"""Accounts name their kabupaten or province (#16), on every set; older accounts none."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from bakso.adapters.local import SqliteRecords
from bakso.adapters.local.records import MIGRATIONS
from bakso.adapters.local.sqlite import SqliteDatabase
from bakso.domain.lifecycle import Role
from bakso.ports import Records
from contract.test_records import make_user


def test_an_accounts_kabupaten_and_province_round_trip(records: Records) -> None:
    officer = dataclasses.replace(make_user("dukcapil.sb", Role.DUKCAPIL, None), kabupaten="52.04")
    operator = dataclasses.replace(make_user("op.sb", desa="52.04.02.2001"), kabupaten="52.04")
    province = dataclasses.replace(make_user("provinsi.ntb", Role.PROVINSI, None), provinsi="52")
    legacy = make_user("admin", Role.ADMIN, None)
    for user in (officer, operator, province, legacy):
        records.save_user(user)
    for user in (officer, operator, province, legacy):
        assert records.get_user(user.username) == user
    listed = {u.username: (u.kabupaten, u.provinsi) for u in records.list_users()}
    assert listed == {
        "dukcapil.sb": ("52.04", None),
        "op.sb": ("52.04", None),
        "provinsi.ntb": (None, "52"),
        "admin": (None, None),
    }
    moved = dataclasses.replace(officer, kabupaten="52.03")
    records.save_user(moved)
    assert records.get_user("dukcapil.sb") == moved


def test_sqlite_accounts_from_before_name_no_kabupaten(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite3"
    marker = "ALTER TABLE users ADD COLUMN kabupaten"
    named = next(i for i, script in enumerate(MIGRATIONS) if marker in script)
    old = SqliteDatabase(path, MIGRATIONS[:named])
    with old.transaction() as db:
        db.execute(
            "INSERT INTO users (username, role, desa, password_hash, active, session_epoch,"
            " created_at) VALUES ('dukcapil', 'dukcapil', NULL, 'h', 1, 0, '2026-01-01')"
        )
    old.close()
    records = SqliteRecords(path)
    try:
        user = records.get_user("dukcapil")
        assert user is not None and user.kabupaten is None and user.provinsi is None
    finally:
        records.close()
