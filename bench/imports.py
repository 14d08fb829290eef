"""§6 Cold import: the Lambda handlers' modules in a fresh interpreter, ÷ `import flask, boto3`.

Both Lambdas run Zappa's handler (`zappa.handler.lambda_handler`), which at cold start imports
the stage's module: `bakso.wsgi` for the web stage (app_function), `bakso.workers.sqs` for the
worker stage. Each run is a new interpreter timing only the import statement (bytecode caches
warm, as in a deployed package); the baseline runs interleaved with them.
"""

from __future__ import annotations

import re
import subprocess

from .common import PYTHON, Figure, child_env, median

BASELINE = "flask, boto3"
HANDLERS = {
    "web": "zappa.handler, bakso.wsgi",
    "worker": "zappa.handler, bakso.workers.sqs",
}
PROBE = "import time; t = time.perf_counter(); import {0}; print(time.perf_counter() - t)"


def import_seconds(modules: str) -> float:
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [PYTHON, "-c", PROBE.format(modules)],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
        timeout=120,
    )
    return float(done.stdout.strip().splitlines()[-1])


def slowest_imports(modules: str, top: int = 4) -> list[tuple[str, float]]:
    """The packages that cost most, by `python -X importtime`: each module's own time summed
    by its top-level package, whoever imported it."""
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-X", "importtime", "-c", f"import {modules}"],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
        timeout=120,
    )
    costs: dict[str, float] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match.group(2).split(".")[0]
            costs[package] = costs.get(package, 0.0) + int(match.group(1)) / 1e6
    return sorted(costs.items(), key=lambda kv: -kv[1])[:top]


def run(*, runs: int, explain: bool = True) -> list[Figure]:
    if explain:  # (the smoke run skips the warm-up and the breakdown)
        for modules in (BASELINE, *HANDLERS.values()):
            import_seconds(modules)  # compile and cache bytecode once, untimed
    times: dict[str, list[float]] = {name: [] for name in ("baseline", *HANDLERS)}
    for _ in range(runs):
        times["baseline"].append(import_seconds(BASELINE))
        for name, modules in HANDLERS.items():
            times[name].append(import_seconds(modules))
    base = median(times["baseline"])
    figures = []
    for name, modules in HANDLERS.items():
        figure = Figure(
            f"import.{name}",
            "6 Cold import",
            f"{name} Lambda: import {modules} ÷ import {BASELINE}",
            "x",
            budget=1.5,
            baseline=base,
            baseline_label=f"import {BASELINE}",
            baseline_unit="s",
        )
        figure.runs = [t / b for t, b in zip(times[name], times["baseline"], strict=True)]
        figure.value = median(figure.runs)
        figure.note = f"median {median(times[name]) * 1000:.0f} ms"
        if explain:
            slow = ", ".join(f"{p} {s * 1000:.0f} ms" for p, s in slowest_imports(modules))
            figure.note += f"; own import time by package: {slow}"
        figures.append(figure)
    return figures
