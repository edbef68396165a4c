"""Benchmarks: run from the README; each appends its table to bench/RESULTS.md."""
