"""The alarms of infra/bakso.yaml: each watches the right metric and tells AlarmTopic.

moto's CloudFormation creates neither alarms nor metric filters, so they are
read from the template (cfn-lint checks it in test_infra.py). What ties the
alarms to the code is checked against the code: the retention run's log lines
match the metric filters, the names of Zappa's functions and API are the ones
Zappa 0.63 gives them.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

import aws_env
import bakso.workers.sqs
from bakso import config as bakso_config
from bakso.domain.errors import StoreUnavailable
from bakso.logs import JsonFormatter
from fakes import build_services

ROOT = Path(__file__).resolve().parents[2]
TOPIC = {"Ref": "AlarmTopic"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(cfn_yaml.load(str(ROOT / "infra/bakso.yaml"))))
    return loaded


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def alarm(template: dict[str, Any], name: str) -> dict[str, Any]:
    return alarms(template)[name]


def dimensions(properties: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in properties.get("Dimensions", [])}


def default(template: dict[str, Any], parameter: str) -> Any:
    return template["Parameters"][parameter]["Default"]


# alarm → (namespace, metric, dimensions, statistic, comparison)
SINGLE_METRIC_ALARMS = {
    "DeadLettersAlarm": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": {"Fn::GetAtt": ["WorkDeadLetterQueue", "QueueName"]}},
        "Maximum",
        "GreaterThanThreshold",
    ),
    "QueueAgeAlarm": (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": {"Fn::GetAtt": ["WorkQueue", "QueueName"]}},
        "Maximum",
        "GreaterThanThreshold",
    ),
    "WebErrorsAlarm": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": {"Ref": "WebFunctionName"}},
        "Sum",
        "GreaterThanThreshold",
    ),
    "WebThrottlesAlarm": (
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": {"Ref": "WebFunctionName"}},
        "Sum",
        "GreaterThanThreshold",
    ),
    "WorkerErrorsAlarm": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": {"Ref": "WorkerFunctionName"}},
        "Sum",
        "GreaterThanThreshold",
    ),
    "WorkerThrottlesAlarm": (
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": {"Ref": "WorkerFunctionName"}},
        "Sum",
        "GreaterThanThreshold",
    ),
    "ApiErrorsAlarm": (
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": {"Ref": "WebApiName"}, "Stage": {"Ref": "WebApiStage"}},
        "Sum",
        "GreaterThanThreshold",
    ),
    "RetentionFailedAlarm": (
        {"Fn::Sub": "BAKSO/${AWS::StackName}"},
        "RetentionRunFailed",
        {},
        "Sum",
        "GreaterThanThreshold",
    ),
    "RetentionMissedAlarm": (
        {"Fn::Sub": "BAKSO/${AWS::StackName}"},
        "RetentionRunDone",
        {},
        "Sum",
        "LessThanThreshold",
    ),
}


@pytest.mark.parametrize("name", sorted(SINGLE_METRIC_ALARMS))
def test_alarm_watches_its_metric(template: dict[str, Any], name: str) -> None:
    namespace, metric, dims, statistic, comparison = SINGLE_METRIC_ALARMS[name]
    properties = alarm(template, name)

    assert properties["Namespace"] == namespace
    assert properties["MetricName"] == metric
    assert dimensions(properties) == dims
    assert properties["Statistic"] == statistic
    assert properties["ComparisonOperator"] == comparison


def test_every_alarm_tells_the_topic_when_it_fires_and_clears(template: dict[str, Any]) -> None:
    found = alarms(template)

    assert set(SINGLE_METRIC_ALARMS) | {
        "TableThrottledRequestsAlarm",
        "TableThrottleEventsAlarm",
    } <= set(found)
    for name, properties in found.items():
        assert properties["AlarmActions"] == [TOPIC], name
        assert properties["OKActions"] == [TOPIC], name


def test_the_subscription_is_a_stack_parameter_and_optional(template: dict[str, Any]) -> None:
    subscription = template["Resources"]["AlarmSubscription"]

    assert template["Resources"]["AlarmTopic"]["Type"] == "AWS::SNS::Topic"
    assert subscription["Type"] == "AWS::SNS::Subscription"
    assert subscription["Properties"] == {
        "TopicArn": TOPIC,
        "Protocol": {"Ref": "AlarmProtocol"},
        "Endpoint": {"Ref": "AlarmEndpoint"},
    }
    assert default(template, "AlarmEndpoint") == ""
    assert subscription["Condition"] == "HasAlarmEndpoint"
    assert template["Conditions"]["HasAlarmEndpoint"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEndpoint"}, ""]}]
    }


def test_the_dead_letter_alarm_fires_on_the_first_message(template: dict[str, Any]) -> None:
    properties = alarm(template, "DeadLettersAlarm")

    assert properties["Threshold"] == 0
    assert properties["TreatMissingData"] == "notBreaching"  # SQS stops reporting idle queues


def test_the_queue_age_alarm_waits_twice_the_batch_build_deadline(
    template: dict[str, Any],
) -> None:
    assert alarm(template, "QueueAgeAlarm")["Threshold"] == {"Ref": "QueueAgeAlarmSeconds"}
    assert default(template, "QueueAgeAlarmSeconds") == 2 * bakso_config.Config.BATCH_BUILD_DEADLINE


def test_table_throttles_are_watched_on_the_table_and_every_index(
    template: dict[str, Any],
) -> None:
    (query,) = alarm(template, "TableThrottledRequestsAlarm")["Metrics"]
    events = {m["Id"]: m for m in alarm(template, "TableThrottleEventsAlarm")["Metrics"]}

    # ThrottledRequests counts throttles of the table and of its indexes, by Operation.
    expression = query["Expression"]["Fn::Sub"]
    assert re.fullmatch(
        r"SELECT SUM\(ThrottledRequests\) FROM SCHEMA\(\"AWS/DynamoDB\", Operation, TableName\)"
        r"\s+WHERE TableName = '\$\{TableName\}'\s*",
        expression,
    ), expression
    assert query["ReturnData"] is True
    for metric_id, metric in [("reads", "ReadThrottleEvents"), ("writes", "WriteThrottleEvents")]:
        stat = events[metric_id]["MetricStat"]
        assert stat["Metric"]["Namespace"] == "AWS/DynamoDB"
        assert stat["Metric"]["MetricName"] == metric
        assert dimensions(stat["Metric"]) == {"TableName": {"Ref": "TableName"}}
        assert stat["Stat"] == "Sum"
    assert events["throttles"]["Expression"] == "reads + writes"
    assert [m["Id"] for m in events.values() if m["ReturnData"]] == ["throttles"]


def _metric_filters(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Metric name → the metric filter that counts it."""
    found = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Logs::MetricFilter":
            (transformation,) = resource["Properties"]["MetricTransformations"]
            found[transformation["MetricName"]] = {**resource["Properties"], **transformation}
    return found


