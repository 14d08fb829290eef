"""infra/bakso.yaml and retention: what S3 deletes by itself, and that it matches the settings.

moto's CloudFormation ignores lifecycle rules, so they are read from the template.
"""

from __future__ import annotations

from typing import Any

from bakso.config import Config
from integration.test_infra import resource
from integration.test_infra import template as loaded_template

template = loaded_template  # the same fixture


def rules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    bucket = resource(template, "BlobBucket", "AWS::S3::Bucket")
    return {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}


def test_batch_zips_expire_after_the_days_the_worker_marks_batches_purged(
    template: dict[str, Any],
) -> None:
    rule = rules(template)["expire-batch-zips"]

    assert rule["Prefix"] == "batches/"
    assert rule["ExpirationInDays"] == {"Ref": "BatchRetentionDays"}
    assert template["Parameters"]["BatchRetentionDays"]["Default"] == Config.BATCH_RETENTION_DAYS


def test_deleted_objects_leave_no_version_behind_for_more_than_a_week(
    template: dict[str, Any],
) -> None:
    bucket = resource(template, "BlobBucket", "AWS::S3::Bucket")
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}  # kept on
    (purge,) = [r for r in rules(template).values() if "NoncurrentVersionExpiration" in r]

    assert purge["Status"] == "Enabled" and not {"Prefix", "Filter"} & set(purge)
    assert purge["NoncurrentVersionExpiration"]["NoncurrentDays"] <= 7
    assert purge["ExpiredObjectDeleteMarker"] is True


def test_return_and_import_uploads_expire_within_two_days(template: dict[str, Any]) -> None:
    by_prefix = {r.get("Prefix"): r for r in rules(template).values()}
    default = template["Parameters"]["UploadExpiryDays"]["Default"]

    for prefix in ("returns/", "sasaran-imports/"):  # services/return_base.py, sasaran_imports.py
        rule = by_prefix[prefix]
        assert rule["Status"] == "Enabled"
        assert rule["ExpirationInDays"] == {"Ref": "UploadExpiryDays"}
    assert Config.UPLOAD_RETENTION_DAYS <= default <= 2
