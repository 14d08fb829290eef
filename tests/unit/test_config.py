"""Configuration: a deployment without a secret key refuses to start; one machine makes its own.

Every setting can be given as BAKSO_<NAME>, typed and checked when load() runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bakso.workers.sqs
from bakso import config, create_app
from helpers import close_app, make_app, services_of


@pytest.fixture
def no_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("BAKSO_SECRET_KEY", raising=False)
    monkeypatch.delenv("BAKSO_AUDIT_KEY", raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BAKSO_DATA_DIR", str(data_dir))
    return data_dir


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_aws_without_secret_key_refuses_to_start_and_writes_no_key_file(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    if secret is not None:
        monkeypatch.setenv("BAKSO_SECRET_KEY", secret)

    with pytest.raises(config.ConfigError, match="BAKSO_SECRET_KEY is not set"):
        config.load()

    assert not no_secret.exists()


def test_aws_app_and_worker_without_secret_key_fail_before_building_anything(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    monkeypatch.setattr(bakso.workers.sqs, "_services", None)

    with pytest.raises(config.ConfigError, match=r"docs/deploy-aws\.md"):
        create_app()
    with pytest.raises(config.ConfigError):
        bakso.workers.sqs.lambda_handler({"Records": []}, None)
    assert not no_secret.exists()


def test_aws_reads_the_secret_key_from_the_environment(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    monkeypatch.setenv("BAKSO_SECRET_KEY", "from-lambda-configuration")
    monkeypatch.setenv("BAKSO_AUDIT_KEY", "audit-key-from-lambda-configuration")

    values = config.load()
    assert values["SECRET_KEY"] == "from-lambda-configuration"
    assert values["AUDIT_KEY"] == "audit-key-from-lambda-configuration"
    assert not no_secret.exists()


@pytest.mark.parametrize("audit_key", [None, "", "   "])
def test_aws_without_audit_key_refuses_to_start_and_writes_no_key_file(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch, audit_key: str | None
) -> None:
    # A key made up on a Lambda's disk would differ per instance and die with it.
    monkeypatch.setenv("BAKSO_CONFIG", "aws")
    monkeypatch.setenv("BAKSO_SECRET_KEY", "from-lambda-configuration")
    if audit_key is not None:
        monkeypatch.setenv("BAKSO_AUDIT_KEY", audit_key)

    with pytest.raises(config.ConfigError, match="BAKSO_AUDIT_KEY is not set"):
        config.load()
    assert not no_secret.exists()


def test_one_machine_keeps_its_own_audit_key_beside_the_data(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "local")

    values = config.load()

    assert len(values["AUDIT_KEY"]) >= 32 and values["AUDIT_KEY"] != values["SECRET_KEY"]
    assert (no_secret / "audit_key").read_text().strip() == values["AUDIT_KEY"]
    assert (no_secret / "audit_key").stat().st_mode & 0o077 == 0  # the owner's only
    assert config.load()["AUDIT_KEY"] == values["AUDIT_KEY"]
    assert sorted(p.name for p in no_secret.iterdir()) == ["audit_key", "secret_key"]


def test_one_machine_without_secret_key_makes_one_and_keeps_it(
    no_secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAKSO_CONFIG", "local")

    first = config.load()["SECRET_KEY"]

    assert len(first) >= 32
    assert (no_secret / "secret_key").read_text().strip() == first
    assert config.load()["SECRET_KEY"] == first


# Every setting from the environment -----------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No BAKSO_* variable but a data folder and a secret key; set more with env.setenv."""
    for name in [n for n in os.environ if n.startswith("BAKSO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BAKSO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BAKSO_SECRET_KEY", "test-secret")
    monkeypatch.setenv("BAKSO_AUDIT_KEY", "test-audit-key")
    return monkeypatch


def _as_variable(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple | dict):
        return json.dumps(list(value) if isinstance(value, tuple) else value)
    return str(value)


SETTINGS = sorted(
    key for key in dir(config.Config) if key.isupper() and getattr(config.Config, key) is not None
)


@pytest.mark.parametrize("key", SETTINGS)
def test_every_setting_with_a_default_can_be_given_in_the_environment(
    env: pytest.MonkeyPatch, key: str
) -> None:
    default = getattr(config.LocalConfig, key)
    env.setenv(f"BAKSO_{key}", _as_variable(default))

    assert config.load()[key] == default  # read back, typed like the default


@pytest.mark.parametrize(
    ("variable", "value", "key", "expected"),
    [
        ("BAKSO_BATCH_VOLUME_REQUESTS", " 40 ", "BATCH_VOLUME_REQUESTS", 40),
        ("BAKSO_BATCH_VOLUME_BYTES", str(64 * 1024 * 1024), "BATCH_VOLUME_BYTES", 64 << 20),
        ("BAKSO_BATCH_BUILD_DEADLINE", "7200", "BATCH_BUILD_DEADLINE", 7200),
        ("BAKSO_BATCH_STEP_REQUESTS", "25", "BATCH_STEP_REQUESTS", 25),
        ("BAKSO_RETURN_MAX_ROWS", "300", "RETURN_MAX_ROWS", 300),
        ("BAKSO_MAX_SCAN_BYTES", "2097152", "MAX_SCAN_BYTES", 2 * 1024 * 1024),
        ("BAKSO_RUN_WORKER", "yes", "RUN_WORKER", True),
        ("BAKSO_RUN_WORKER", "TRUE", "RUN_WORKER", True),
        ("BAKSO_RUN_WORKER", "1", "RUN_WORKER", True),
        ("BAKSO_SESSION_COOKIE_SECURE", "no", "SESSION_COOKIE_SECURE", False),
        ("BAKSO_SESSION_COOKIE_SECURE", "0", "SESSION_COOKIE_SECURE", False),
        ("BAKSO_SESSION_COOKIE_SECURE", "false", "SESSION_COOKIE_SECURE", False),
        ("BAKSO_KABUPATEN", "52.03; 52.04", "KABUPATEN", ("52.03", "52.04")),
        ("BAKSO_SESSION_COOKIE_SAMESITE", "Strict", "SESSION_COOKIE_SAMESITE", "Strict"),
        (
            "BAKSO_KABUPATEN_DIRS",
            '["/srv/a; b", "/srv/c"]',
            "KABUPATEN_DIRS",
            ("/srv/a; b", "/srv/c"),
        ),
        (
            "BAKSO_ARGON2_PARAMS",
            '{"time_cost": 1, "memory_cost": 1024}',
            "ARGON2_PARAMS",
            {"time_cost": 1, "memory_cost": 1024},
        ),
        (
            "BAKSO_PUBLIC_BASE_URL",
            "https://bakso.lomboktimurkab.go.id",
            "PUBLIC_BASE_URL",
            "https://bakso.lomboktimurkab.go.id",
        ),
        ("BAKSO_PUBLIC_BASE_URL", "", "PUBLIC_BASE_URL", None),
        ("BAKSO_CATALOG_FILE", "/srv/catalog.json", "CATALOG_FILE", "/srv/catalog.json"),
        ("BAKSO_PWA_DIST", "/var/task/pwa/dist", "PWA_DIST", "/var/task/pwa/dist"),
        ("BAKSO_QUEUE_URL", "https://sqs.example/q", "QUEUE_URL", "https://sqs.example/q"),
        ("BAKSO_AWS_REGION", "ap-southeast-1", "AWS_REGION", "ap-southeast-1"),
        ("BAKSO_TABLE_NAME", "t-long", "TABLE_NAME", "t-long"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("BAKSO_") else "",
)
def test_a_variable_is_typed_like_the_default_of_its_setting(
    env: pytest.MonkeyPatch, variable: str, value: str, key: str, expected: object
) -> None:
    env.setenv(variable, value)

    assert config.load()[key] == expected


def test_retention_of_zero_days_is_accepted_but_abandoned_drafts_keep_a_day(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("BAKSO_RETENTION_DAYS", "0")
    env.setenv("BAKSO_UNCOLLECTED_DAYS", "0")
    loaded = config.load()
    assert (loaded["RETENTION_DAYS"], loaded["UNCOLLECTED_DAYS"]) == (0, 0)
    assert loaded["ABANDONED_DAYS"] == 60
    # A draft being typed must not be cancelled by the next run.
    env.setenv("BAKSO_ABANDONED_DAYS", "0")
    with pytest.raises(config.ConfigError, match="BAKSO_ABANDONED_DAYS"):
        config.load()


def test_a_float_setting_reads_a_number(env: pytest.MonkeyPatch) -> None:
    class WithRatio(config.LocalConfig):
        RATIO = 1.5

    env.setitem(config.CONFIGS, "local", WithRatio)
    env.setenv("BAKSO_RATIO", "0.25")
    assert config.load()["RATIO"] == 0.25
    env.setenv("BAKSO_RATIO", "nan")
    with pytest.raises(config.ConfigError, match=r"BAKSO_RATIO='nan': expected a finite number"):
        config.load()


@pytest.mark.parametrize(
    ("alias", "key"),
    [
        ("BAKSO_TABLE", "TABLE_NAME"),
        ("BAKSO_BUCKET", "BUCKET_NAME"),
        ("BAKSO_QUEUE_URL", "QUEUE_URL"),
        ("BAKSO_AWS_REGION", "AWS_REGION"),
    ],
)
def test_the_names_zappa_settings_use_keep_working(
    env: pytest.MonkeyPatch, alias: str, key: str
) -> None:
    env.setenv("BAKSO_CONFIG", "aws")
    env.setenv(alias, "from-zappa-settings")

    assert config.load()[key] == "from-zappa-settings"


def test_an_alias_and_its_long_name_agreeing_is_fine_disagreeing_is_an_error(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("BAKSO_TABLE", "bakso-records")
    env.setenv("BAKSO_TABLE_NAME", "bakso-records")
    assert config.load()["TABLE_NAME"] == "bakso-records"

    env.setenv("BAKSO_TABLE_NAME", "other")
    with pytest.raises(config.ConfigError, match="BAKSO_TABLE_NAME and BAKSO_TABLE"):
        config.load()


def test_data_dir_secret_key_and_config_keep_their_meaning(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("BAKSO_DATA_DIR", str(tmp_path / "elsewhere"))
    env.setenv("BAKSO_SECRET_KEY", "shared-by-every-function")
    env.setenv("BAKSO_CONFIG", "aws")

    values = config.load()

    assert values["DATA_DIR"] == str(tmp_path / "elsewhere")
    assert values["SECRET_KEY"] == "shared-by-every-function"
    assert (values["NAME"], values["ADAPTERS"]) == ("aws", "aws")


def test_explicit_overrides_win_over_the_environment(env: pytest.MonkeyPatch) -> None:
    env.setenv("BAKSO_MAX_SCAN_BYTES", "1048576")
    env.setenv("BAKSO_SECRET_KEY", "from-environment")
    env.setenv("BAKSO_TABLE", "from-environment")

    values = config.load({"MAX_SCAN_BYTES": 2048, "SECRET_KEY": "given", "TABLE_NAME": "given"})

    assert (values["MAX_SCAN_BYTES"], values["SECRET_KEY"], values["TABLE_NAME"]) == (
        2048,
        "given",
        "given",
    )


def test_a_given_environment_mapping_replaces_os_environ(tmp_path: Path) -> None:
    values = config.load(
        environ={
            "BAKSO_DATA_DIR": str(tmp_path),
            "BAKSO_SECRET_KEY": "k",
            "BAKSO_PAGE_SIZE_MAX": "7",
        }
    )
    assert (values["PAGE_SIZE_MAX"], values["DATA_DIR"]) == (7, str(tmp_path))


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BAKSO_BATCH_VOLUME_REQUESTS", "many", "a whole number"),
        ("BAKSO_BATCH_VOLUME_REQUESTS", "0", "a whole number >= 1"),
        ("BAKSO_BATCH_VOLUME_REQUESTS", "2.5", "a whole number"),
        ("BAKSO_BATCH_VOLUME_BYTES", "1000", "a whole number >= 1048576"),
        ("BAKSO_BATCH_STEP_REQUESTS", "-5", "a whole number >= 1"),
        ("BAKSO_RETURN_CHUNK_ROWS", "", "a whole number"),
        ("BAKSO_RETURN_MAX_PDF_BYTES", "20MB", "a whole number"),
        ("BAKSO_MAX_SCAN_BYTES", "0", "a whole number >= 1"),
        ("BAKSO_QUEUE_MAX_RECEIVES", "5000", "<= 1000"),
        ("BAKSO_WORKER_VISIBILITY_TIMEOUT", "86400", "<= 43200"),
        ("BAKSO_PASSWORD_MIN_LENGTH", "4", ">= 8"),
        ("BAKSO_RUN_WORKER", "maybe", "1/0, true/false or yes/no"),
        ("BAKSO_RUN_WORKER", "", "1/0, true/false or yes/no"),
        ("BAKSO_ADAPTERS", "azure", "one of local, aws"),
        ("BAKSO_SESSION_COOKIE_SAMESITE", "lax", "one of Strict, Lax, None"),
        ("BAKSO_KABUPATEN", "5203", "kabupaten codes like 52.03"),
        ("BAKSO_PUBLIC_BASE_URL", "bakso.example", "https://"),
        ("BAKSO_KABUPATEN_DIRS", '["a", 1]', "a JSON list of strings"),
        ("BAKSO_KABUPATEN_DIRS", '["a"', "a JSON list of strings"),
        ("BAKSO_ARGON2_PARAMS", "time_cost=1", "a JSON object"),
        ("BAKSO_ARGON2_PARAMS", '{"time_cost": "1"}', "whole numbers >= 1"),
        ("BAKSO_ARGON2_PARAMS", '{"rounds": 1}', "keys among"),
        ("BAKSO_CONFIG", "production", "one of local, aws"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_what_it_expects(
    env: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    env.setenv(variable, value)

    with pytest.raises(config.ConfigError) as caught:
        config.load()

    message = str(caught.value)
    assert message.startswith(f"{variable}={value!r}: expected ")
    assert expected in message


def test_a_long_bad_value_is_shortened_in_the_message(env: pytest.MonkeyPatch) -> None:
    env.setenv("BAKSO_BATCH_STEP_REQUESTS", "x" * 500)
    with pytest.raises(config.ConfigError) as caught:
        config.load()
    assert len(str(caught.value)) < 150


def test_the_default_build_deadline_exceeds_the_queues_redelivery_window() -> None:
    defaults = config.Config
    window = defaults.WORKER_VISIBILITY_TIMEOUT * defaults.QUEUE_MAX_RECEIVES
    assert window < defaults.BATCH_BUILD_DEADLINE


@pytest.mark.parametrize(
    "variables",
    [
        {"BAKSO_BATCH_BUILD_DEADLINE": "600"},  # = 120 s × 5
        {"BAKSO_BATCH_BUILD_DEADLINE": "300"},
        {"BAKSO_WORKER_VISIBILITY_TIMEOUT": "900"},  # 900 s × 5 > 3600 s
        {"BAKSO_QUEUE_MAX_RECEIVES": "30"},
    ],
)
def test_a_build_deadline_inside_the_redelivery_window_is_refused_saying_why(
    env: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name, value in variables.items():
        env.setenv(name, value)

    with pytest.raises(config.ConfigError, match="BAKSO_BATCH_BUILD_DEADLINE=") as caught:
        config.load()

    assert "redelivery window" in str(caught.value)
    assert "BAKSO_WORKER_VISIBILITY_TIMEOUT × BAKSO_QUEUE_MAX_RECEIVES" in str(caught.value)


def test_the_build_deadline_rule_also_holds_for_overrides(env: pytest.MonkeyPatch) -> None:
    with pytest.raises(config.ConfigError, match="redelivery window"):
        config.load({"BATCH_BUILD_DEADLINE": 5})
    small = {"BATCH_BUILD_DEADLINE": 5, "WORKER_VISIBILITY_TIMEOUT": 1, "QUEUE_MAX_RECEIVES": 2}
    assert config.load(small)["BATCH_BUILD_DEADLINE"] == 5


def test_a_variable_set_after_import_is_seen_by_load(env: pytest.MonkeyPatch) -> None:
    # bakso.config was imported long before this test; the process reads its
    # environment when it builds its app, not when it imports the module.
    env.setenv("BAKSO_MAX_SCAN_BYTES", "3145728")
    env.setenv("BAKSO_PUBLIC_BASE_URL", "https://cek.example")
    env.setenv("BAKSO_AWS_REGION", "ap-southeast-1")
    env.setenv("BAKSO_TABLE", "t")
    env.setenv("BAKSO_BUCKET", "b")
    env.setenv("BAKSO_QUEUE_URL", "q")

    values = config.load()

    assert values["MAX_SCAN_BYTES"] == 3 * 1024 * 1024
    assert values["PUBLIC_BASE_URL"] == "https://cek.example"
    assert [values[k] for k in ("AWS_REGION", "TABLE_NAME", "BUCKET_NAME", "QUEUE_URL")] == [
        "ap-southeast-1",
        "t",
        "b",
        "q",
    ]


def test_importing_the_module_reads_nothing_from_the_environment(tmp_path: Path) -> None:
    variables = {
        "BAKSO_MAX_SCAN_BYTES": "1",
        "BAKSO_PUBLIC_BASE_URL": "https://x.example",
        "BAKSO_AWS_REGION": "r",
        "BAKSO_TABLE": "t",
        "BAKSO_BUCKET": "b",
        "BAKSO_QUEUE_URL": "q",
    }
    probe = (
        "import json, bakso.config as c; print(json.dumps([getattr(c.Config, k) for k in "
        "('MAX_SCAN_BYTES', 'PUBLIC_BASE_URL', 'AWS_REGION', 'TABLE_NAME', 'BUCKET_NAME', "
        "'QUEUE_URL')]))"
    )
    src = Path(config.__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **variables, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert json.loads(done.stdout) == [
        10 * 1024 * 1024,
        None,
        "ap-southeast-3",
        "bakso-records",
        "bakso-blobs",
        "",
    ]


def test_the_app_takes_its_settings_from_the_environment(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("BAKSO_MAX_SCAN_BYTES", "4194304")
    env.setenv("BAKSO_PAGE_SIZE_MAX", "20")

    app = make_app(tmp_path / "app")
    try:
        settings = services_of(app).requests.settings
        assert (settings.max_scan_bytes, settings.page_size_max) == (4 * 1024 * 1024, 20)
    finally:
        close_app(app)


def test_a_session_touch_interval_not_below_the_idle_timeout_is_refused(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("BAKSO_SESSION_IDLE_SECONDS", "300")
    with pytest.raises(config.ConfigError, match="SESSION_TOUCH_SECONDS"):
        config.load()
    env.setenv("BAKSO_SESSION_TOUCH_SECONDS", "60")
    assert config.load()["SESSION_IDLE_SECONDS"] == 300


def test_no_cloudfront_edge_is_trusted_unless_its_secret_is_given(
    env: pytest.MonkeyPatch,
) -> None:
    assert config.load()["EDGE_ORIGIN_SECRET"] == ""
    env.setenv("BAKSO_EDGE_ORIGIN_SECRET", " kunci-asal-cloudfront-0123456789abcdef\n")
    assert config.load()["EDGE_ORIGIN_SECRET"] == "kunci-asal-cloudfront-0123456789abcdef"


@pytest.mark.parametrize("secret", ["rahasia", "x" * 31])
def test_a_guessable_cloudfront_origin_secret_is_refused(
    env: pytest.MonkeyPatch, secret: str
) -> None:
    # Whoever knows it is counted as whichever address they write.
    env.setenv("BAKSO_EDGE_ORIGIN_SECRET", secret)
    with pytest.raises(config.ConfigError, match="BAKSO_EDGE_ORIGIN_SECRET is shorter than 32"):
        config.load()
    with pytest.raises(config.ConfigError, match="EdgeOriginSecret"):
        config.load({"EDGE_ORIGIN_SECRET": secret})  # an override is checked too
