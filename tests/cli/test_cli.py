"""The `bakso` command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from bakso.cli import main
from bakso.domain.audit_chain import key_id_of


@pytest.fixture
def runner(tmp_path: Path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def test_user_create_reads_the_password_from_stdin(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["user", "create", "op.selong", "--role", "operator", "--desa", "52.03.01.2001"],
        input="sandi-rahasia-panjang\n",
    )
    assert result.exit_code == 0, result.output
    assert "sandi-rahasia-panjang" not in result.output
    from bakso import create_app

    app = create_app()
    client = app.test_client()
    ok = client.post(
        "/api/v1/auth/login", json={"username": "op.selong", "password": "sandi-rahasia-panjang"}
    )
    assert ok.status_code == 200


def test_user_create_refuses_an_operator_without_a_known_desa(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        ["user", "create", "op.x", "--role", "operator", "--desa", "99.99"],
        input="sandi-rahasia-panjang\n",
    )
    assert result.exit_code != 0
    assert "desa" in result.output


def test_the_cli_resets_and_disables_an_account_no_admin_reaches(runner: CliRunner) -> None:
    made = runner.invoke(
        main,
        ["user", "create", "provinsi.ntb", "--role", "provinsi", "--provinsi", "52"],
        input="sandi-rahasia-panjang\n",
    )
    assert made.exit_code == 0, made.output
    reset = runner.invoke(
        main, ["user", "reset-password", "provinsi.ntb"], input="sandi-baru-yang-panjang\n"
    )
    assert reset.exit_code == 0, reset.output
    assert "sandi-baru-yang-panjang" not in reset.output
    from bakso import create_app

    client = create_app().test_client()

    def login(password: str) -> int:
        body = {"username": "provinsi.ntb", "password": password}
        return client.post("/api/v1/auth/login", json=body).status_code

    assert login("sandi-rahasia-panjang") == 401
    assert login("sandi-baru-yang-panjang") == 200
    assert runner.invoke(main, ["user", "disable", "provinsi.ntb"]).exit_code == 0
    assert login("sandi-baru-yang-panjang") != 200
    missing = runner.invoke(main, ["user", "disable", "tidak.ada"])
    assert missing.exit_code != 0


def test_seed_demo_is_repeatable_and_prints_logins(runner: CliRunner) -> None:
    first = runner.invoke(main, ["seed-demo"])
    second = runner.invoke(main, ["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "dukcapil" in second.output and "op.tanjungluar" in second.output
    assert "provinsi.ntb" in second.output  # the province role's demo login (#16)
    assert "pengawas" in second.output  # the kabupaten's overseer (#19, docs/reports.md)


def test_user_create_names_the_kabupaten_or_the_province(runner: CliRunner) -> None:
    ok = runner.invoke(
        main,
        ["user", "create", "provinsi.ntb", "--role", "provinsi", "--provinsi", "52"],
        input="sandi-rahasia-panjang\n",
    )
    assert ok.exit_code == 0, ok.output
    unknown = runner.invoke(
        main,
        ["user", "create", "dukcapil.x", "--role", "dukcapil", "--kabupaten", "52.04"],
        input="sandi-rahasia-panjang\n",
    )
    assert unknown.exit_code != 0 and "tidak dilayani" in unknown.output
    from bakso import create_app

    client = create_app().test_client()
    session = client.post(
        "/api/v1/auth/login",
        json={"username": "provinsi.ntb", "password": "sandi-rahasia-panjang"},
    ).get_json()
    assert session["user"]["provinsi"] == "52"
    assert [k["name"] for k in session["kabupaten"]] == ["Kabupaten Lombok Timur"]


def _tamper(tmp_path: Path, sql: str) -> None:
    db = sqlite3.connect(tmp_path / "data" / "records.sqlite3")
    with db:
        db.execute(sql)
    db.close()


@pytest.mark.parametrize(
    "sql",
    [
        'update audit set data = \'{"role": "admin"}\' where seq = 2',
        "delete from audit where seq = 2",
    ],
    ids=["altered", "deleted"],
)
def test_audit_verify_names_the_first_broken_link(
    runner: CliRunner, tmp_path: Path, sql: str
) -> None:
    runner.invoke(main, ["seed-demo"])  # six user.create entries
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0 and "6 entri" in intact.output

    _tamper(tmp_path, sql)

    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code != 0
    assert "#2" in result.output


def test_audit_verify_finds_rows_cut_off_the_end(runner: CliRunner, tmp_path: Path) -> None:
    # #13: deleting every row after #k used to verify as intact.
    runner.invoke(main, ["seed-demo"])  # six user.create entries
    intact = runner.invoke(main, ["audit", "verify"])
    assert "Kepala rantai: 6 entri" in intact.output
    # Linked with the key kept beside the data, which is not in the database file.
    key = (tmp_path / "data" / "audit_key").read_text().strip()
    db = sqlite3.connect(tmp_path / "data" / "records.sqlite3")
    assert {row[0] for row in db.execute("select key_id from audit")} == {key_id_of(key)}
    db.close()
    assert key.encode() not in (tmp_path / "data" / "records.sqlite3").read_bytes()

    _tamper(tmp_path, "delete from audit where seq > 2")

    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code != 0
    assert "log berisi 2 entri, kepala rantai mencatat 6" in result.output
    assert "#3" in result.output


def test_audit_verify_refuses_a_row_rehashed_without_the_key(
    runner: CliRunner, tmp_path: Path
) -> None:
    from bakso.domain.model import audit_hash

    runner.invoke(main, ["seed-demo"])
    db = sqlite3.connect(tmp_path / "data" / "records.sqlite3")
    seq, at, actor, action, target, prev = db.execute(
        "select seq, at, actor, action, target, prev_hash from audit where seq = 4"
    ).fetchone()
    forged = audit_hash(seq, at, actor, action, target, {"role": "admin"}, prev)
    with db:
        db.execute(
            "update audit set data = ?, hash = ?, key_id = '' where seq = 4",
            ('{"role":"admin"}', forged),
        )
        db.execute("update audit_head set link = ?", (forged,))
    db.close()

    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code != 0
    assert "#4" in result.output


def test_queue_dead_lists_and_redrive_sends_back(runner: CliRunner, tmp_path: Path) -> None:
    from bakso.adapters.local import SqliteQueue

    queue = SqliteQueue(tmp_path / "data" / "queue.sqlite3", max_receives=1)
    queue.send({"type": "request.submitted", "request_id": "r-1", "submission": 1})
    queue.receive(visibility_timeout=0)  # fails once...
    assert queue.receive(visibility_timeout=0) == []  # ...and is dead
    (dead,) = queue.dead_letters()

    listed = runner.invoke(main, ["queue", "dead"])
    assert listed.exit_code == 0, listed.output
    assert f"{dead.id}  request.submitted  percobaan: 1" in listed.output
    assert "r-1" not in listed.output  # ids and types only, never the body
    assert "1 pesan mati." in listed.output

    nothing = runner.invoke(main, ["queue", "redrive"])
    assert nothing.exit_code != 0 and "--all" in nothing.output
    assert "1 pesan dikirim ulang." in runner.invoke(main, ["queue", "redrive", "--all"]).output
    assert queue.dead_letters() == []
    assert "0 pesan dikirim ulang." in runner.invoke(main, ["queue", "redrive", dead.id]).output


def test_records_backfill_keys_says_when_nothing_is_left(runner: CliRunner) -> None:
    # Locally the migration keys every row by kabupaten: the command finds none.
    result = runner.invoke(main, ["records", "backfill-keys", "--pages", "2"])

    assert result.exit_code == 0, result.output
    assert "0 permohonan dikunci ulang" in result.output
    assert "Selesai" in result.output and "--after" not in result.output


def test_audit_verify_checks_each_kabupatens_chain(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """#16: one chain per kabupaten; a break in Sumbawa's is named, Lombok Timur's holds."""
    from helpers import SUMBAWA_DIR

    monkeypatch.setenv("BAKSO_KABUPATEN_DIRS", SUMBAWA_DIR)
    runner.invoke(main, ["seed-demo"])
    made = runner.invoke(
        main,
        ["user", "create", "op.lunyuk", "--role", "operator", "--desa", "52.04.02.2001"],
        input="sandi-rahasia-panjang\n",
    )
    assert made.exit_code == 0, made.output
    intact = runner.invoke(main, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "Kabupaten 52.03: Rantai audit utuh" in intact.output
    assert "Kabupaten 52.04: Rantai audit utuh: 1 entri." in intact.output

    _tamper(tmp_path, "update audit set actor = 'someone' where chain = '52.04' and seq = 1")

    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code != 0
    assert "Kabupaten 52.03: Rantai audit utuh" in result.output
    assert "Kabupaten 52.04: Rantai audit rusak mulai entri #1." in result.output
    assert "1 dari 2 rantai audit rusak (kabupaten 52.04)" in result.output
    only = runner.invoke(main, ["audit", "verify", "--kabupaten", "52.03"])
    assert only.exit_code == 0 and "52.04" not in only.output
