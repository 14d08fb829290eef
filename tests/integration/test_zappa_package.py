"""`zappa package web` from a venv holding only what runs on Lambda, as docs/deploy-aws.md does it.

The venv (.venv-zappa, git-ignored) is made by infra/lambda_venv.py, as for a
deploy, once per pyproject.toml, builder, zappa_settings.json and Python version;
BAKSO itself is reinstalled into it when backend/ changes. No AWS credentials are
visible to Zappa. Every compiled library in the package is then checked against the
runtime zappa_settings.json names (glibc, architecture, Python ABI).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-zappa"
BUILDER = ROOT / "infra" / "lambda_venv.py"
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


def _lambda_venv(*args: str) -> None:
    """infra/lambda_venv.py: the recipe docs/deploy-aws.md and `make deploy-venv` use."""
    subprocess.run([sys.executable, str(BUILDER), str(VENV), *args], check=True, cwd=ROOT)


def runtime_venv() -> Path:
    deps_key = _digest(ROOT / "pyproject.toml", BUILDER, ROOT / "zappa_settings.json")
    code_key = _digest(ROOT / "backend")
    deps_stamp, code_stamp = VENV / f".deps-{deps_key}", VENV / f".code-{code_key}"
    if not deps_stamp.exists():
        shutil.rmtree(VENV, ignore_errors=True)
        # The runtime dependencies, built for the Lambda runtime, and Zappa: no dev tools.
        _lambda_venv()
        deps_stamp.touch()
    elif not code_stamp.exists():
        _lambda_venv("--code-only")
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
    venv = runtime_venv()
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
    assert not tops & {"boto3", "botocore", "tests", "infra", "backend", ".venv", "_manylinux.py"}
    assert "bakso/data/kabupaten/52.03/wilayah.csv" in names
    assert "bakso/data/kabupaten/52.03/kabupaten.json" in names
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
        # The compiled libraries the worker uses, as packaged (built for the runtime).
        "from PIL import Image, features\n"
        "assert features.check('webp') and features.check('jpg') and features.check('zlib')\n"
        "import argon2, pydantic_core\n"
        "assert argon2.PasswordHasher().hash('x').startswith('$argon2')\n"
        # flask-compress's codecs (bakso/compression.py), compiled too.
        "import brotli, flask_compress\n"
        "assert brotli.decompress(brotli.compress(b'x' * 100)) == b'x' * 100\n"
        "print('ok')\n"
    )
    env = {
        **package.env,
        "BAKSO_CONFIG": "aws",
        "BAKSO_SECRET_KEY": "package-test-secret",
        "BAKSO_AUDIT_KEY": "package-test-audit-key",
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


# --- The package's compiled code against the runtime it names ---------------------------
#
# Written down here on purpose, apart from infra/lambda_venv.py (which builds for it):
# python3.11 on Lambda is Amazon Linux 2 (glibc 2.26); python3.12 and later are Amazon
# Linux 2023 (glibc 2.34). A wheel for a newer glibc installs fine here and fails on
# Lambda at import ("version `GLIBC_2.27' not found").
RUNTIME_GLIBC = {"python3.11": (2, 26), "python3.12": (2, 34), "python3.13": (2, 34)}
ELF_MACHINE = {"x86_64": "EM_X86_64", "arm64": "EM_AARCH64"}
GNU_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
# What a manylinux wheel may take from the OS instead of bundling (PEP 599's list, less
# the X11/GL libraries Lambda does not have). Anything else must be in the package.
SYSTEM_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "librt.so.1",
    "libpthread.so.0",
    "libutil.so.1",
    "libresolv.so.2",
    "libnsl.so.1",
    "libcrypt.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "libz.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}
SHARED_OBJECT = re.compile(r"\.so(\.[0-9]+)*$")
EXTENSION_TAG = re.compile(r"\.cpython-(?P<version>[0-9]+)-(?P<platform>[^./]+)\.so$")


@dataclass(frozen=True)
class Runtime:
    name: str
    python: tuple[int, int]
    glibc: tuple[int, ...]
    architecture: str

    def __str__(self) -> str:
        glibc = ".".join(map(str, self.glibc))
        return f"{self.name} on {self.architecture} (glibc {glibc})"


def lambda_runtime() -> Runtime:
    """The runtime and architecture zappa_settings.json deploys both stages to."""
    settings = json.loads((ROOT / "zappa_settings.json").read_text())
    web = settings["web"]
    assert all(
        settings[name].get(key, web.get(key)) == web.get(key)
        for name in settings
        for key in ("runtime", "architecture")
    )
    name = web["runtime"]
    major, minor = name.removeprefix("python").split(".")
    return Runtime(
        name, (int(major), int(minor)), RUNTIME_GLIBC[name], web.get("architecture", "x86_64")
    )


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def glibc_needs(data: bytes) -> dict[str, set[str]]:
    """GLIBC_x.y symbol versions an ELF file needs, each with the symbols that need it."""
    elf = ELFFile(io.BytesIO(data))
    versions: dict[int, str] = {}
    for section in elf.iter_sections():
        if isinstance(section, GNUVerNeedSection):
            for _needed, auxiliaries in section.iter_versions():
                for aux in auxiliaries:
                    if aux.name.startswith("GLIBC_") and aux.name[6:7].isdigit():
                        versions[aux["vna_other"]] = aux.name
    needs: dict[str, set[str]] = {name: set() for name in versions.values()}
    symbols, versym = elf.get_section_by_name(".dynsym"), elf.get_section_by_name(".gnu.version")
    if symbols is not None and versym is not None:
        for index, symbol in enumerate(symbols.iter_symbols()):
            version = versions.get(versym.get_symbol(index)["ndx"])
            if version and symbol["st_shndx"] == "SHN_UNDEF":
                needs[version].add(symbol.name)
    return needs


def elf_problems(name: str, data: bytes, runtime: Runtime, bundled: set[str]) -> list[str]:
    """Why the shared object `name` would not load on `runtime` (nothing: it would)."""
    if not data.startswith(b"\x7fELF"):
        return [f"{name}: not an ELF file"]
    elf = ELFFile(io.BytesIO(data))
    problems = []
    if elf["e_machine"] != ELF_MACHINE[runtime.architecture] or elf.elfclass != 64:
        problems.append(f"{name}: built for {elf['e_machine']} ({elf.elfclass}-bit)")
    for version, symbols in sorted(glibc_needs(data).items()):
        if _version(version.removeprefix("GLIBC_")) > runtime.glibc:
            used = ", ".join(sorted(symbols)[:5]) or "?"
            problems.append(f"{name}: needs {version} ({used}), newer than {runtime}")
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            for tag in section.iter_tags("DT_NEEDED"):
                if tag.needed not in bundled and tag.needed not in SYSTEM_LIBRARIES:
                    problems.append(f"{name}: links {tag.needed}, neither bundled nor in the OS")
    return problems


def name_problems(name: str, runtime: Runtime) -> list[str]:
    """An extension module named for another Python or platform (`.abi3.so` suits any)."""
    tag = EXTENSION_TAG.search(name)
    if tag is None:
        return []
    python = "".join(map(str, runtime.python))
    platform = f"{GNU_ARCH[runtime.architecture]}-linux-gnu"
    if (tag["version"], tag["platform"]) != (python, platform):
        return [f"{name}: built for cpython-{tag['version']}-{tag['platform']}"]
    return []


def wheel_problems(name: str, text: str, runtime: Runtime) -> list[str]:
    """A compiled distribution none of whose wheel tags fit `runtime` (.dist-info/WHEEL)."""
    from email.parser import Parser

    from packaging.tags import compatible_tags, cpython_tags

    wheel = Parser().parsestr(text)
    if wheel.get("Root-Is-Purelib", "true").strip().lower() == "true":
        return []
    arch = GNU_ARCH[runtime.architecture]
    platforms = [f"manylinux_{runtime.glibc[0]}_{m}_{arch}" for m in range(runtime.glibc[1], 4, -1)]
    platforms += [
        f"{legacy}_{arch}" for legacy, glibc in LEGACY_MANYLINUX.items() if glibc <= runtime.glibc
    ]
    supported = {str(t) for t in cpython_tags(runtime.python, platforms=platforms)}
    supported |= {str(t) for t in compatible_tags(runtime.python, platforms=platforms)}
    tags = [tag.strip() for tag in wheel.get_all("Tag") or []]
    if not set(tags) & supported:
        return [f"{name.split('/', 1)[0]}: wheel tagged {', '.join(tags)}, none fits {runtime}"]
    return []


def package_problems(path: Path, runtime: Runtime) -> tuple[list[str], list[str]]:
    """The shared objects in a Lambda zip, and every reason one of them would not run."""
    problems: list[str] = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        libraries = [n for n in names if SHARED_OBJECT.search(n)]
        bundled = {n.rsplit("/", 1)[-1] for n in libraries}
        for name in libraries:
            problems += name_problems(name, runtime)
            problems += elf_problems(name, archive.read(name), runtime, bundled)
        for name in names:
            if name.endswith(".dist-info/WHEEL") and name.count("/") == 1:
                problems += wheel_problems(name, archive.read(name).decode(), runtime)
    return libraries, problems


def test_compiled_libraries_run_on_the_lambda_runtime_named(package: Package) -> None:
    runtime = lambda_runtime()

    libraries, problems = package_problems(package.path, runtime)

    print(f"\n{len(libraries)} shared objects in the package checked against {runtime}")
    tops = {name.split("/", 1)[0] for name in libraries}
    # Not vacuous: the compiled dependencies are there and were read.
    assert {"pydantic_core", "PIL", "pillow.libs", "_argon2_cffi_bindings"} <= tops
    assert not problems, "\n".join(problems)


def test_the_glibc_check_reads_real_version_needs() -> None:
    """On this machine's own extension modules: the highest GLIBC_ need is found and judged."""
    runtime = lambda_runtime()
    dynload = Path(sysconfig.get_config_var("DESTSHARED"))  # the interpreter's own modules
    found = {
        path.name: max(
            (_version(v.removeprefix("GLIBC_")) for v in glibc_needs(path.read_bytes())),
            default=(0,),
        )
        for path in dynload.glob("*.so")
    }
    name, newest = max(found.items(), key=lambda item: item[1])
    assert newest > (2, 2), found  # symbol versions were read at all
    data = (dynload / name).read_bytes()
    older = Runtime(runtime.name, runtime.python, (newest[0], newest[1] - 1), runtime.architecture)
    same = Runtime(runtime.name, runtime.python, newest, runtime.architecture)
    everything = SYSTEM_LIBRARIES | {"libpython3.so"}
    needed = {
        tag.needed
        for section in ELFFile(io.BytesIO(data)).iter_sections()
        if isinstance(section, DynamicSection)
        for tag in section.iter_tags("DT_NEEDED")
    }

    assert [p for p in elf_problems(name, data, older, everything | needed) if "needs" in p]
    assert elf_problems(name, data, same, everything | needed) == []


