"""The stack's template without its records table: step 5 of the restore runbook.

A point-in-time restore makes a new table. CloudFormation cannot point the
`RecordsTable` resource at another table, so the runbook (docs/deploy-aws.md
"Restore runbook") first updates the stack with this template, which drops the
resource (its DeletionPolicy is Retain: the old table stays, untouched, as
evidence) while TableName already names the restored table, then imports the
restored table as `RecordsTable` with infra/bakso.yaml itself. Nothing else in
the template refers to the resource (the roles and alarms name the table by
the TableName parameter), which tests/integration/test_restore_runbook.py checks
by linting this output.

    python infra/restore_table.py > /tmp/bakso-without-table.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import cfn_flip  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
TABLE = "RecordsTable"


def without_table(template_yaml: str) -> str:
    """The template as JSON (CloudFormation takes either), minus the records table.

    Compact: a template passed inline must stay under 51,200 bytes.
    """
    template: dict[str, Any] = json.loads(cfn_flip.to_json(template_yaml))
    del template["Resources"][TABLE]
    return json.dumps(template, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "infra" / "bakso.yaml"
    sys.stdout.write(without_table(source.read_text()))
