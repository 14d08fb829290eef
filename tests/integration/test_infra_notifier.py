"""The notifier's deploy: the worker may text phone numbers and nothing more; the web
function sends nothing; the functions name their notifier, never its secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

from bakso import config as bakso_config

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, dict[str, Any]] = json.loads((ROOT / "zappa_settings.json").read_text())


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "infra/bakso.yaml"))))
    return loaded


def _sns_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    policies = template["Resources"][role]["Properties"]["Policies"]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    return [s for s in statements if any(str(a).startswith("sns:") for a in _listed(s["Action"]))]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_worker_may_publish_sms_to_phone_numbers_only(template: dict[str, Any]) -> None:
    (statement,) = _sns_statements(template, "WorkerRole")

    assert _listed(statement["Action"]) == ["sns:Publish"]
    # Every SNS ARN excluded: no topic (the alarms'), no push endpoint; only a number.
    assert statement["NotResource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}
    assert "Resource" not in statement and "Condition" not in statement


def test_the_web_function_sends_no_message(template: dict[str, Any]) -> None:
    assert _sns_statements(template, "WebRole") == []


def test_the_functions_send_sms_through_sns_and_hold_no_whatsapp_token(tmp_path: Path) -> None:
    env = SETTINGS["web"]["aws_environment_variables"]  # the worker extends web
    assert "aws_environment_variables" not in SETTINGS["worker"]
    values = bakso_config.load(
        environ={
            **env,
            "BAKSO_SECRET_KEY": "k",
            "BAKSO_AUDIT_KEY": "a",
            "BAKSO_DATA_DIR": str(tmp_path),
        }
    )

    assert values["NOTIFIER"] == "sns"
    # A token in zappa_settings.json would be in the repository: step 4 sets it instead.
    assert not [name for name in env if "WHATSAPP" in name or "TOKEN" in name]
