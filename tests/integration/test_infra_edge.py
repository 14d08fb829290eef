"""The CloudFront distribution of infra/bakso.yaml, in front of the web API.

moto's CloudFormation does not create distributions, so what a viewer would notice
is asserted on the template: when it exists, what is cached at the edge and what is
passed to the app untouched (cookies, methods, the app's own security headers).
cfn-lint of the whole template is tests/integration/test_infra.py's; here, that it
checks the distribution too, though the distribution is created only on request.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint import api as cfn_lint
from cfnlint.decode import cfn_yaml
from flask import Flask

from bakso.client_address import EDGE_HEADER

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "bakso.yaml"

# AWS's managed policies, by the ids CloudFormation takes.
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
# What CloudFront caches for 10 s unless told otherwise (404 etc. always, 400/403 when
# the answer carries max-age).
CACHED_ERRORS = {400, 403, 404, 405, 414, 500, 501, 502, 503, 504}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(TEMPLATE))))
    return loaded


@pytest.fixture(scope="module")
def config(template: dict[str, Any]) -> dict[str, Any]:
    distribution = template["Resources"]["EdgeDistribution"]
    assert distribution["Type"] == "AWS::CloudFront::Distribution"
    found: dict[str, Any] = distribution["Properties"]["DistributionConfig"]
    return found


def holds(template: dict[str, Any], expression: Any, parameters: dict[str, str]) -> Any:
    """Evaluates the condition functions the template uses, for the given parameters."""
    if not isinstance(expression, dict):
        return expression
    ((function, argument),) = expression.items()
    if function == "Ref":
        given = parameters.get(argument)
        return given if given is not None else template["Parameters"][argument].get("Default")
    if function == "Condition":
        return holds(template, template["Conditions"][argument], parameters)
    values = [holds(template, a, parameters) for a in argument]
    if function == "Fn::Equals":
        return str(values[0]) == str(values[1])
    if function == "Fn::Not":
        return not values[0]
    if function == "Fn::And":
        return all(values)
    raise AssertionError(f"unexpected {function}")


def created(template: dict[str, Any], parameters: dict[str, str]) -> bool:
    condition = template["Resources"]["EdgeDistribution"]["Condition"]
    return bool(holds(template, {"Condition": condition}, parameters))


def test_the_distribution_exists_only_when_asked_for_and_the_api_is_known(
    template: dict[str, Any],
) -> None:
    # The existing deploy steps (and make deploy-limits, which sets WebApiId) make none.
    assert not created(template, {})
    assert not created(template, {"WebApiId": "abc123defg"})
    assert not created(template, {"EdgeDistributionEnabled": "true"})
    assert created(template, {"EdgeDistributionEnabled": "true", "WebApiId": "abc123defg"})

    output = template["Outputs"]["EdgeDomainName"]
    assert output["Condition"] == template["Resources"]["EdgeDistribution"]["Condition"]
    assert output["Value"] == {"Fn::GetAtt": ["EdgeDistribution", "DomainName"]}


def test_its_origin_is_the_stage_the_regional_waf_guards(config: dict[str, Any]) -> None:
    (origin,) = config["Origins"]

    api = "${WebApiId}.execute-api.${AWS::Region}.amazonaws.com"
    assert origin["DomainName"] == {"Fn::Sub": api}
    assert origin["OriginPath"] == {"Fn::Sub": "/${WebApiStage}"}
    custom = origin["CustomOriginConfig"]
    assert custom["OriginProtocolPolicy"] == "https-only"
    assert custom["OriginSSLProtocols"] == ["TLSv1.2"]
    # API Gateway's own limit is 29 s: CloudFront must not give up first.
    assert custom["OriginReadTimeout"] >= 29


def test_hashed_assets_are_cached_at_the_edge_per_encoding(config: dict[str, Any]) -> None:
    (assets,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/assets/*"]

    # CachingOptimized keys on the normalised Accept-Encoding: a phone asking for br
    # never gets the gzip copy another phone fetched, nor an encoding it cannot read.
    assert assets["CachePolicyId"] == CACHING_OPTIMIZED
    assert assets["Compress"] is True
    assert set(assets["AllowedMethods"]) == {"GET", "HEAD"}
    # No cookies or session reach the origin for a public, immutable file.
    assert "OriginRequestPolicyId" not in assets


def test_the_cached_patterns_are_where_the_app_serves_hashed_files_and_public_pages(
    config: dict[str, Any], app: Flask
) -> None:
    patterns = {b["PathPattern"] for b in config["CacheBehaviors"]}
    routes = {rule.rule for rule in app.url_map.iter_rules()}

    assert patterns == {"/assets/*", "/layanan", "/layanan/*"}
    assert "/assets/<path:name>" in routes
    assert {"/layanan", "/layanan/<kode>"} <= routes


def test_the_public_service_times_are_cached_at_the_edge_as_the_app_allows(
    config: dict[str, Any], app: Flask
) -> None:
    pages = [b for b in config["CacheBehaviors"] if b["PathPattern"].startswith("/layanan")]
    for page in pages:
        assert page["CachePolicyId"] == CACHING_OPTIMIZED
        assert set(page["AllowedMethods"]) == {"GET", "HEAD"}
        assert "OriginRequestPolicyId" not in page  # no cookie or session reaches the app
    # CachingOptimized keeps what the app says it may (its key has no cookie, whatever
    # Vary says): five minutes, for everyone, and a missing kabupaten not at all.
    client = app.test_client()
    for path in ("/layanan", "/layanan/52.03"):
        shown = client.get(path)
        assert shown.status_code == 200
        assert shown.headers["Cache-Control"] == "public, max-age=300"
        assert "Set-Cookie" not in shown.headers  # the same page for every reader
    assert client.get("/layanan/99.99").headers["Cache-Control"] == "no-store"


def test_everything_else_reaches_the_app_uncached_with_all_it_sent(
    config: dict[str, Any],
) -> None:
    default = config["DefaultCacheBehavior"]

    assert default["CachePolicyId"] == CACHING_DISABLED
    # Cookies, query strings, Authorization and every header but Host (API Gateway
    # answers 403 to a Host that is not its own).
    assert default["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(default["AllowedMethods"]) == ALL_METHODS
    assert default["TargetOriginId"] == config["Origins"][0]["Id"]


def test_plain_http_is_redirected_everywhere(config: dict[str, Any]) -> None:
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]

    assert {b["ViewerProtocolPolicy"] for b in behaviours} == {"redirect-to-https"}


def test_the_apps_security_headers_pass_unchanged(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    kinds = {r["Type"] for r in template["Resources"].values()}

    # A response headers policy or an edge function could replace the app's CSP.
    for behaviour in behaviours:
        assert "ResponseHeadersPolicyId" not in behaviour
        assert "FunctionAssociations" not in behaviour
        assert "LambdaFunctionAssociations" not in behaviour
    assert "AWS::CloudFront::ResponseHeadersPolicy" not in kinds
    assert "AWS::CloudFront::Function" not in kinds


def test_no_error_is_cached_at_the_edge(config: dict[str, Any]) -> None:
    # Under CachingDisabled the key is the path alone: a cached 404 or 503 would be
    # served to the next user of that path, whoever they are.
    ttls = {e["ErrorCode"]: e["ErrorCachingMinTTL"] for e in config["CustomErrorResponses"]}

    assert set(ttls) >= CACHED_ERRORS
    assert set(ttls.values()) == {0}
    assert not any("ResponsePagePath" in e for e in config["CustomErrorResponses"])


def test_protocols_tls_and_the_edges_near_lombok(config: dict[str, Any]) -> None:
    assert config["HttpVersion"] == "http2and3"
    assert config["PriceClass"] == "PriceClass_200"  # 100 leaves out Indonesia and Singapore
    condition, with_alias, without = config["ViewerCertificate"]["Fn::If"]
    assert condition == "HasEdgeAlias"
    assert with_alias == {
        "AcmCertificateArn": {"Ref": "EdgeCertificateArn"},
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    assert without == {"CloudFrontDefaultCertificate": True}
    assert config["Aliases"]["Fn::If"][0] == "HasEdgeAlias"


def test_an_alias_certificate_must_come_from_us_east_1(template: dict[str, Any]) -> None:
    pattern = template["Parameters"]["EdgeCertificateArn"]["AllowedPattern"]
    arn = "arn:aws:acm:{}:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"

    # CloudFront refuses any other region's certificate, after a long stack update.
    assert re.fullmatch(pattern, arn.format("us-east-1"))
    assert not re.fullmatch(pattern, arn.format("ap-southeast-3"))
    assert re.fullmatch(pattern, "")  # no alias


def test_cfn_lint_checks_the_distribution_though_it_is_conditional() -> None:
    broken = TEMPLATE.read_text().replace("HttpVersion: http2and3", "HttpVersion: http4")

    matches = cfn_lint.lint(broken, config=cfn_lint.ManualArgs(regions=["ap-southeast-3"]))

    assert any(m.rule.id.startswith("E") and "http4" in m.message for m in matches)


# --- The origin secret: what proves a request came through the distribution ---
SECRET = "kunci-asal-cloudfront-0123456789abcdef"
ENABLED = {"EdgeDistributionEnabled": "true", "WebApiId": "abc123defg", "EdgeOriginSecret": SECRET}


def refusals(template: dict[str, Any], parameters: dict[str, str]) -> list[str]:
    """What the template's Rules refuse for these parameters (CloudFormation would)."""
    refused = []
    for rule in template["Rules"].values():
        if "RuleCondition" in rule and not holds(template, rule["RuleCondition"], parameters):
            continue
        for assertion in rule["Assertions"]:
            if not holds(template, assertion["Assert"], parameters):
                refused.append(assertion["AssertDescription"])
    return refused


