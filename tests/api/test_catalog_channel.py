"""The channel the loket's consent names comes with the catalog (#18 review): the consent
checkbox said "SMS/WhatsApp" while the receipt named the configured notifier's one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bakso.domain.notifications import channel_name
from helpers import DESA_A, PASSWORD, Api, close_app, make_app, services_of


def test_catalog_names_the_configured_channel(api_factory: Callable[[str], Api]) -> None:
    # The test app's NOTIFIER is the default, local: it stands in for SMS.
    answer = api_factory("op.a").get("/api/v1/catalog").get_json()
    assert answer["notify_channel"] == "SMS"
    assert answer["services"]


def test_no_notifier_names_no_channel(data_dir: Path) -> None:
    app = make_app(data_dir, NOTIFIER="none")
    try:
        services_of(app).accounts.create_user("op.x", "operator", DESA_A, PASSWORD)
        api = Api(app.test_client())
        assert api.login("op.x").status_code == 200
        assert api.get("/api/v1/catalog").get_json()["notify_channel"] is None
    finally:
        close_app(app)


@pytest.mark.parametrize(
    ("setting", "name"),
    [("local", "SMS"), ("sns", "SMS"), ("whatsapp", "WhatsApp"), ("none", None)],
)
def test_channel_of_each_setting(setting: str, name: str | None) -> None:
    assert channel_name(setting) == name
