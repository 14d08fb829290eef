"""Public endpoints held: WAF rate rules in infra/, reserved concurrency in zappa_settings.json.

A flood of `/cek` or of logins from one address is refused by WAF before it
reaches Lambda; the web function is capped and the worker has its own
reservation, so whatever reaches the web function cannot take the worker's
concurrency. `make deploy-limits` (infra/deploy_limits.py) attaches the WebACL
to the API Zappa made; its commands are checked here without AWS.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, dict[str, Any]] = json.loads((ROOT / "zappa_settings.json").read_text())
# What a Lambda account allows by default, and what it must keep unreserved.
ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM = 1000, 100


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_limits", ROOT / "infra/deploy_limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


limits = _load_script()


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "infra/bakso.yaml"))))
    return loaded


def default(template: dict[str, Any], parameter: str) -> Any:
    return template["Parameters"][parameter]["Default"]


def rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    acl = template["Resources"]["WebAcl"]
    assert acl["Type"] == "AWS::WAFv2::WebACL"
    assert acl["Properties"]["Scope"] == "REGIONAL"  # API Gateway stages are regional
    # The rules of the CloudFront edge are there only with it (test_infra_edge.py):
    # `{"Fn::If": [condition, rule, AWS::NoValue]}`.
    found = [rule.get("Fn::If", [None, rule])[1] for rule in acl["Properties"]["Rules"]]
    return {rule["Name"]: rule for rule in found}


def scope_regex(template: dict[str, Any], rule: dict[str, Any]) -> re.Pattern[str]:
    statement = rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    match = statement["RegexMatchStatement"]
    assert match["FieldToMatch"] == {"UriPath": {}}
    # Percent-encoded or dotted paths reach Flask as /cek: WAF must see them so too.
    assert [t["Type"] for t in match["TextTransformations"]] == ["URL_DECODE", "NORMALIZE_PATH"]
    regex = match["RegexString"]["Fn::Sub"].replace(
        "${WebApiStage}", default(template, "WebApiStage")
    )
    return re.compile(regex)


PUBLIC_LOOKUPS = ["/cek", "/cek/AbC-123_x", "/web/cek", "/web/cek/tok", "/api/v1/status/tok"]
LOGINS = ["/api/v1/auth/login", "/web/api/v1/auth/login"]
NEITHER = [
    "/",
    "/api/v1/requests",
    "/api/v1/auth/me",
    "/api/v1/auth/logout",
    "/cekx",
    "/api/v1/requests/x/cek",
    "/web/api/v1/batches",
]


@pytest.mark.parametrize(
    ("rule", "limit", "paths"),
    [
        ("public-lookup-per-ip", "PublicLookupRateLimit", PUBLIC_LOOKUPS),
        ("login-per-ip", "LoginRateLimit", LOGINS),
    ],
)
def test_a_rate_rule_per_client_ip_holds_each_public_route(
    template: dict[str, Any], rule: str, limit: str, paths: list[str]
) -> None:
    found = rules(template)[rule]
    rate = found["Statement"]["RateBasedStatement"]
    regex = scope_regex(template, found)
    others = [p for p in PUBLIC_LOOKUPS + LOGINS + NEITHER if p not in paths]

    assert rate["AggregateKeyType"] == "IP"
    assert rate["Limit"] == {"Ref": limit}
    assert rate["EvaluationWindowSec"] == 300
    assert 10 <= default(template, limit) <= 1000
    assert found["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429  # the PWA retries
    assert [p for p in paths if not regex.search(p)] == []
    assert [p for p in others if regex.search(p)] == []


def test_the_login_refusal_is_problem_json_in_indonesian(template: dict[str, Any]) -> None:
    bodies = template["Resources"]["WebAcl"]["Properties"]["CustomResponseBodies"]
    key = rules(template)["login-per-ip"]["Action"]["Block"]["CustomResponse"]
    body = bodies[key["CustomResponseBodyKey"]]

    problem = json.loads(body["Content"])
    assert body["ContentType"] == "APPLICATION_JSON"
    assert problem["status"] == 429 and "Terlalu banyak" in problem["detail"]
    assert template["Resources"]["WebAcl"]["Properties"]["DefaultAction"] == {"Allow": {}}


def test_the_web_acl_guards_the_stage_of_the_api_id_given(template: dict[str, Any]) -> None:
    association = template["Resources"]["WebAclAssociation"]
    n = limits.names(SETTINGS)

    assert association["Condition"] == "HasWebApi"
    assert default(template, "WebApiId") == ""
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    resolved = (
        arn.replace("${AWS::Partition}", "aws")
        .replace("${AWS::Region}", n.region)
        .replace("${WebApiId}", "a1b2c3d4e5")
        .replace("${WebApiStage}", default(template, "WebApiStage"))
    )
    assert resolved == limits.stage_arn(n, "a1b2c3d4e5")
    assert re.fullmatch(template["Parameters"]["WebApiId"]["AllowedPattern"], "a1b2c3d4e5")


def test_the_script_names_what_zappa_and_the_stack_name(template: dict[str, Any]) -> None:
    n = limits.names(SETTINGS)

    assert n.region == SETTINGS["web"]["aws_region"]
    assert n.api_name == default(template, "WebApiName")
    assert n.api_stage == default(template, "WebApiStage")
    assert n.functions == (
        default(template, "WebFunctionName"),
        default(template, "WorkerFunctionName"),
    )


def test_the_script_finds_the_api_and_updates_only_its_parameters() -> None:
    n = limits.names(SETTINGS)
    template = ROOT / "infra/bakso.yaml"

    find = limits.find_api_command(n)
    deploy = limits.deploy_command(n, "bakso", "a1b2c3d4e5", template)

    assert find[:3] == ["aws", "apigateway", "get-rest-apis"]
    assert find[find.index("--query") + 1] == "items[?name=='bakso-web'].id"
    assert find[find.index("--region") + 1] == "ap-southeast-3"
    assert deploy[:3] == ["aws", "cloudformation", "deploy"]
    assert deploy[deploy.index("--stack-name") + 1] == "bakso"
    assert deploy[deploy.index("--template-file") + 1] == str(template)
    assert "CAPABILITY_NAMED_IAM" in deploy
    overrides = deploy[deploy.index("--parameter-overrides") + 1 :]
    # Nothing else: AppOrigin, AlarmEndpoint, ... keep the values the stack has.
    assert overrides == ["WebApiId=a1b2c3d4e5", "WebApiStage=web"]
    checks = limits.check_commands(n, "a1b2c3d4e5")
    assert limits.stage_arn(n, "a1b2c3d4e5") in checks[0]
    assert [c[c.index("--function-name") + 1] for c in checks[1:]] == ["bakso-web", "bakso-worker"]


@pytest.mark.parametrize("output", ["", "None\n", "a1b2c3d4e5\tf6g7h8i9j0\n", "a1b2;rm -rf\n"])
def test_the_script_refuses_no_api_several_or_a_strange_id(output: str) -> None:
    with pytest.raises(SystemExit, match="expected one REST API named bakso-web"):
        limits.api_id_from(output, limits.names(SETTINGS))


def test_the_script_takes_the_one_api_id() -> None:
    assert limits.api_id_from("a1b2c3d4e5\n", limits.names(SETTINGS)) == "a1b2c3d4e5"


def test_make_deploy_limits_runs_the_script() -> None:
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^deploy-limits:.*\n\t.*infra/deploy_limits\.py", makefile, re.M)


def _zappa_stage(name: str) -> Any:
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = name
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    return cli


def test_the_worker_has_a_reservation_the_web_function_cannot_take(
    template: dict[str, Any],
) -> None:
    """Zappa 0.63 puts `lambda_concurrency` as the function's reserved concurrency."""
    web, worker = _zappa_stage("web"), _zappa_stage("worker")
    trigger = template["Resources"]["WorkerTrigger"]["Properties"]
    schedules = len(SETTINGS["worker"]["events"])

    assert isinstance(web.lambda_concurrency, int) and web.lambda_concurrency > 0  # a cap
    assert isinstance(worker.lambda_concurrency, int)
    # Every poller invoke and each schedule fit the reservation: none is throttled.
    assert worker.lambda_concurrency >= trigger["ScalingConfig"]["MaximumConcurrency"] + schedules
    # Lambda refuses a reservation that leaves the account under 100 unreserved.
    assert web.lambda_concurrency + worker.lambda_concurrency <= (
        ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM
    )
