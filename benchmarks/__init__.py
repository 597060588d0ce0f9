"""Newsroom's benchmarks: push latency, poll throughput, cost curve, results ingest.

One entry point, ``make bench`` (``python -m benchmarks``); see ``docs/performance.md``.
"""