def waf_rules(template: dict[str, Any], parameters: dict[str, str]) -> list[dict[str, Any]]:
    """The regional WebAcl's rules as created for these parameters, in the order WAF runs them."""
    found = []
    for rule in template["Resources"]["WebAcl"]["Properties"]["Rules"]:
        if "Fn::If" in rule:
            condition, present, absent = rule["Fn::If"]
            assert absent == {"Ref": "AWS::NoValue"}
            if not holds(template, {"Condition": condition}, parameters):
                continue
            rule = present
        found.append(rule)
    return sorted(found, key=lambda rule: rule["Priority"])


def matches(statement: dict[str, Any], headers: dict[str, str], secret: str) -> bool:
    """WAF's verdict on the header statements the edge rules use."""
    if "NotStatement" in statement:
        return not matches(statement["NotStatement"]["Statement"], headers, secret)
    byte_match = statement["ByteMatchStatement"]
    name = byte_match["FieldToMatch"]["SingleHeader"]["Name"]
    assert name == name.lower()  # WAF takes header names in lower case
    assert byte_match["PositionalConstraint"] == "EXACTLY"
    assert byte_match["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}]
    assert byte_match["SearchString"] == {"Ref": "EdgeOriginSecret"}
    sent = {key.lower(): value for key, value in headers.items()}.get(name)
    return sent == secret


def first_verdict(rules: list[dict[str, Any]], headers: dict[str, str]) -> tuple[str, str]:
    """The first edge rule that decides a request (name, action); the rest is the rate rules'."""
    for rule in rules:
        if "RateBasedStatement" in rule["Statement"]:
            return "per-ip rules", "counted"
        if matches(rule["Statement"], headers, SECRET):
            (action,) = rule["Action"]
            return rule["Name"], action
    return "default", "Allow"


def test_the_origin_sends_the_secret_of_a_no_echo_parameter(
    template: dict[str, Any], config: dict[str, Any]
) -> None:
    (origin,) = config["Origins"]
    parameter = template["Parameters"]["EdgeOriginSecret"]

    # CloudFront replaces a header of that name that a viewer sent.
    assert origin["OriginCustomHeaders"] == [
        {"HeaderName": EDGE_HEADER, "HeaderValue": {"Ref": "EdgeOriginSecret"}}
    ]
    assert parameter["NoEcho"] is True  # never shown by describe-stacks or the console
    assert parameter["Default"] == ""
    pattern = parameter["AllowedPattern"]
    assert re.fullmatch(pattern, SECRET) and re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, "x" * 31)  # guessable: the app refuses it too
    assert not re.fullmatch(pattern, "a" * 40 + " ")


