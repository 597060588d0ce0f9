"""Webhooks: signed POSTs of change-feed entries to partners' URLs.

``services`` registers webhooks, fans a committed change out to deliveries and makes
one delivery attempt; ``signing`` signs and verifies; ``transport`` sends the request
to a vetted address without following redirects. Celery tasks are in
``partners.tasks``.
"""
