"""Integration fixtures: the stack of infra/bakso.yaml in moto, and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import aws_env
from bakso import config


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[aws_env.Stack]:
    """moto running, the stack created, and BAKSO_CONFIG=aws pointing at it."""
    with aws_env.moto_aws(monkeypatch):
        resources = aws_env.deploy_stack()
        monkeypatch.setenv("BAKSO_CONFIG", "aws")
        for key, value in resources.config().items():
            monkeypatch.setattr(config.AwsConfig, key, value)
        monkeypatch.setattr(config.AwsConfig, "SECRET_KEY", "integration-test-secret")
        monkeypatch.setattr(config.AwsConfig, "AUDIT_KEY", "integration-test-audit-key")
        yield resources