@pytest.mark.parametrize(
    ("name", "fits"),
    [
        ("pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so", True),
        ("_argon2_cffi_bindings/_ffi.abi3.so", True),
        ("pillow.libs/libwebp-15463320.so.7.2.0", True),
        ("PIL/_imaging.cpython-312-x86_64-linux-gnu.so", False),
        ("PIL/_imaging.cpython-311-aarch64-linux-gnu.so", False),
        ("PIL/_imaging.cpython-311-x86_64-linux-musl.so", False),
    ],
)
def test_the_abi_check_reads_extension_names(name: str, fits: bool) -> None:
    runtime = lambda_runtime()
    assert (name_problems(name, runtime) == []) is fits


@pytest.mark.parametrize(
    ("tags", "fits"),
    [
        (["cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"], True),
        (["cp310-abi3-manylinux_2_26_x86_64", "cp310-abi3-manylinux_2_28_x86_64"], True),
        (["cp311-cp311-manylinux_2_27_x86_64", "cp311-cp311-manylinux_2_28_x86_64"], False),
        (["cp312-abi3-manylinux_2_17_x86_64"], False),
        (["cp312-cp312-manylinux_2_17_x86_64"], False),
        (["cp311-cp311-manylinux_2_17_aarch64"], False),
        (["cp311-cp311-linux_x86_64"], False),  # built here, by pip, from an sdist
    ],
)
def test_the_abi_check_reads_wheel_tags(tags: list[str], fits: bool) -> None:
    runtime = lambda_runtime()
    text = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n" + "".join(f"Tag: {t}\n" for t in tags)
    assert (wheel_problems("x-1.dist-info/WHEEL", text, runtime) == []) is fits
