"""Handler import (cold start) time of every function against a bare boto3 handler.

    .venv/bin/python -m bench.cold_start [--samples 9] [--no-write] [--python PATH]
                                         [--no-instructions]

Each sample is a fresh interpreter that imports the handler module exactly as Lambda would
(its CodeUri first on sys.path, then the layer's directory as Lambda's /opt/python, and
Lambda's AWS_LAMBDA_FUNCTION_NAME set), timed from inside with perf_counter. The interpreter
is the template's runtime when `make bench` has made it (.tools/runtime: python3.13 with the
layer's pinned requirements and the dev environment's boto3, which Lambda's runtime ships):
import costs differ between Python versions, so the figures are the ones Lambda would see.

Where valgrind is installed (unless --no-instructions) each row also gets the instructions
one import executes, counted once under callgrind: unlike times, the count does not move with
what else the machine runs (two runs agree to a few parts in ten thousand), so its ratio is
the stable one. It takes about half a minute of CPU a function; two run at once.

Each function's interpreter gets the environment the template gives it (Globals and its own
variables; a reference to a stack resource becomes a placeholder string), since some of it is
read at import (e.g. PYDANTIC_DISABLE_PLUGINS spares pydantic its plugin lookup).

Bytecode is compiled once beforehand (one discarded import of every module into a private
bytecode cache), so the figures are imports, not compilation. Samples are taken in rounds
(every function once, then again) so that a passing disturbance spreads over all rows, and the
baseline is sampled every few functions within a round, so that its median, which every ratio
divides by, rests on many samples taken across the whole run. Each sample also reports the CPU
time its interpreter spent (process_time): on a shared, loaded machine the wall clock adds time
spent waiting for a CPU, which the CPU column leaves out.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import report
from leadlists_local import template

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "common"
RUNTIME_PYTHON = ROOT / ".tools" / "runtime" / "bin" / "python"

SECTION = "Cold start"
SAMPLES = 15
BASELINE_EVERY = 5  # functions sampled between two baseline samples within a round
BASELINE = "bare boto3 handler (baseline)"
GOAL = 1.5  # issue 14: every function within 1.5x of the baseline
_PROBE = """
import importlib.util, sys, time
path, name, layer = sys.argv[1], sys.argv[2], sys.argv[3]
start, cpu = time.perf_counter(), time.process_time()
if path == "-":
    import boto3
    imported = time.perf_counter()
    boto3.client("dynamodb", region_name="us-east-1")
else:
    sys.path[:0] = [path.rsplit("/", 1)[0], layer]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    imported = time.perf_counter()
    from leadlists.repositories import dynamo
    dynamo.client()  # made lazily by the first request; the baseline makes it at import
done, cpu = time.perf_counter(), time.process_time() - cpu
print((imported - start) * 1000, (done - start) * 1000, cpu * 1000)
"""


Sample = tuple[float, float, float]  # import ms, import + client ms, import + client CPU ms
Target = tuple[str, str, str]  # row name, handler file ("-": the baseline), module name


def runtime_python() -> str:
    """The template's runtime if `make bench` made it, else this interpreter."""
    chosen = os.environ.get("LEADLISTS_RUNTIME_PYTHON")
    if chosen:
        return chosen
    return str(RUNTIME_PYTHON) if RUNTIME_PYTHON.exists() else sys.executable


