"""The restore runbook of docs/deploy-aws.md, the parts that can be checked without AWS.

A point-in-time restore makes a new table; the runbook swaps the stack's
`RecordsTable` for it by updating the stack without the resource
(infra/restore_table.py), then importing the restored table. That works only
if nothing else in the template refers to the resource, and the runbook's
commands only if AWS knows their options.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from cfnlint import api as cfn_lint
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "bakso.yaml"
RUNBOOK = ROOT / "docs" / "deploy-aws.md"
TABLE_ARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("restore_table", ROOT / "infra/restore_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


restore_table = _load_script()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))
    return loaded


def test_the_template_without_the_table_is_valid_and_lacks_only_the_table(
    template: dict[str, Any],
) -> None:
    without = restore_table.without_table(TEMPLATE.read_text())

    matches = cfn_lint.lint(without, config=cfn_lint.ManualArgs(regions=["ap-southeast-3"]))

    assert [str(m) for m in matches if m.rule.id.startswith("E")] == []
    expected = {**template, "Resources": dict(template["Resources"])}
    del expected["Resources"]["RecordsTable"]
    assert json.loads(without) == expected
    assert len(without.encode()) < 51_200  # what CloudFormation takes inline


def _mentions(value: Any, name: str) -> bool:
    text = json.dumps(value)
    return bool(re.search(rf'"Ref": "{name}"|"{name}"|\$\{{{name}[.}}]', text))


def test_only_the_table_itself_names_the_table_resource(template: dict[str, Any]) -> None:
    others = {k: v for k, v in template["Resources"].items() if k != "RecordsTable"}

    assert [k for k, v in others.items() if _mentions(v, "RecordsTable")] == []
    assert not _mentions(template["Outputs"], "RecordsTable")


@pytest.mark.parametrize("role", ["WebRole", "WorkerRole"])
def test_roles_name_the_table_and_its_indexes_by_the_table_name_parameter(
    template: dict[str, Any], role: str
) -> None:
    policies = template["Resources"][role]["Properties"]["Policies"]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    (records,) = [s for s in statements if s["Sid"] == "Records"]

    assert records["Resource"] == [{"Fn::Sub": TABLE_ARN}, {"Fn::Sub": f"{TABLE_ARN}/index/*"}]


def _documented_commands() -> list[list[str]]:
    """Every `aws ...` command of docs/deploy-aws.md's shell blocks, `$(aws ...)` included."""
    blocks = re.findall(r"```sh\n(.*?)```", RUNBOOK.read_text(), re.S)
    commands: list[list[str]] = []
    for block in blocks:
        block = re.sub(r"<<'EOF'\n.*?\nEOF\n", "\n", block, flags=re.S)  # heredocs: Python
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            command: list[str] = []
            for token in [*lexer, ";"]:
                if token in {";", "&&", "||", "|", "(", ")", "$(", ">", "<"}:
                    if command[:1] == ["aws"] and len(command) >= 3:
                        commands.append(command)
                    command = []
                else:
                    command.append(token.removeprefix("$").removesuffix("$"))
    return commands


# Options of the AWS CLI itself (not of an operation), commands of the CLI alone
# (waiters, `deploy`), and parameters the CLI renames.
_GLOBAL = {"--region", "--query", "--output", "--cli-binary-format", "--no-cli-pager"}
_CUSTOM = {("cloudformation", "deploy"), ("s3", "ls")}
_RENAMED = {("sns", "subscribe"): {"--notification-endpoint"}}


def test_every_aws_command_the_deploy_docs_give_is_one_aws_knows() -> None:
    """The runbook is run under stress: an option AWS does not know must fail here first."""
    session = botocore.session.get_session()
    commands = _documented_commands()
    assert ["aws", "dynamodb", "restore-table-to-point-in-time"] in [c[:3] for c in commands]
    assert len(commands) >= 30  # the regexes found the commands

    unknown = []
    for words in commands:
        service, operation = words[1], words[2]
        if (service, operation) in _CUSTOM or operation == "wait":
            continue
        model = session.get_service_model({"s3api": "s3"}.get(service, service))
        names = {xform_name(op, "-"): op for op in model.operation_names}
        if operation not in names:
            unknown.append(f"{service} {operation}")
            continue
        inputs = model.operation_model(names[operation]).input_shape
        members = inputs.members if inputs is not None else {}
        known = {"--" + xform_name(member, "-") for member in members}
        known |= {"--no-" + flag.removeprefix("--") for flag in known}
        for word in words[3:]:
            flag = word.split("=", 1)[0]
            allowed = known | _GLOBAL | _RENAMED.get((service, operation), set())
            if flag.startswith("--") and flag not in allowed:
                unknown.append(f"{service} {operation} {flag}")
    assert unknown == []
