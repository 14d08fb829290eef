"""`zappa package web` from a venv holding only what runs on Lambda, as docs/deploy-aws.md does it.

The venv (.venv-zappa, git-ignored) is made once per pyproject.toml and Python
version; BAKSO itself is reinstalled into it when backend/ changes. No AWS
credentials are visible to Zappa.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-zappa"
LAMBDA_LIMIT = 250 * 1024 * 1024  # unzipped
# What the Lambda Python runtime itself provides (and zappa_settings.json excludes).
RUNTIME_PROVIDED = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3"]


def _digest(*paths: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _pip(*args: str) -> None:
    subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", *args],
        check=True,
        cwd=ROOT,
    )


def _source_copy(tmp_path: Path) -> Path:
    """The project's sources alone: pip's build writes build/ beside them."""
    source = tmp_path / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "backend", source / "backend", ignore=shutil.ignore_patterns("__pycache__")
    )
    return source


def runtime_venv(tmp_path: Path) -> Path:
    deps_key = _digest(ROOT / "pyproject.toml")
    code_key = _digest(ROOT / "backend")
    deps_stamp, code_stamp = VENV / f".deps-{deps_key}", VENV / f".code-{code_key}"
    if not deps_stamp.exists():
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        # The runtime dependencies, and Zappa to package them: no dev tools.
        _pip(f"{_source_copy(tmp_path / 'deps')}[deploy]")
        deps_stamp.touch()
    elif not code_stamp.exists():
        _pip("--no-deps", "--force-reinstall", str(_source_copy(tmp_path / "code")))
    for old in VENV.glob(".code-*"):
        old.unlink()
    code_stamp.touch()
    return VENV


def _without_aws_credentials(venv: Path, home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "BOTO_")) and key not in {"PYTHONPATH", "VIRTUAL_ENV"}
    }
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),  # no ~/.aws
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


@dataclass(frozen=True)
class Package:
    path: Path
    venv: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the package must be built by the runtime's Python (python3.11)")
    tmp = tmp_path_factory.mktemp("zappa")
    venv = runtime_venv(tmp)
    home = tmp / "home"
    home.mkdir()
    env = _without_aws_credentials(venv, home)
    path = tmp / "bakso-web.zip"
    # --json only skips Zappa's check for a newer release on PyPI.
    result = subprocess.run(
        [str(venv / "bin" / "zappa"), "package", "web", "--json", "-o", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Package(path, venv, env)


def test_web_stage_packages_without_credentials_under_lambdas_limit(package: Package) -> None:
    with zipfile.ZipFile(package.path) as archive:
        entries = archive.infolist()
    unzipped = sum(entry.file_size for entry in entries)
    names = {entry.filename for entry in entries}
    print(
        f"\nzappa package web: {package.path.stat().st_size / 2**20:.1f} MiB zipped, "
        f"{unzipped / 2**20:.1f} MiB unzipped (Lambda's limit: 250 MiB)"
    )
    assert unzipped < LAMBDA_LIMIT
    tops = {name.split("/", 1)[0] for name in names}
    assert {"bakso", "flask", "zappa", "handler.py", "zappa_settings.py"} <= tops
    assert not tops & {"boto3", "botocore", "tests", "infra", "backend", ".venv"}
    assert "bakso/data/wilayah_lotim.csv" in names
    # The built PWA is served by the web function; its sources and tools are not shipped.
    assert not [n for n in names if n.startswith("pwa/") and not n.startswith("pwa/dist/")]
    assert not [n for n in names if "/node_modules/" in n]
    if (ROOT / "pwa" / "dist" / "index.html").exists():
        assert "pwa/dist/index.html" in names


def test_packaged_entry_points_start_with_only_what_lambda_provides(
    package: Package, tmp_path: Path
) -> None:
    """The unzipped package plus the runtime's own libraries is enough to start both functions."""
    task, runtime = tmp_path / "task", tmp_path / "runtime"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(task)
    runtime.mkdir()
    site = next((package.venv / "lib").glob("python3*/site-packages"))
    for name in RUNTIME_PROVIDED:
        if (site / name).exists():
            (runtime / name).symlink_to(site / name)

    # -I -S: no site-packages, no user paths; only the package and the runtime's libraries.
    script = (
        "import sys; sys.path[:0] = sys.argv[1:3]\n"
        "import handler, bakso.wsgi, bakso.workers.sqs\n"
        "app = bakso.wsgi.app.flask\n"  # builds the app: config, catalog, AWS clients
        "assert app.extensions['bakso'].adapters == 'aws'\n"
        "print('ok')\n"
    )
    env = {
        **package.env,
        "BAKSO_CONFIG": "aws",
        "BAKSO_SECRET_KEY": "package-test-secret",
        "BAKSO_QUEUE_URL": "bakso-work",
        "AWS_DEFAULT_REGION": "ap-southeast-3",
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(task), str(runtime)],
        cwd=task,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok")
