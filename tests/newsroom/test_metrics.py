"""/metrics for the operations team: refused to anyone without the token or an allowed
network, and Prometheus' own text format (parsed with ``prometheus_client``'s parser) to
those with it: dependencies, breakers, open streams, live blogs' positions; no label
names a reader."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from liveblog import services
from newsroom import breaker
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN = "scraper-token-of-the-ops-team"


@pytest.fixture
def protected(settings):
    settings.NEWSROOM_METRICS_TOKEN = TOKEN
    settings.NEWSROOM_METRICS_NETWORKS = []
    return settings


def samples(answer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = answer.content.decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}  # fmt: skip


def test_an_anonymous_scrape_is_refused(protected):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": TOKEN}):
        answer = Client().get("/metrics", **headers)
        assert answer.status_code == 403, headers
        assert b"newsroom_" not in answer.content


def test_nobody_reads_them_when_nothing_is_configured(settings):
    settings.NEWSROOM_METRICS_TOKEN = ""
    settings.NEWSROOM_METRICS_NETWORKS = []
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_the_token_gets_prometheus_text_with_dependencies_breakers_streams_and_blogs(
    protected, blog, reporter, editor
):
    services.post_publish(post=factories.PostFactory(blog=blog, author=reporter), by=editor)
    blog.refresh_from_db()
    breaker.redis.failed(ConnectionError("test"))

    answer = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=")
    got = samples(answer)
    assert got[("newsroom_dependency_up", (("dependency", "database"),))] == 1.0
    assert got[("newsroom_breaker_state", (("dependency", "redis"),))] == 2.0  # open
    assert got[("newsroom_streams_open", (("kind", "reader"),))] == 0.0
    assert got[("newsroom_blog_position", (("blog", blog.slug),))] == float(blog.last_seq)
    labels = {name for (_, pairs) in got for name, _ in pairs}
    assert labels <= {"dependency", "kind", "blog"}  # nothing per reader


def test_an_allowed_network_gets_them_without_a_token(settings):
    settings.NEWSROOM_METRICS_TOKEN = ""
    settings.NEWSROOM_METRICS_NETWORKS = ["127.0.0.0/8"]

    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