def python_version(python: str) -> str:
    out = subprocess.run(  # noqa: S603 - an interpreter we chose
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


@functools.cache
def _function_env(name: str) -> dict[str, str]:
    """The variables the template sets for a function (`fn_<logical id>`), as strings: Lambda
    sets them before init."""
    function = template.functions().get(name.removeprefix("fn_"))
    if function is None:  # the baseline: a bare handler has no settings
        return {}
    defaults = {
        parameter: str(spec["Default"])
        for parameter, spec in template.load().get("Parameters", {}).items()
        if "Default" in spec
    }

    def resolve(key: str, value: object) -> str:
        if not isinstance(value, dict):
            return str(value)
        # A stack parameter's default; a resource (a table, a queue) gets a placeholder.
        return defaults.get(value.get("Ref", ""), f"bench-{key.lower()}")

    return {key: resolve(key, value) for key, value in function.environment.items()}


def _env(name: str, cache: str) -> dict[str, str]:
    env = {
        **os.environ,
        **_function_env(name),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,  # as Lambda sets it for the function's init
        "PYTHONPYCACHEPREFIX": cache,  # compiled once, read afterwards; the tree is untouched
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _sample(path: str, name: str, cache: str, python: str) -> Sample:
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [python, "-c", _PROBE, path, name, str(LAYER)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(name, cache),
    )
    imported, total, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(imported), float(total), float(cpu)


def _instructions(path: str, name: str, cache: str, python: str) -> int:
    """Instructions the probe executes (interpreter start included, as in the baseline)."""
    out = subprocess.run(  # noqa: S603 - valgrind on our own interpreter and probe
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",  # noqa: S607
         python, "-c", _PROBE, path, name, str(LAYER)],
        capture_output=True, text=True, check=True, env=_env(name, cache),
    )  # fmt: skip
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise RuntimeError(f"callgrind reported no count for {name}")
    return int(found.group(1))


def count_instructions(python: str, jobs: int = 2) -> dict[str, int]:
    """{row: instructions} for the baseline and every function, one callgrind run each."""
    rows = targets()
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        for _, path, name in rows:
            _sample(path, name, cache, python)  # compiles into the cache; not counted
        with ThreadPoolExecutor(jobs) as pool:
            counts = pool.map(lambda t: _instructions(t[1], t[2], cache, python), rows)
            return {row: count for (row, _, _), count in zip(rows, counts, strict=True)}


def targets() -> list[Target]:
    """(row name, handler file or "-" for the baseline, module name)."""
    found = [(BASELINE, "-", "baseline")]
    for logical_id, function in sorted(template.functions().items()):
        module = function.handler.rsplit(".", 1)[0]
        path = (Path(function.code_uri) / f"{module}.py").as_posix()
        found.append((logical_id, path, f"fn_{logical_id}"))
    return found


Row = tuple[str, float, float, float, float]


def _round(rows: list[Target]) -> list[Target]:
    """One round: every function once, with the baseline (first row) before the first and
    after every BASELINE_EVERY functions."""
    baseline, functions = rows[0], rows[1:]
    out: list[Target] = []
    for start in range(0, len(functions), BASELINE_EVERY):
        out += [baseline, *functions[start : start + BASELINE_EVERY]]
    return out


def measure(samples: int = SAMPLES, python: str = sys.executable) -> list[Row]:
    """(function, import median ms, import + client median ms, import + client min ms, import +
    client CPU median ms) for the boto3 baseline and each template function."""
    times: dict[str, list[Sample]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        rows = targets()
        for _, path, name in rows:
            _sample(path, name, cache, python)  # compiles into the cache; not counted
        order = _round(rows)
        for _ in range(samples):
            for row, path, name in order:
                times.setdefault(row, []).append(_sample(path, name, cache, python))
    return [
        (
            row,
            statistics.median(t[0] for t in ts),
            statistics.median(t[1] for t in ts),
            min(t[1] for t in ts),
            statistics.median(t[2] for t in ts),
        )
        for row, ts in times.items()
    ]


def report_lines(rows: list[Row], instructions: dict[str, int] | None = None) -> list[str]:
    base, base_cpu = rows[0][2], rows[0][4]
    header = (
        "| function | import median (ms) | import + DynamoDB client, median (ms) | min (ms) "
        "| over baseline (ms) | vs bare boto3 | CPU median (ms) | vs bare boto3, CPU |"
    )
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if instructions:
        header += " instructions (millions) | vs bare boto3, instructions |"
        rule += "---:|---:|"
    lines = [header, rule]
    for name, imported, total, low, cpu in rows:
        line = (
            f"| {name} | {imported:.0f} | {total:.0f} | {low:.0f} | {total - base:+.0f} "
            f"| {total / base:.2f}x | {cpu:.0f} | {cpu / base_cpu:.2f}x |"
        )
        if instructions:
            count, base_count = instructions[name], instructions[BASELINE]
            line += f" {count / 1e6:.0f} | {count / base_count:.3f}x |"
        lines.append(line)
    return lines


def _instruction_ratios(instructions: dict[str, int]) -> tuple[float, float, int]:
    ratios = [c / instructions[BASELINE] for n, c in instructions.items() if n != BASELINE]
    return max(ratios), statistics.median(ratios), sum(1 for r in ratios if r > GOAL)


def _ratios(rows: list[Row], column: int) -> tuple[float, float, int]:
    """(slowest, median, how many above the goal) of the functions against the baseline."""
    ratios = [r[column] / rows[0][column] for r in rows if r[0] != BASELINE]
    return max(ratios), statistics.median(ratios), sum(1 for r in ratios if r > GOAL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--samples", type=int, default=SAMPLES, help="fresh imports a function")
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    parser.add_argument("--python", default=runtime_python(), help="the interpreter to import in")
    parser.add_argument(
        "--no-instructions",
        dest="instructions",
        action="store_false",
        help="skip the instruction counts (taken by default where valgrind is installed)",
    )
    args = parser.parse_args(argv)
    if args.instructions and shutil.which("valgrind") is None:
        print("note: no valgrind, so no instruction counts")
        args.instructions = False
    version = python_version(args.python)
    runtime = str(template.load()["Globals"]["Function"]["Runtime"])  # e.g. "python3.13"
    if not f"python{version}".startswith(runtime):
        print(f"note: Python {version} is not the template's runtime ({runtime}): `make bench` "
              "makes .tools/runtime with it")  # fmt: skip
    load = os.getloadavg()[0]
    rows = measure(args.samples, args.python)
    load = max(load, os.getloadavg()[0])
    instructions = count_instructions(args.python) if args.instructions else None
    lines = report_lines(rows, instructions)
    print(f"Cold start: handler import time (Python {version}, fresh interpreter, compiled)")
    print("\n".join(lines))
    if not args.no_write:
        handlers = [r for r in rows if r[0] != BASELINE]
        slowest = max(handlers, key=lambda r: r[2])
        base = rows[0][2]
        baseline_samples = args.samples * sum(t[0] == BASELINE for t in _round(targets()))
        spread = statistics.median(r[2] for r in handlers) - base
        wall, cpu = _ratios(rows, 2), _ratios(rows, 4)
        report.write_section(
            SECTION,
            [
                f"`python -m bench.cold_start --samples {args.samples}`, {report.now()}, "
                f"Python {version}, 1-minute load average up to {load:.1f} during the run.",
                "",
                "What a Lambda cold start pays in Python before its first event is handled, "
                "beyond the runtime's own start: importing the function's handler module in a "
                "fresh interpreter, then creating the DynamoDB client its first request creates "
                "(the layer makes clients lazily). The baseline is a bare handler that imports "
                "boto3 and creates one DynamoDB client. Each interpreter has its function's "
                "environment from the template. Medians of "
                f"{args.samples} samples a row (and the minimum), taken in rounds, the "
                f"baseline's of {baseline_samples} spread through every round, bytecode "
                "compiled beforehand; comparisons use the import + client column, in wall time "
                "and in the CPU time of the same samples (a loaded machine adds waits for a CPU "
                "to the wall time, unevenly). The median "
                f"handler costs {spread:+.0f} ms over the baseline; the slowest is "
                f"{slowest[0]} at {slowest[2]:.0f} ms."
                + (
                    " Instructions: one callgrind count a row, taken after the timed samples."
                    if instructions
                    else ""
                ),
                "",
                *lines,
            ],
        )
        counted = ""
        if instructions:
            most, middle, above = _instruction_ratios(instructions)
            counted = (
                f"; in instructions executed (callgrind, stable between runs) slowest {most:.2f}x, "
                f"median {middle:.2f}x, {above} above {GOAL}x"
            )
        report.write_summary(
            "Cold start",
            f"slowest function {wall[0]:.2f}x the bare boto3 handler (CPU time {cpu[0]:.2f}x), "
            f"median {wall[1]:.2f}x (CPU {cpu[1]:.2f}x); {wall[2]} of {len(handlers)} functions "
            f"above {GOAL}x in wall time, {cpu[2]} in CPU time{counted} (goal: none)",
        )
        print(f"results: {report.RESULTS.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
