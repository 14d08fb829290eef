"""Configuration: a deployment without a secret key refuses to start; one machine makes its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import bakso.workers.sqs
from bakso import config, create_app


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("BAKSO_SECRET_KEY", raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BAKSO_DATA_DIR", str(data_dir))
    return data_dir


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_aws_without_secret_key_refuses_to_start_and_writes_no_key_file(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    if secret is not None:
        monkeypatch.setenv("BAKSO_SECRET_KEY", secret)

    with pytest.raises(config.ConfigError, match="BAKSO_SECRET_KEY is not set"):
        config.load()

    assert not no_secret.exists()


def test_aws_app_and_worker_without_secret_key_fail_before_building_anything(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    monkeypatch.setattr(bakso.workers.sqs, "_services", None)

    with pytest.raises(config.ConfigError, match=r"docs/deploy-aws\.md"):
        create_app()
    with pytest.raises(config.ConfigError):
        bakso.workers.sqs.lambda_handler({"Records": []}, None)
    assert not no_secret.exists()


def test_aws_reads_the_secret_key_from_the_environment(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    monkeypatch.setenv("BAKSO_SECRET_KEY", "from-lambda-configuration")

    assert config.load()["SECRET_KEY"] == "from-lambda-configuration"
    assert not no_secret.exists()


def test_one_machine_without_secret_key_makes_one_and_keeps_it(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "local")

    first = config.load()["SECRET_KEY"]

    assert len(first) >= 32
    assert (no_secret / "secret_key").read_text().strip() == first
    assert config.load()["SECRET_KEY"] == first
