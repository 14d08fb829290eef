"""Several stacks in one account (#16, part 4): every name of a deployment follows from one
prefix (infra/sites.py), the first deployment keeps its names, and two stacks stand side by
side in one (moto) account, each app on its own table, bucket and queue."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import boto3
import pytest
from cfnlint.decode import cfn_yaml

import aws_env

ROOT = Path(__file__).resolve().parents[2]
sites = runpy.run_path(str(ROOT / "infra" / "sites.py"))
Site = sites["Site"]
SETTINGS = json.loads((ROOT / "zappa_settings.json").read_text())
TEMPLATE: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "infra/bakso.yaml"))))


def test_the_first_deployment_keeps_every_name_it_has() -> None:
    site = Site.default()
    assert site.zappa_settings(SETTINGS) == SETTINGS
    defaults = {k: v["Default"] for k, v in TEMPLATE["Parameters"].items() if "Default" in v}
    assert {k: defaults[k] for k in site.parameters()} == site.parameters()


# Properties that name a resource in the account (two resources cannot share them).
PHYSICAL_NAMES = {
    "TableName", "BucketName", "QueueName", "RoleName", "AliasName", "LogGroupName",
    "FunctionName", "TopicName", "AlarmName", "Name", "PolicyName", "RuleName",
}  # fmt: skip


def test_no_resource_name_is_fixed_in_the_template() -> None:
    """A literal name would collide with the first stack's when a second is created."""
    fixed = []
    for name, resource in TEMPLATE["Resources"].items():
        for key, value in resource.get("Properties", {}).items():
            if key in PHYSICAL_NAMES and isinstance(value, str):
                fixed.append(f"{name}.{key}={value}")
    assert fixed == []


def test_a_second_site_differs_in_every_name() -> None:
    first, second = Site.default(), Site.named("bakso-lobar", "2026")
    assert set(first.parameters().values()).isdisjoint(second.parameters().values())
    lobar = second.zappa_settings(SETTINGS)
    assert lobar["web"]["project_name"] == "bakso-lobar"
    assert lobar["web"]["role_name"] == "bakso-lobar-web-role"
    assert lobar["worker"]["role_name"] == "bakso-lobar-worker-role"
    env = lobar["web"]["aws_environment_variables"]
    assert (env["BAKSO_TABLE"], env["BAKSO_BUCKET"]) == (
        "bakso-lobar-records",
        "bakso-lobar-blobs-2026",
    )
    with pytest.raises(ValueError):
        Site.named("Bakso Lobar")


def test_two_stacks_stand_side_by_side_in_one_account(monkeypatch: pytest.MonkeyPatch) -> None:
    second = Site.named("bakso-lobar", "2026")
    with aws_env.moto_aws(monkeypatch):
        first_stack = aws_env.deploy_stack()
        second_stack = aws_env.deploy_stack(stack_name="bakso-lobar", **second.parameters())
        assert first_stack.table == "bakso-records"
        assert second_stack.table == "bakso-lobar-records"
        assert second_stack.bucket == "bakso-lobar-blobs-2026"
        iam = boto3.client("iam", region_name=aws_env.REGION)
        roles = {r["RoleName"] for r in iam.list_roles()["Roles"]}
        assert {"bakso-web-role", "bakso-lobar-web-role", "bakso-lobar-worker-role"} <= roles
        kms = boto3.client("kms", region_name=aws_env.REGION)
        aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
        assert {"alias/bakso-data", "alias/bakso-lobar-data"} <= aliases
        # Each app writes to its own table: a user created in one is not in the other.
        from bakso.adapters.aws import build

        first_records, _, _ = build(first_stack.config())
        second_records, _, _ = build(second_stack.config())
        from bakso.domain.lifecycle import Role
        from bakso.domain.model import User

        first_records.save_user(User("op.lotim", Role.OPERATOR, "52.03.01.2001", "x"))
        assert second_records.get_user("op.lotim") is None
        assert first_records.get_user("op.lotim") is not None