def matches(pattern: str, line: dict[str, Any]) -> bool:
    """CloudWatch Logs' JSON filter `{ $.field = "value" }` applied to one log line."""
    parsed = re.fullmatch(r'\{ \$\.(\w+) = "([^"*]+)" \}', pattern)
    assert parsed, f"not the one filter shape this test evaluates: {pattern}"
    return line.get(parsed.group(1)) == parsed.group(2)


def _json_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The records as the worker writes them to CloudWatch Logs (bakso.logs on Lambda)."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_a_retention_run_is_counted_done_or_failed_by_the_worker_log_filters(
    template: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    filters = _metric_filters(template)
    done, failed = filters["RetentionRunDone"], filters["RetentionRunFailed"]
    for metric in (done, failed):
        assert metric["LogGroupName"] == {"Ref": "WorkerLogGroup"}
        assert metric["MetricNamespace"] == {"Fn::Sub": "BAKSO/${AWS::StackName}"}
        assert metric["MetricValue"] == "1"
    caplog.set_level(logging.INFO, logger="bakso")

    services = build_services().services  # the real retention job, on the fakes
    monkeypatch.setattr(bakso.workers.sqs, "_services", services)
    bakso.workers.sqs.cleanup_handler({}, None)
    succeeded = _json_lines(caplog)
    caplog.clear()

    def broken() -> None:
        raise StoreUnavailable("DynamoDB throttled")

    monkeypatch.setattr(services.retention, "purge", broken)
    with pytest.raises(StoreUnavailable):  # the invocation fails too: WorkerErrorsAlarm
        bakso.workers.sqs.cleanup_handler({}, None)
    failing = _json_lines(caplog)

    assert [line for line in succeeded if matches(done["FilterPattern"], line)] != []
    assert [line for line in succeeded if matches(failed["FilterPattern"], line)] == []
    counted = [line for line in failing if matches(failed["FilterPattern"], line)]
    assert counted != [] and all(line["level"] == "ERROR" for line in counted)
    assert [line for line in failing if matches(done["FilterPattern"], line)] == []


def test_a_missed_retention_run_alarms_after_26_hours_without_one_done(
    template: dict[str, Any],
) -> None:
    properties = alarm(template, "RetentionMissedAlarm")

    assert properties["Period"] * properties["EvaluationPeriods"] == 26 * 3600
    assert properties["DatapointsToAlarm"] == properties["EvaluationPeriods"]
    assert properties["Threshold"] == 1
    # No datapoint at all is what a run that never happened looks like.
    assert properties["TreatMissingData"] == "breaching"
    assert alarm(template, "RetentionFailedAlarm")["TreatMissingData"] == "notBreaching"


def test_api_alarm_names_the_api_and_stage_zappa_creates(
    template: dict[str, Any], stack: aws_env.Stack
) -> None:
    """Zappa 0.63 names the REST API after the function and deploys the stage's name."""
    from zappa.cli import ZappaCLI

    cli = ZappaCLI()
    cli.api_stage = "web"
    cli.load_settings(str(ROOT / "zappa_settings.json"))
    generated = cli.zappa.create_stack_template(
        lambda_arn=f"arn:aws:lambda:{aws_env.REGION}:123456789012:function:{cli.lambda_name}",
        lambda_name=cli.lambda_name,
        api_key_required=False,
        iam_authorization=False,
        authorizer=None,
        cors_options=None,
        description="BAKSO",
        endpoint_configuration=cli.stage_config.get("endpoint_configuration"),
    )
    (api,) = [
        r
        for r in json.loads(generated.to_json())["Resources"].values()
        if r["Type"] == "AWS::ApiGateway::RestApi"
    ]

    assert api["Properties"]["Name"] == default(template, "WebApiName")
    assert cli.api_stage == default(template, "WebApiStage")
    assert cli.lambda_name == default(template, "WebFunctionName")
