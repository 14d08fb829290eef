"""The deploy venv: what runs on Lambda, with wheels the Lambda runtime can load, plus Zappa.

    python3.11 infra/lambda_venv.py [VENV]             # VENV defaults to .venv-deploy
    python3.11 infra/lambda_venv.py VENV --code-only   # reinstall BAKSO itself, nothing else

`zappa package` packs the venv's site-packages as they are (use_precompiled_packages is
off in zappa_settings.json), so every compiled library in it must load on the runtime
zappa_settings.json names, not only on the machine that builds. python3.11 on Lambda is
Amazon Linux 2, glibc 2.26, while a plain `pip install` takes the newest wheel the build
machine can run: Pillow 13 ships manylinux_2_27/2_28 wheels only, and its libraries call
expf@GLIBC_2.27, so the worker would not even import on Lambda.

The venv therefore says which glibc it is for, the way PEP 600 provides: a `_manylinux`
module whose manylinux_compatible() accepts manylinux_2_X wheels up to the runtime's
glibc only. Every pip run in the venv then resolves as if on the runtime (Pillow 12.2.0's
manylinux2014 wheel today, argon2-cffi-bindings' manylinux_2_26 one, ...), for BAKSO's
dependencies and Zappa's alike, with --prefer-binary so that an older wheel wins over a
newer sdist. A distribution pip still had to compile here would be built for this
machine's glibc: that stops the script.

The venv is made afresh each time (a `pip install` into an old venv would keep wheels it
already has). tests/integration/test_zappa_package.py builds its venv with this script
and checks every `.so` in the `zappa package` output against the runtime.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The OS under each Lambda Python runtime (AWS, "Lambda runtimes"): its glibc is the newest
# a compiled library may need. python3.11: Amazon Linux 2; 3.12 and later: Amazon Linux 2023.
RUNTIME_GLIBC = {"python3.11": (2, 26), "python3.12": (2, 34), "python3.13": (2, 34)}
MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}

MANYLINUX_MODULE = '''\
"""PEP 600: this venv builds for {runtime} on Lambda (glibc {major}.{minor}); written by
infra/lambda_venv.py. pip asks it which manylinux_X_Y wheels may be installed here."""


def manylinux_compatible(tag_major, tag_minor, tag_arch):
    return tag_arch == "{arch}" and (tag_major, tag_minor) <= ({major}, {minor})
'''


class Failed(RuntimeError):
    """The venv cannot be built for the runtime (the message says why)."""


def lambda_runtime() -> tuple[str, str]:
    """The runtime and architecture zappa_settings.json deploys every stage to."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    found = {
        (stage.get("runtime", settings["web"]["runtime"]), stage.get("architecture", "x86_64"))
        for stage in settings.values()
    }
    if len(found) != 1:
        raise Failed(f"zappa_settings.json: the stages name different runtimes: {sorted(found)}")
    runtime, architecture = found.pop()
    if runtime not in RUNTIME_GLIBC or architecture not in MACHINE:
        raise Failed(f"{runtime} on {architecture}: not a runtime this script knows")
    return runtime, architecture


def check_build_machine(runtime: str, architecture: str) -> None:
    # Zappa packages the running interpreter's site-packages and names its version.
    if f"python{sys.version_info[0]}.{sys.version_info[1]}" != runtime:
        raise Failed(f"run this with {runtime}, the runtime zappa_settings.json names")
    if sys.platform != "linux" or platform.machine() != MACHINE[architecture]:
        raise Failed(f"build on Linux {MACHINE[architecture]}, the runtime's architecture")


def pip(venv_dir: Path, *args: str) -> None:
    command = [str(venv_dir / "bin" / "python"), "-m", "pip", *args]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    if subprocess.run(command, env=env).returncode:  # noqa: S603 - our own arguments
        raise Failed(f"pip {args[0]} failed (see above)")


def site_packages(venv_dir: Path) -> Path:
    (site,) = (venv_dir / "lib").glob("python3*/site-packages")
    return site


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


def fits(tag: str, glibc: tuple[int, int], arch: str) -> bool:
    """Whether a wheel's platform tag runs on `glibc` (`any`: pure Python)."""
    platform_tag = tag.rsplit("-", 1)[-1]
    if platform_tag == "any":
        return True
    pep600 = re.fullmatch(rf"manylinux_(\d+)_(\d+)_{arch}", platform_tag)
    if pep600:
        return (int(pep600[1]), int(pep600[2])) <= glibc
    legacy = platform_tag.removesuffix(f"_{arch}")
    return legacy != platform_tag and LEGACY_MANYLINUX.get(legacy, (99, 0)) <= glibc


def compiled_distributions(site: Path, glibc: tuple[int, int], arch: str) -> list[str]:
    """Each compiled distribution, with the wheel tag that lets it run on the runtime."""
    found, unfit = [], []
    for dist in importlib.metadata.distributions(path=[str(site)]):
        wheel = dist.read_text("WHEEL") or ""
        if "Root-Is-Purelib: false" not in wheel:
            continue
        tags = re.findall(r"^Tag: *(\S+)", wheel, flags=re.MULTILINE)
        fitting = [tag for tag in tags if fits(tag, glibc, arch)]
        name = f"{dist.metadata['Name']} {dist.version}"
        if fitting:
            found.append(f"{name} ({fitting[0].rsplit('-', 1)[-1]})")
        else:
            unfit.append(f"{name} ({', '.join(tags)})")
    if unfit:
        raise Failed(
            "built here or for a newer glibc, so it would not load on Lambda: "
            + "; ".join(unfit)
            + ". Pin a version that ships a manylinux wheel for the runtime (check one with "
            "pip download --no-deps --platform manylinux2014_x86_64 --only-binary=:all: "
            "--python-version 3.11 NAME==VERSION)."
        )
    return sorted(found, key=str.lower)


def build(venv_dir: Path, *, code_only: bool) -> None:
    runtime, architecture = lambda_runtime()
    check_build_machine(runtime, architecture)
    glibc, arch = RUNTIME_GLIBC[runtime], MACHINE[architecture]
    with tempfile.TemporaryDirectory(prefix="bakso-lambda-venv-") as tmp:
        source = source_copy(Path(tmp))
        if code_only:
            pip(venv_dir, "install", "--quiet", "--no-deps", "--force-reinstall", str(source))
            return
        if venv_dir.exists() and not (venv_dir / "pyvenv.cfg").exists():
            raise Failed(f"{venv_dir} exists and is not a venv: not clearing it")
        venv.EnvBuilder(clear=True, with_pip=True).create(venv_dir)
        site = site_packages(venv_dir)
        module = MANYLINUX_MODULE.format(runtime=runtime, major=glibc[0], minor=glibc[1], arch=arch)
        (site / "_manylinux.py").write_text(module)
        pip(venv_dir, "install", "--quiet", "--prefer-binary", f"{source}[deploy]")
        compiled = compiled_distributions(site, glibc, arch)
    print(f"{venv_dir.name}: for {runtime} on {architecture} (glibc {glibc[0]}.{glibc[1]})")
    print("  compiled: " + ", ".join(compiled))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("venv", nargs="?", type=Path, default=ROOT / ".venv-deploy")
    parser.add_argument("--code-only", action="store_true", help="reinstall BAKSO only")
    args = parser.parse_args()
    try:
        build(args.venv.absolute(), code_only=args.code_only)
    except Failed as error:
        sys.exit(f"{Path(__file__).name}: {error}")


if __name__ == "__main__":
    main()
