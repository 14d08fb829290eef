"""The deploy venv: what runs on Lambda, as wheels for the Lambda runtime, plus Zappa.

    python3.11 infra/lambda_venv.py [VENV]             # VENV defaults to .venv-deploy
    python3.11 infra/lambda_venv.py VENV --code-only   # reinstall BAKSO itself, nothing else

`zappa package` packs the venv's site-packages as they are (use_precompiled_packages is
off in zappa_settings.json), so every compiled library in it must load on the runtime
zappa_settings.json names, not only on the machine that builds. python3.11 on Lambda is
Amazon Linux 2 with glibc 2.26, while a plain `pip install` takes the newest wheel the
build machine can run (Pillow 13 ships manylinux_2_27/2_28 wheels only; its libm calls
need GLIBC_2.27). So this script

1. resolves BAKSO's runtime dependencies for the runtime's platform (pip --platform
   manylinux_2_26 ... manylinux1, --only-binary=:all:): the newest versions that still
   ship a wheel for glibc <= 2.26;
2. installs those runtime dependencies and Zappa into the venv, constrained to the
   versions of 1 (Zappa's own tools have sdists only, which a --platform install cannot
   take, so this install is an ordinary one);
3. replaces every compiled distribution in the venv by its wheel for the runtime's
   platform, same version;
4. installs BAKSO itself (pure Python) from a copy of the sources, so that the build
   leaves nothing in the working tree.

Run it again after a `git pull`: it is idempotent. tests/integration/test_zappa_package.py
builds its venv with this script and checks every `.so` in the `zappa package` output.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The OS under each Lambda Python runtime (AWS, "Lambda runtimes"): its glibc is the newest
# a compiled library may need.
RUNTIME_GLIBC = {"python3.11": (2, 26), "python3.12": (2, 34), "python3.13": (2, 34)}
GNU_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
LEGACY_MANYLINUX = {"manylinux2014": (2, 17), "manylinux2010": (2, 12), "manylinux1": (2, 5)}


def lambda_runtime() -> tuple[str, str]:
    """The runtime and architecture zappa_settings.json deploys every stage to."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    found = {
        (stage.get("runtime", settings["web"]["runtime"]), stage.get("architecture", "x86_64"))
        for stage in settings.values()
    }
    if len(found) != 1:
        sys.exit(f"zappa_settings.json: the stages name different runtimes: {sorted(found)}")
    return found.pop()


def platform_options(runtime: str, architecture: str) -> list[str]:
    """pip options that select wheels for the runtime: its CPython, its glibc or older."""
    major, minor = RUNTIME_GLIBC[runtime]
    arch = GNU_ARCH[architecture]
    # Newest first: pip prefers the platforms in the order given.
    platforms = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    platforms += [
        f"{tag}_{arch}" for tag, glibc in LEGACY_MANYLINUX.items() if glibc <= (major, minor)
    ]
    python = runtime.removeprefix("python")
    options = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    options += ["--abi", "cp" + python.replace(".", "")]
    for platform in platforms:
        options += ["--platform", platform]
    return options


def pip(venv_dir: Path, *args: str) -> None:
    command = [str(venv_dir / "bin" / "python"), "-m", "pip", *args]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    if subprocess.run(command, env=env).returncode:  # noqa: S603 - our own arguments
        raise PipFailed(f"pip {args[0]} failed (see above)")


class PipFailed(RuntimeError):
    """A pip step failed (pip has said why)."""


def site_packages(venv_dir: Path) -> Path:
    (site,) = (venv_dir / "lib").glob("python3*/site-packages")
    return site


def requirements(extra: str | None = None) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted: list[str] = list(project["dependencies"])
    if extra:
        wanted += project["optional-dependencies"][extra]
    return wanted


