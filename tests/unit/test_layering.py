"""Views and the CLI go through services: no adapter imports, no stores of bootstrap.Services.

Read with `ast`, so a comment or a docstring naming `services().records` does not
count, and an aliased Services (`svc = services()`, `current_app.extensions["bakso"]`,
an argument annotated `Services`) does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bakso

PACKAGE = Path(bakso.__file__).resolve().parent
STORES = frozenset({"records", "blobs", "queue"})
SERVICES_FACTORIES = frozenset({"services", "_services", "build_services"})
FORBIDDEN_PACKAGE = "bakso.adapters"


def _checked_modules() -> list[Path]:
    modules = [
        *sorted((PACKAGE / "api").rglob("*.py")),
        *sorted((PACKAGE / "public").rglob("*.py")),
    ]
    return [*modules, PACKAGE / "cli.py"]


def _module_name(path: Path) -> str:
    parts = ["bakso", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_forbidden(module: str) -> bool:
    return module == FORBIDDEN_PACKAGE or module.startswith(FORBIDDEN_PACKAGE + ".")


def _imported(node: ast.Import | ast.ImportFrom, module_name: str, is_package: bool) -> list[str]:
    """The absolute names an import statement brings in (modules, and module.name)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module_name.split(".") if is_package else module_name.split(".")[:-1]
        base = package[: len(package) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]


def _annotation_is_services(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.split(".")[-1].strip() == "Services"
    if isinstance(annotation, ast.Name):
        return annotation.id == "Services"
    return isinstance(annotation, ast.Attribute) and annotation.attr == "Services"


class _Services:
    """Which expressions of one module are a bootstrap.Services, or reached from one by
    attribute access (`services().requests`, `svc = services(); svc.accounts`)."""

    def __init__(self, tree: ast.Module) -> None:
        self.names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.arg) and _annotation_is_services(node.annotation):
                self.names.add(node.arg)
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and _annotation_is_services(node.annotation)
            ):
                self.names.add(node.target.id)
        bindings = [
            (target, node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        ]
        while True:  # aliases of aliases
            found = {t.id for t, value in bindings if self.reaches(value)} - self.names
            if not found:
                return
            self.names |= found

    def reaches(self, node: ast.expr) -> bool:
        while isinstance(node, ast.Attribute):
            node = node.value
        return self.holds(node)

    def holds(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            return name in SERVICES_FACTORIES
        # current_app.extensions["bakso"]
        return (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "extensions"
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "bakso"
        )


def violations(source: str, module_name: str, is_package: bool = False) -> list[str]:
    """What in this module reaches past the services: `line: what`."""
    tree = ast.parse(source)
    services = _Services(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = _imported(node, module_name, is_package)
            if any(_is_forbidden(name) for name in names):
                found.append(f"{node.lineno}: imports an adapter ({max(names, key=len)})")
        elif (
            isinstance(node, ast.Attribute) and node.attr in STORES and services.reaches(node.value)
        ):
            found.append(f"{node.lineno}: reads .{node.attr} of Services")
        elif isinstance(node, ast.Call):
            args = node.args
            func = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                func = node.func.attr
            if (
                func == "getattr"
                and len(args) >= 2
                and services.reaches(args[0])
                and isinstance(args[1], ast.Constant)
                and args[1].value in STORES
            ):
                found.append(f"{node.lineno}: reads .{args[1].value} of Services")
            if (
                func in {"import_module", "__import__"}
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
                and _is_forbidden(args[0].value)
            ):
                found.append(f"{node.lineno}: imports an adapter ({args[0].value})")
    return found


@pytest.mark.parametrize(
    "path", _checked_modules(), ids=lambda p: str(Path(p).relative_to(PACKAGE))
)
def test_views_and_cli_go_through_services(path: Path) -> None:
    found = violations(
        path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py"
    )
    assert not found, f"{path.relative_to(PACKAGE)} reaches past the services:\n" + "\n".join(found)


def test_the_check_covers_every_view_and_the_cli() -> None:
    checked = {str(p.relative_to(PACKAGE)) for p in _checked_modules()}
    assert "cli.py" in checked
    assert {"api/audit/views.py", "api/blobs/views.py", "public/receipt.py"} <= checked


BAD = {
    "from ...adapters.local.blobs import FolderBlobs": "imports an adapter",
    "from ... import adapters": "imports an adapter",
    "import bakso.adapters.aws": "imports an adapter",
    "from bakso.adapters import local": "imports an adapter",
    "import importlib\nimportlib.import_module('bakso.adapters.local')": "imports an adapter",
    "x = services().records.get_user('a')": "reads .records of Services",
    "svc = services()\nsvc.blobs.delete('k')": "reads .blobs of Services",
    "a = _services()\nb = a\nb.queue.dead_letters()": "reads .queue of Services",
    "def f(s: Services) -> None:\n    s.records.list_users()": "reads .records of Services",
    "svc = current_app.extensions['bakso']\nsvc.queue.send({})": "reads .queue of Services",
    "getattr(services(), 'records')": "reads .records of Services",
    "if (s := services()):\n    s.blobs": "reads .blobs of Services",
    "svc = services().requests\nsvc.records.get_request('x')": "reads .records of Services",
    "services().accounts.records.get_user('a')": "reads .records of Services",
}


@pytest.mark.parametrize("source", BAD)
def test_the_check_catches(source: str) -> None:
    found = violations(source, "bakso.api.blobs.views")
    assert found and BAD[source] in found[0]


GOOD = [
    "# services().records.get_user is not allowed here",
    '"""services().queue in a docstring"""',
    "report = _services().retention.purge()\nprint(report.blobs)",
    "services().audit.search(who)",
    "from ...services.local_blobs import LocalBlobService",
    "from ..ports import UploadTarget",
]


@pytest.mark.parametrize("source", GOOD)
def test_the_check_lets_pass(source: str) -> None:
    assert violations(source, "bakso.api.blobs.views") == []


def test_relative_imports_resolve_from_a_package_init() -> None:
    assert violations("from ..adapters import aws", "bakso.api", is_package=True)
    assert not violations("from .adapters import aws", "bakso.api", is_package=True)
