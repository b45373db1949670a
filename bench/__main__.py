"""`make bench`: every benchmark in turn, each printing its figures; bench/results.md is written
afresh (a header describing this machine and run, one section a benchmark, and the conditions
each one ran in: how much CPU other processes took meanwhile).

    .venv/bin/python -m bench            # all of them (~10 min: the refresh one is most of it)
    .venv/bin/python -m bench.<name>     # one: cold_start, lead_lists, refresh, search,
                                         # deletes, load, live
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench import report

BENCHMARKS = (
    "bench.cold_start", "bench.lead_lists", "bench.refresh", "bench.search", "bench.deletes",
    "bench.load", "bench.live",
)  # fmt: skip


def busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (every process, every CPU); Linux only."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of the benchmarks this process ran and waited for (their children too)."""
    times = os.times()
    return times.children_user + times.children_system


def conditions(rows: list[dict[str, object]]) -> list[str]:
    cpus = os.cpu_count() or 1
    lines = [
        "Wall time, CPU time of the benchmark's processes, and CPU time every other process on "
        f"the machine took meanwhile (out of {cpus} CPUs times the wall time). A high share for "
        "others means the figures above were disturbed: run `make bench` again on a quiet "
        "machine.",
        "",
        "| benchmark | exit | wall s | its CPU s | other processes' CPU s | others' share |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        wall, own, other = r["wall"], r["own"], r["other"]
        assert isinstance(wall, float) and isinstance(own, float)
        if isinstance(other, float):
            share = f"{max(other, 0) / (wall * cpus):.0%}"
            others = f"{max(other, 0):.0f}"
        else:
            share = others = "n/a"
        lines.append(
            f"| {r['module']} | {r['code']} | {wall:.0f} | {own:.0f} | {others} | {share} |"
        )
    return lines


def main() -> int:
    report.start()
    failed = 0
    rows: list[dict[str, object]] = []
    for module in BENCHMARKS:
        print(f"\n== {module} ==", flush=True)
        busy, own, started = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        code = subprocess.call([sys.executable, "-m", module])  # noqa: S603 - our modules
        wall = time.perf_counter() - started
        own = own_cpu_seconds() - own
        after = busy_cpu_seconds()
        other = None if busy is None or after is None else after - busy - own
        rows.append({"module": module, "code": code, "wall": wall, "own": own, "other": other})
        print(f"== {module}: exit {code}, {wall:.0f} s", flush=True)
        if code:
            failed = 1
    report.write_section("Run conditions", conditions(rows))
    print(f"\nresults: {report.RESULTS.name}" + (" (some benchmarks FAILED)" if failed else ""))
    return failed


if __name__ == "__main__":
    sys.exit(main())
