"""Handler import (cold start) time of every function against a bare boto3 handler.

    .venv/bin/python -m bench.cold_start [--samples 5] [--no-write]

Each sample is a fresh interpreter that imports the handler module exactly as Lambda would
(its CodeUri first on sys.path, the layer importable), timed from inside with perf_counter.
Bytecode is compiled once beforehand (one discarded import of every module into a private
bytecode cache), so the figures are imports, not compilation. Samples are taken in rounds
(every function once, then again) so that a passing disturbance spreads over all rows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import report
from leadlists_local import template

SECTION = "Cold start"
SAMPLES = 5
BASELINE = "bare boto3 handler (baseline)"
GOAL = 1.5  # issue 14: every function within 1.5x of the baseline
_PROBE = """
import importlib.util, sys, time
path, name = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if path == "-":
    import boto3
    imported = time.perf_counter()
    boto3.client("dynamodb", region_name="us-east-1")
else:
    sys.path.insert(0, path.rsplit("/", 1)[0])
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    imported = time.perf_counter()
    from leadlists.repositories import dynamo
    dynamo.client()  # made lazily by the first request; the baseline makes it at import
done = time.perf_counter()
print((imported - start) * 1000, (done - start) * 1000)
"""


def _sample(path: str, name: str, cache: str) -> tuple[float, float]:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "PYTHONPYCACHEPREFIX": cache,  # compiled once, read afterwards; the tree is untouched
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", _PROBE, path, name],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    imported, total = out.stdout.strip().splitlines()[-1].split()
    return float(imported), float(total)


def targets() -> list[tuple[str, str, str]]:
    """(row name, handler file or "-" for the baseline, module name)."""
    found = [(BASELINE, "-", "baseline")]
    for logical_id, function in sorted(template.functions().items()):
        module = function.handler.rsplit(".", 1)[0]
        path = (Path(function.code_uri) / f"{module}.py").as_posix()
        found.append((logical_id, path, f"fn_{logical_id}"))
    return found


Row = tuple[str, float, float, float]


def measure(samples: int = SAMPLES) -> list[Row]:
    """(function, import median ms, import + client median ms, import + client min ms) for the
    boto3 baseline and each template function."""
    times: dict[str, list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        for _, path, name in targets():
            _sample(path, name, cache)  # compiles into the cache; not counted
        for _ in range(samples):
            for row, path, name in targets():
                times.setdefault(row, []).append(_sample(path, name, cache))
    return [
        (
            row,
            statistics.median(t[0] for t in ts),
            statistics.median(t[1] for t in ts),
            min(t[1] for t in ts),
        )
        for row, ts in times.items()
    ]


def report_lines(rows: list[Row]) -> list[str]:
    base = rows[0][2]
    lines = [
        "| function | import median (ms) | import + DynamoDB client, median (ms) | min (ms) "
        "| over baseline (ms) | vs bare boto3 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, imported, total, low in rows:
        lines.append(
            f"| {name} | {imported:.0f} | {total:.0f} | {low:.0f} | {total - base:+.0f} "
            f"| {total / base:.1f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__)
    parser.add_argument("--samples", type=int, default=SAMPLES, help="fresh imports a function")
    parser.add_argument("--no-write", action="store_true", help="do not update results.md")
    args = parser.parse_args(argv)
    rows = measure(args.samples)
    lines = report_lines(rows)
    print("Cold start: handler import time (fresh interpreter, bytecode compiled)")
    print("\n".join(lines))
    if not args.no_write:
        handlers = [r for r in rows if r[0] != BASELINE]
        slowest = max(handlers, key=lambda r: r[2])
        base = rows[0][2]
        spread = statistics.median(r[2] for r in handlers) - base
        report.write_section(
            SECTION,
            [
                f"`python -m bench.cold_start --samples {args.samples}`, {report.now()}.",
                "",
                "What a Lambda cold start pays in Python before its first event is handled, "
                "beyond the runtime's own start: importing the function's handler module in a "
                "fresh interpreter, then creating the DynamoDB client its first request creates "
                "(the layer makes clients lazily). The baseline is a bare handler that imports "
                "boto3 and creates one DynamoDB client. Medians of "
                f"{args.samples} samples a row (and the minimum), taken in rounds, bytecode "
                "compiled beforehand; comparisons use the import + client column. The median "
                f"handler costs {spread:+.0f} ms over the baseline; the slowest is "
                f"{slowest[0]} at {slowest[2]:.0f} ms.",
                "",
                *lines,
            ],
        )
        worst = max(r[2] for r in handlers) / base
        over = sum(1 for r in handlers if r[2] / base > GOAL)
        report.write_summary(
            "Cold start",
            f"slowest function {worst:.2f}x the bare boto3 handler, median "
            f"{statistics.median(r[2] for r in handlers) / base:.2f}x; {over} of "
            f"{len(handlers)} functions above {GOAL}x (goal: none)",
        )
        print(f"results: {report.RESULTS.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
