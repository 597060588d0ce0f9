"""``python -m benchmarks [push|poll|cost|ingest ...] [--quick]`` (what ``make bench`` runs)."""

from .cli import main

main()
