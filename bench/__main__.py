"""`make bench`: every benchmark in turn, each printing its figures (see bench/results.md)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("bench.cold_start", "bench.lead_lists", "bench.refresh")


def main() -> int:
    failed = 0
    for module in BENCHMARKS:
        print(f"\n== {module} ==", flush=True)
        failed |= subprocess.call([sys.executable, "-m", module])  # noqa: S603 - our modules
    return failed


if __name__ == "__main__":
    sys.exit(main())
