"""The partner API for live blogs (DRF): blogs, posts, the change feed, staff writes.

Views are thin: they parse input with ``inputs``, read through the ``Post`` queryset's
visibility methods, write through ``liveblog.services`` and render with ``serializers``.
URLs are in ``newsroom/api_urls.py``.
"""
