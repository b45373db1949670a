"""Handler import (cold start) time of every function against a bare boto3 handler.

Each sample is a fresh interpreter that imports the handler module exactly as Lambda would
(CodeUri on sys.path, the layer importable), timed from inside with perf_counter.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from leadlists_local import template

SAMPLES = 5
_PROBE = """
import importlib.util, sys, time
path, name = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if path == "-":
    import boto3
    boto3.client("dynamodb", region_name="us-east-1")
else:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
print((time.perf_counter() - start) * 1000)
"""


def _sample(path: str, name: str) -> float:
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_TRACE_DISABLED": "true"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", _PROBE, path, name],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(samples: int = SAMPLES) -> list[tuple[str, float, float]]:
    """(function, median ms, min ms) for the boto3 baseline and each template function."""
    rows = []
    baseline = [_sample("-", "baseline") for _ in range(samples)]
    rows.append(("bare boto3 handler (baseline)", statistics.median(baseline), min(baseline)))
    for logical_id, function in sorted(template.functions().items()):
        module = function.handler.rsplit(".", 1)[0]
        path = str(Path(function.code_uri) / f"{module}.py")
        times = [_sample(path, f"fn_{logical_id}") for _ in range(samples)]
        rows.append((logical_id, statistics.median(times), min(times)))
    return rows


def report(rows: list[tuple[str, float, float]]) -> str:
    base = rows[0][1]
    lines = ["| function | import median (ms) | min (ms) | vs bare boto3 |", "|---|---|---|---|"]
    for name, median, low in rows:
        lines.append(f"| {name} | {median:.0f} | {low:.0f} | {median / base:.1f}x |")
    return "\n".join(lines)


def main() -> str:
    table = report(measure())
    print("Cold start: handler import time (fresh interpreter, bytecode compiled)")
    print(table)
    return table


if __name__ == "__main__":
    main()
