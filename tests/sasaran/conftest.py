"""Fixtures of the sasaran tests: the app on an adapter set, Dukcapil's client, an importer.

Every test that uses the app runs on the local set; those in ON_AWS_TOO run
on AWS as well (moto, the stack of infra/bakso.yaml), where a test fails if a
request path or worker step made DynamoDB Scan. Not all of them: moto is slow
enough that the whole suite on AWS would cost two minutes, and the sasaran
store's own contract (test_store.py) runs whole on both stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

import aws_env
from bakso.bootstrap import Services
from helpers import PASSWORD, USERS, Api, close_app, make_app, services_of
from sasaran.support import Importer

# One or more tests of each kind of path: import and re-import, updates by NIK
# and by name key, the report, follow-ups, coverage counters, the request
# hook, authorization, the worklist's cursor and revision, redelivery.
ON_AWS_TOO = {
    "test_import_with_good_bad_and_duplicate_rows_reports_exactly_each_line",
    "test_importing_the_same_file_again_changes_nothing",
    "test_new_import_updates_a_row_by_nik_and_keeps_its_followup",
    "test_line_without_nik_updates_the_row_with_the_same_name_desa_and_address",
    "test_same_name_and_address_with_another_nik_is_another_person",
    "test_report_pages_end_exactly_at_the_last_line",
    "test_followup_replayed_with_the_same_id_is_recorded_once",
    "test_an_older_followup_synced_late_does_not_replace_the_newer_one",
    "test_desa_figures_equal_the_hand_count",
    "test_kabupaten_total_pools_every_desa",
    "test_a_change_is_counted_once_even_when_told_twice",
    "test_request_started_from_a_row_serves_it_when_issued",
    "test_operator_figures_are_forced_to_own_desa",
    "test_unchanged_worklist_answers_304_to_its_etag_and_changes_after_a_followup",
    "test_worklist_pages_follow_the_cursor",
    "test_redelivered_messages_change_nothing_twice",
    "test_two_documents_two_requests_and_the_counters_follow",
    "test_a_followup_elsewhere_in_the_desa_sends_only_that_row",
    "test_dukcapil_withdraws_a_row_and_devices_get_a_tombstone",
    "test_a_revision_older_than_the_kept_tombstones_gets_the_full_list",
    "test_a_row_purged_by_retention_leaves_a_tombstone",
}
# moto takes milliseconds per item written: on AWS the import tests use
# 40-line chunks, so a few hundred lines still make several chunks.
AWS_CHUNK_ROWS = 40


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "app" in metafunc.fixturenames:
        on_aws = metafunc.definition.originalname in ON_AWS_TOO
        metafunc.parametrize("app", ["local", "aws"] if on_aws else ["local"], indirect=True)


@pytest.fixture
def app(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    with ExitStack() as stack:
        operations = None
        overrides = {}
        if request.param == "aws":
            operations = stack.enter_context(aws_env.aws_app_settings(monkeypatch))
            overrides["SASARAN_CHUNK_ROWS"] = AWS_CHUNK_ROWS
        app = make_app(data_dir, **overrides)
        accounts = services_of(app).accounts
        for username, role, desa in USERS:
            accounts.create_user(username, role, desa, PASSWORD)
        yield app
        close_app(app)
        if operations is not None:
            assert operations["Scan"] == 0, f"a request path scanned the table: {operations}"


@pytest.fixture
def dukcapil(api_factory: Callable[[str | None], Api]) -> Api:
    return api_factory("dukcapil")


@pytest.fixture
def importer(dukcapil: Api, services: Services) -> Importer:
    return Importer(dukcapil, services)
