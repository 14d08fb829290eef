"""`make deploy-limits`: put the WAF rate rules of infra/bakso.yaml in front of the web API.

Zappa creates the web stage's REST API in its own stack, so this stack learns the
API's id only after `zappa deploy web`. This script finds it (by the name Zappa
gives the API: its function's name), updates the stack with `WebApiId`, which
associates the WebACL with the stage, then prints what is in force: the WebACL
on the stage and the reserved concurrency Zappa set on both functions
(`lambda_concurrency` in zappa_settings.json). Other stack parameters keep their
values (`aws cloudformation deploy` reuses what is not overridden).

Needs the AWS CLI v2 and deployer credentials; run again after a `zappa
undeploy web` + `zappa deploy web` (a new API has a new id). Every command is
built by a function below so tests/integration/test_deploy_limits.py checks them
without AWS.

    python infra/deploy_limits.py [--stack bakso] [--settings zappa_settings.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
API_ID = re.compile(r"^[a-z0-9]{10}$")


@dataclass(frozen=True)
class Names:
    """What Zappa 0.63 names, from zappa_settings.json: <project_name>-<stage>."""

    region: str
    api_name: str  # the REST API is named after the web function
    api_stage: str
    functions: tuple[str, ...]


def names(settings: dict[str, dict[str, Any]], web_stage: str = "web") -> Names:
    def stage(name: str) -> dict[str, Any]:
        config = dict(settings[name])
        parent = config.pop("extends", None)
        return {**stage(parent), **config} if parent else config

    web = stage(web_stage)
    functions = tuple(f"{stage(name)['project_name']}-{name}" for name in settings)
    return Names(
        region=web["aws_region"],
        api_name=f"{web['project_name']}-{web_stage}",
        api_stage=web_stage,
        functions=functions,
    )


def find_api_command(n: Names) -> list[str]:
    return [
        "aws", "apigateway", "get-rest-apis", "--region", n.region,
        "--query", f"items[?name=='{n.api_name}'].id", "--output", "text",
    ]  # fmt: skip


def api_id_from(output: str, n: Names) -> str:
    """The one API id `find_api_command` printed; refuses none, several or a malformed one."""
    ids = output.split()
    if len(ids) != 1 or not API_ID.match(ids[0]):
        raise SystemExit(
            f"expected one REST API named {n.api_name} in {n.region}, found {ids or 'none'}: "
            "run `zappa deploy web` first, or remove the stale API"
        )
    return ids[0]


def deploy_command(n: Names, stack: str, api_id: str, template: Path) -> list[str]:
    return [
        "aws", "cloudformation", "deploy", "--region", n.region,
        "--stack-name", stack, "--template-file", str(template),
        "--capabilities", "CAPABILITY_NAMED_IAM", "--no-fail-on-empty-changeset",
        "--parameter-overrides", f"WebApiId={api_id}", f"WebApiStage={n.api_stage}",
    ]  # fmt: skip


def stage_arn(n: Names, api_id: str, partition: str = "aws") -> str:
    return f"arn:{partition}:apigateway:{n.region}::/restapis/{api_id}/stages/{n.api_stage}"


def check_commands(n: Names, api_id: str) -> list[list[str]]:
    """What is in force afterwards: the WebACL on the stage, each function's reservation."""
    waf = [
        "aws", "wafv2", "get-web-acl-for-resource", "--region", n.region,
        "--resource-arn", stage_arn(n, api_id), "--query", "WebACL.Name", "--output", "text",
    ]  # fmt: skip
    concurrency = [
        ["aws", "lambda", "get-function-concurrency", "--region", n.region,
         "--function-name", function, "--output", "text"]
        for function in n.functions
    ]  # fmt: skip
    return [waf, *concurrency]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", default="bakso")
    parser.add_argument("--settings", type=Path, default=ROOT / "zappa_settings.json")
    parser.add_argument("--template", type=Path, default=ROOT / "infra" / "bakso.yaml")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    args = parser.parse_args(argv)
    n = names(json.loads(args.settings.read_text()))

    def run(command: list[str]) -> str:
        print("+", shlex.join(command), flush=True)
        if args.dry_run:
            return "<api-id>"
        # Argument lists built above from zappa_settings.json, never through a shell.
        done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
        print(done.stdout, end="")
        return done.stdout

    found = run(find_api_command(n))
    api_id = found.strip() if args.dry_run else api_id_from(found, n)
    run(deploy_command(n, args.stack, api_id, args.template))
    for command in check_commands(n, api_id):
        run(command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
