"""The tests' edge engine: the benchmark's Pushpin helper (``benchmarks/pushpin.py``)."""

from benchmarks.pushpin import SIG_KEY, Pushpin, available
from benchmarks.stack import free_port

__all__ = ["SIG_KEY", "Pushpin", "available", "free_port"]
