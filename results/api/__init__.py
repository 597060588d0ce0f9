"""The partner API for results (DRF): races, candidates, the latest snapshot, history.

Read-only: results are recorded by the wire feeds, imports and editors through
``results.services``. URLs are in ``newsroom/api_urls.py``.
"""
