"""`bakso notify sms-settings`: the deploy step setting the AWS account's SMS attributes
(no CloudFormation resource has them), on moto."""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

import aws_env
from bakso.cli import main

DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy-aws.md"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    with aws_env.moto_aws(monkeypatch):
        # What the deploy doc's step 7 runs the CLI with.
        monkeypatch.setenv("BAKSO_CONFIG", "aws")
        monkeypatch.setenv("BAKSO_AWS_REGION", aws_env.REGION)
        monkeypatch.setenv("BAKSO_SECRET_KEY", "unused-by-this-command")
        monkeypatch.setenv("BAKSO_AUDIT_KEY", "unused-by-this-command")
        monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path))
        yield


def _attributes() -> dict[str, str]:
    sns = boto3.client("sns", region_name=aws_env.REGION)
    return dict(sns.get_sms_attributes()["attributes"])


def test_sets_the_spend_limit_sender_id_and_transactional_type(aws: None) -> None:
    result = CliRunner().invoke(
        main, ["notify", "sms-settings", "--monthly-spend-limit", "50", "--sender-id", "BAKSO"]
    )

    assert result.exit_code == 0, result.output
    assert _attributes() == {
        "MonthlySpendLimit": "50",
        "DefaultSenderID": "BAKSO",
        "DefaultSMSType": "Transactional",
    }
    assert "MonthlySpendLimit: 50" in result.output


def test_without_a_sender_id_keeps_the_accounts(aws: None) -> None:
    runner = CliRunner()
    runner.invoke(
        main, ["notify", "sms-settings", "--monthly-spend-limit", "5", "--sender-id", "BAKSO"]
    )

    result = runner.invoke(main, ["notify", "sms-settings", "--monthly-spend-limit", "20"])

    assert result.exit_code == 0, result.output
    assert _attributes()["MonthlySpendLimit"] == "20"
    assert _attributes()["DefaultSenderID"] == "BAKSO"


@pytest.mark.parametrize("sender", ["BAKSO-LOTIM", "12345", "ABCDEFGHIJKL"])
def test_a_sender_id_sns_would_refuse_changes_nothing(aws: None, sender: str) -> None:
    result = CliRunner().invoke(
        main, ["notify", "sms-settings", "--monthly-spend-limit", "50", "--sender-id", sender]
    )

    assert result.exit_code != 0
    assert "ID pengirim SMS" in result.output
    assert _attributes() == {}


def test_a_negative_spend_limit_is_refused(aws: None) -> None:
    result = CliRunner().invoke(main, ["notify", "sms-settings", "--monthly-spend-limit", "-1"])

    assert result.exit_code != 0
    assert _attributes() == {}


def test_refused_outside_an_aws_deployment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BAKSO_CONFIG", raising=False)

    result = CliRunner().invoke(main, ["notify", "sms-settings", "--monthly-spend-limit", "50"])

    assert result.exit_code != 0
    assert "BAKSO_CONFIG=aws" in result.output


def test_the_deploy_docs_command_works_as_written(aws: None) -> None:
    (line,) = [
        line.strip()
        for line in DEPLOY_DOC.read_text().splitlines()
        if line.strip().startswith("bakso notify sms-settings")
    ]
    arguments = shlex.split(line)

    assert arguments[0] == "bakso"
    result = CliRunner().invoke(main, arguments[1:])

    assert result.exit_code == 0, result.output
    assert _attributes()["DefaultSMSType"] == "Transactional"
