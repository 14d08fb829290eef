"""Several BAKSO stacks in one AWS account: every name from one prefix (issue #16, part 4).

A stack (infra/bakso.yaml) and its two Zappa stages (web, worker) name a table, two
buckets, a queue, two functions with their roles and log groups, an API and a KMS alias.
All of them follow from the template's name parameters, and those follow from one prefix
here, so a second deployment in the same account (another kabupaten, a staging copy) is:

    python infra/sites.py bakso-lobar --bucket-suffix 2026 > /tmp/lobar.json
    # zappa_settings.bakso-lobar.json is written beside zappa_settings.json
    aws cloudformation deploy --stack-name bakso-lobar --template-file infra/bakso.yaml \
        --capabilities CAPABILITY_NAMED_IAM \
        --parameter-overrides $(python infra/sites.py bakso-lobar --overrides) AppOrigin=...
    zappa deploy web -s zappa_settings.bakso-lobar.json   (then worker)
    python infra/deploy_limits.py --stack bakso-lobar --settings zappa_settings.bakso-lobar.json

The first deployment keeps the names it has (`Site.default()`): its buckets were named
before this scheme, and renaming a table or a bucket would replace it with an empty one.
tests/integration/test_sites.py checks that the default reproduces zappa_settings.json
exactly and that two stacks stand side by side in one (moto) account.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "zappa_settings.json"
# Lambda function names allow 64 characters; Zappa adds "-worker" to the prefix, IAM adds
# "-role"; S3 buckets allow 63 and only lowercase letters, digits and hyphens.
PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")


@dataclass(frozen=True)
class Site:
    prefix: str  # Zappa's project_name: functions are <prefix>-web and <prefix>-worker
    table: str
    bucket: str
    deploy_bucket: str
    queue: str

    @classmethod
    def named(cls, prefix: str, bucket_suffix: str = "") -> Site:
        """A new site's names. Bucket names are global across all AWS accounts: a suffix
        (the account, a year) keeps them from colliding with someone else's."""
        if not PREFIX.match(prefix):
            raise ValueError(f"prefix {prefix!r}: 3-32 lowercase letters, digits and hyphens")
        tail = f"-{bucket_suffix}" if bucket_suffix else ""
        return cls(
            prefix=prefix,
            table=f"{prefix}-records",
            bucket=f"{prefix}-blobs{tail}",
            deploy_bucket=f"{prefix}-deploy{tail}",
            queue=f"{prefix}-work",
        )

    @classmethod
    def default(cls) -> Site:
        """Lombok Timur's deployment, as it was named before several sites existed."""
        return cls(
            "bakso", "bakso-records", "bakso-lotim-blobs", "bakso-lotim-deploy", "bakso-work"
        )

    @property
    def web_function(self) -> str:
        return f"{self.prefix}-web"

    @property
    def worker_function(self) -> str:
        return f"{self.prefix}-worker"

    def parameters(self) -> dict[str, str]:
        """The template's name parameters (`--parameter-overrides`)."""
        return {
            "TableName": self.table,
            "BucketName": self.bucket,
            "DeployBucketName": self.deploy_bucket,
            "QueueName": self.queue,
            "WebFunctionName": self.web_function,
            "WorkerFunctionName": self.worker_function,
            "WebApiName": self.web_function,  # Zappa names the REST API after the function
        }

    def zappa_settings(self, base: dict[str, Any]) -> dict[str, Any]:
        """The web and worker stages of zappa_settings.json with this site's names."""
        settings = copy.deepcopy(base)
        web, worker = settings["web"], settings["worker"]
        web["project_name"] = self.prefix
        web["s3_bucket"] = self.deploy_bucket
        web["role_name"] = f"{self.web_function}-role"
        worker["role_name"] = f"{self.worker_function}-role"
        env = web["aws_environment_variables"]
        env.update({"BAKSO_TABLE": self.table, "BAKSO_BUCKET": self.bucket})
        env["BAKSO_QUEUE_URL"] = self.queue
        return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", help="e.g. bakso-lobar; 'bakso' is the first deployment")
    parser.add_argument("--bucket-suffix", default="", help="keeps bucket names unique")
    parser.add_argument("--overrides", action="store_true", help="print Key=Value only")
    args = parser.parse_args(argv)
    site = Site.default() if args.prefix == "bakso" else Site.named(args.prefix, args.bucket_suffix)
    if args.overrides:
        print(" ".join(f"{k}={v}" for k, v in site.parameters().items()))
        return 0
    base = json.loads(SETTINGS.read_text(encoding="utf-8"))
    if args.prefix != "bakso":
        out = ROOT / f"zappa_settings.{site.prefix}.json"
        out.write_text(json.dumps(site.zappa_settings(base), indent=4) + "\n", encoding="utf-8")
        print(f"wrote {out.name}", file=sys.stderr)
    print(json.dumps(site.parameters(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