def runtime_pins(venv_dir: Path, options: list[str], work: Path) -> list[str]:
    """name==version of every runtime dependency, as resolved for the Lambda platform."""
    report = work / "resolved.json"
    pip(
        venv_dir,
        "install",
        "--quiet",
        "--dry-run",
        "--ignore-installed",
        "--report",
        str(report),
        "--target",  # pip takes --platform only with --target, even for a dry run
        str(work / "unused"),
        *options,
        *requirements(),
    )
    resolved = json.loads(report.read_text())["install"]
    return sorted(f"{item['metadata']['name']}=={item['metadata']['version']}" for item in resolved)


def compiled_distributions(site: Path) -> list[str]:
    """name==version of each distribution in `site` whose wheel is not pure Python."""
    found = set()
    for dist in importlib.metadata.distributions(path=[str(site)]):
        wheel = dist.read_text("WHEEL") or ""
        if "Root-Is-Purelib: false" in wheel:
            found.add(f"{dist.metadata['Name']}=={dist.version}")
    return sorted(found)


def use_platform_wheels(venv_dir: Path, options: list[str], work: Path) -> list[str]:
    """Swap each compiled distribution in the venv for its build for the Lambda platform."""
    site = site_packages(venv_dir)
    compiled = compiled_distributions(site)
    if not compiled:
        return []
    staged = work / "platform"
    try:
        pip(
            venv_dir,
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(staged),
            *options,
            *compiled,
        )
    except PipFailed:
        sys.exit(
            f"no wheel for the Lambda runtime of one of {', '.join(compiled)}: pin an older "
            "version that has one (pip download --no-deps --platform manylinux2014_x86_64 "
            "--only-binary=:all: --python-version 3.11 NAME==VERSION)"
        )
    pip(venv_dir, "uninstall", "--quiet", "--yes", *(c.split("==")[0] for c in compiled))
    for entry in staged.iterdir():
        if entry.name == "bin":  # console scripts (e.g. charset-normalizer's): not packaged
            continue
        target = site / entry.name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        shutil.move(str(entry), str(target))
    return compiled


def source_copy(work: Path) -> Path:
    """BAKSO's sources alone: pip's build writes build/ and *.egg-info beside them."""
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "backend",
        source / "backend",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
    )
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("venv", nargs="?", type=Path, default=ROOT / ".venv-deploy")
    parser.add_argument("--code-only", action="store_true", help="reinstall BAKSO only")
    args = parser.parse_args()
    runtime, architecture = lambda_runtime()
    if runtime not in RUNTIME_GLIBC or architecture not in GNU_ARCH:
        sys.exit(f"{runtime} on {architecture}: not a runtime this script knows")
    if f"python{sys.version_info[0]}.{sys.version_info[1]}" != runtime:
        # Zappa packages the running interpreter's site-packages and names its version.
        sys.exit(f"run this with {runtime}, the runtime zappa_settings.json names")

    options = platform_options(runtime, architecture)
    venv_dir: Path = args.venv.resolve()
    with tempfile.TemporaryDirectory(prefix="bakso-lambda-venv-") as tmp:
        work = Path(tmp)
        if not args.code_only:
            if not (venv_dir / "bin" / "python").exists():
                venv.EnvBuilder(with_pip=True).create(venv_dir)
            pins = runtime_pins(venv_dir, options, work)
            constraints = work / "constraints.txt"
            constraints.write_text("".join(f"{pin}\n" for pin in pins))
            pip(venv_dir, "install", "--quiet", "-c", str(constraints), *requirements("deploy"))
            compiled = use_platform_wheels(venv_dir, options, work)
            glibc = ".".join(map(str, RUNTIME_GLIBC[runtime]))
            print(f"built for {runtime} on {architecture} (glibc {glibc}): {', '.join(compiled)}")
        pip(
            venv_dir, "install", "--quiet", "--no-deps", "--force-reinstall", str(source_copy(work))
        )


if __name__ == "__main__":
    try:
        main()
    except PipFailed as error:
        sys.exit(str(error))
