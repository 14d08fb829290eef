"""Fixtures of the sasaran tests: Dukcapil's client and an importer driving the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bakso.bootstrap import Services
from helpers import Api
from sasaran.support import Importer


@pytest.fixture
def dukcapil(api_factory: Callable[[str | None], Api]) -> Api:
    return api_factory("dukcapil")


@pytest.fixture
def importer(dukcapil: Api, services: Services) -> Importer:
    return Importer(dukcapil, services)
