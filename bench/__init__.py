"""Benchmarks: `make bench` prints figures and writes bench/results.md."""

from __future__ import annotations

import os

# What the in-process benchmarks run the handlers with: moto's fake credentials, and Powertools
# quiet so logging does not count in the figures. Values already set win.
IN_PROCESS_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
    "POWERTOOLS_METRICS_DISABLED": "true",
}


def use_in_process_env() -> None:
    for name, value in IN_PROCESS_ENV.items():
        os.environ.setdefault(name, value)
