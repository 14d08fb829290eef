"""zappa_settings.json: what it names exists (code and infra/), and its defaults are safe."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

import bakso.workers.sqs
from bakso import config as bakso_config

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, dict[str, Any]] = json.loads((ROOT / "zappa_settings.json").read_text())
STAGES = ["web", "worker"]


def stage(name: str) -> dict[str, Any]:
    config = dict(SETTINGS[name])
    parent = config.pop("extends", None)
    return {**stage(parent), **config} if parent else config


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "infra/bakso.yaml"))))
    return loaded


def default(template: dict[str, Any], parameter: str) -> Any:
    return template["Parameters"][parameter]["Default"]


def functions_named(config: dict[str, Any]) -> list[str]:
    named = [config["app_function"], config.get("lambda_handler"), config.get("exception_handler")]
    named += [event["function"] for event in config.get("events", [])]
    return [name for name in named if name and not name.startswith("handler.")]


def test_there_are_exactly_a_web_and_a_worker_stage() -> None:
    assert sorted(SETTINGS) == STAGES


@pytest.mark.parametrize("name", STAGES)
def test_every_function_named_imports(name: str) -> None:
    names = functions_named(stage(name))

    assert names
    for dotted in names:
        module, attribute = dotted.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attribute)), dotted


@pytest.mark.parametrize("name", STAGES)
def test_stage_defaults_are_safe_for_personal_data(name: str) -> None:
    config = stage(name)

    assert config["aws_region"] == "ap-southeast-3"  # population data stays in Indonesia
    assert config["runtime"] == "python3.11"
    assert config["log_level"] == "INFO"  # DEBUG logs whole events, cookies included
    assert config["debug"] is False
    assert config["manage_roles"] is False  # Zappa's own role grants s3:*, dynamodb:*, ...
    # environment_variables are written into the zip; configuration belongs in Lambda's.
    assert "environment_variables" not in config
    assert not [k for k in config["aws_environment_variables"] if "SECRET" in k or "KEY" in k]
    assert {"boto3", "botocore"} <= set(config["exclude"])  # the runtime has its own


def test_only_the_web_stage_has_an_api_and_only_the_worker_has_a_schedule() -> None:
    web, worker = stage("web"), stage("worker")

    assert web.get("apigateway_enabled", True) is True
    assert worker["apigateway_enabled"] is False
    assert worker.get("keep_warm", True) is False
    # The SQS trigger lives in infra/, with ReportBatchItemFailures: a Zappa
    # event source here would add a second consumer without it. The worker's
    # only events are schedules, each of a job its handler knows.
    assert "events" not in web
    assert [event["function"] for event in worker["events"]] == [
        "bakso.workers.sqs.cleanup_handler"
    ]
    for event in worker["events"]:
        assert set(event) <= {"function", "expression", "description"}, event
        assert event["function"] in bakso.workers.sqs.SCHEDULED
    assert worker["events"][0]["expression"] == "rate(1 day)"


def test_stages_use_the_roles_infra_creates(template: dict[str, Any]) -> None:
    def with_defaults(value: Any) -> str:
        """A `!Sub` over the template's parameters, as their defaults make it."""
        text = value["Fn::Sub"] if isinstance(value, dict) else value
        return re.sub(r"\$\{(\w+)\}", lambda m: str(default(template, m.group(1))), text)

    roles = {
        name: with_defaults(resource["Properties"]["RoleName"])
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
    }

    assert stage("web")["role_name"] == roles["WebRole"]
    assert stage("worker")["role_name"] == roles["WorkerRole"]


def test_function_names_match_the_log_groups_and_trigger_in_infra(
    template: dict[str, Any],
) -> None:
    for name, parameter in [("web", "WebFunctionName"), ("worker", "WorkerFunctionName")]:
        assert f"{stage(name)['project_name']}-{name}" == default(template, parameter)


def test_settings_name_the_table_bucket_and_queue_infra_creates(
    template: dict[str, Any],
) -> None:
    for name in STAGES:
        config = stage(name)
        env = config["aws_environment_variables"]
        assert env["BAKSO_CONFIG"] == "aws"
        assert env["BAKSO_AWS_REGION"] == config["aws_region"]
        assert env["BAKSO_TABLE"] == default(template, "TableName")
        assert env["BAKSO_BUCKET"] == default(template, "BucketName")
        assert env["BAKSO_QUEUE_URL"] == default(template, "QueueName")
        assert config["s3_bucket"] == default(template, "DeployBucketName")


def test_every_setting_passed_to_lambda_is_read_by_the_code(tmp_path: Path) -> None:
    # BAKSO_<NAME> (or an alias of it) sets a setting; load() reads each into its value.
    settings_of = {alias: key for key, alias in bakso_config.ALIASES.items()}
    for name in STAGES:
        env = stage(name)["aws_environment_variables"]
        values = bakso_config.load(
            environ={
                **env,
                "BAKSO_SECRET_KEY": "k",
                "BAKSO_AUDIT_KEY": "a",
                "BAKSO_DATA_DIR": str(tmp_path),
            }
        )
        for variable, value in env.items():
            assert variable.startswith("BAKSO_"), variable
            if variable == "BAKSO_CONFIG":
                assert values["NAME"] == value
                continue
            key = settings_of.get(variable, variable.removeprefix("BAKSO_"))
            assert key in values and str(values[key]) == value, variable


@pytest.mark.parametrize("name", STAGES)
def test_functions_know_the_queues_redelivery_window_infra_creates(
    template: dict[str, Any], name: str, tmp_path: Path
) -> None:
    """load() checks BATCH_BUILD_DEADLINE against the real queue, not against defaults."""
    queue = template["Resources"]["WorkQueue"]["Properties"]
    env = stage(name)["aws_environment_variables"]
    values = bakso_config.load(
        environ={
            **env,
            "BAKSO_SECRET_KEY": "k",
            "BAKSO_AUDIT_KEY": "a",
            "BAKSO_DATA_DIR": str(tmp_path),
        }
    )

    assert values["WORKER_VISIBILITY_TIMEOUT"] == queue["VisibilityTimeout"]
    assert values["QUEUE_MAX_RECEIVES"] == queue["RedrivePolicy"]["maxReceiveCount"]
    assert values["WORKER_VISIBILITY_TIMEOUT"] > stage("worker")["timeout_seconds"]
    assert (
        values["WORKER_VISIBILITY_TIMEOUT"] * values["QUEUE_MAX_RECEIVES"]
        < values["BATCH_BUILD_DEADLINE"]
    )
