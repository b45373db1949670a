"""Benchmarks: `make bench` prints figures and writes bench/results.md."""