def test_the_distribution_is_refused_without_its_secret(template: dict[str, Any]) -> None:
    without = {**ENABLED, "EdgeOriginSecret": ""}

    assert any("EdgeOriginSecret" in refused for refused in refusals(template, without))
    assert refusals(template, ENABLED) == []
    assert refusals(template, {}) == []  # the deploy steps without the edge


def test_with_the_edge_the_waf_refuses_what_did_not_come_through_it(
    template: dict[str, Any],
) -> None:
    rules = waf_rules(template, ENABLED)
    direct = {"CloudFront-Viewer-Address": "10.9.8.7:1234"}  # made up, at execute-api
    blocked = next(r for r in rules if r["Name"] == first_verdict(rules, direct)[0])

    assert first_verdict(rules, direct) == ("only-through-the-edge", "Block")
    assert first_verdict(rules, {**direct, EDGE_HEADER: "tebakan"})[1] == "Block"
    custom = blocked["Action"]["Block"]["CustomResponse"]
    body = template["Resources"]["WebAcl"]["Properties"]["CustomResponseBodies"][
        custom["CustomResponseBodyKey"]
    ]
    assert custom["ResponseCode"] == 403
    assert json.loads(body["Content"])["detail"].startswith("Alamat ini tidak melayani")
    # Through the edge: allowed before the per-IP rules, which would count the edge's
    # address for every phone behind it (the CLOUDFRONT web ACL counts the viewer).
    assert first_verdict(rules, {EDGE_HEADER: SECRET}) == ("through-the-edge", "Allow")


def test_without_the_edge_the_waf_is_the_per_ip_rules_alone(template: dict[str, Any]) -> None:
    for parameters in ({}, {"WebApiId": "abc123defg"}):
        rules = waf_rules(template, parameters)

        assert [r["Name"] for r in rules] == ["public-lookup-per-ip", "login-per-ip"]
        assert first_verdict(rules, {}) == ("per-ip rules", "counted")


def test_the_dns_move_may_hold_back_only_the_refusal(template: dict[str, Any]) -> None:
    rules = waf_rules(template, {**ENABLED, "EdgeAllowDirect": "true"})

    # The API's own domain still works while DNS moves; the edge's traffic still skips
    # the per-IP rules, and a direct caller is still counted by its own address.
    assert first_verdict(rules, {}) == ("per-ip rules", "counted")
    assert first_verdict(rules, {EDGE_HEADER: SECRET}) == ("through-the-edge", "Allow")
    assert template["Parameters"]["EdgeAllowDirect"]["Default"] == "false"
