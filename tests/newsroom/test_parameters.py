"""No public query parameter, whatever its value, gives a 500 (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from liveblog.live.stream import cursor
from liveblog.models import LiveBlog
from newsroom.params import sequence
from partners.models import PartnerKey, Scope
from tests import factories

pytestmark = pytest.mark.django_db

# Digits of every script, signs, spaces, huge numbers, control characters, anything.
values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789²³¹٠١٢۳४०𝟘𝟙 +-_.eE\x00\t", max_size=30),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def site(db):
    live = factories.LiveBlogFactory(slug="live")
    factories.PostFactory(blog=live, published=True)
    factories.LiveBlogFactory(slug="over", status=LiveBlog.Status.ENDED)
    _, key = PartnerKey.objects.create_key(
        name="fuzz", partner="P", scopes=[Scope.LIVEBLOG_READ, Scope.RESULTS_READ]
    )
    api = APIClient(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return api


def test_sequence_takes_only_ascii_digits_that_fit():
    assert sequence("42") == 42
    assert sequence("0") == 0
    assert sequence("9" * 18) == 10**18 - 1
    for bad in ("²", "١٢", "4²", "-1", "+1", " 1", "1 ", "", "9" * 19, "1e3", None):
        assert sequence(bad) is None


@FUZZ
@given(value=values)
def test_the_stream_cursor_never_raises(value):
    assert cursor(value, None) is None or cursor(value, None) >= 0
    assert cursor(None, value) is None or cursor(None, value) >= 0


@FUZZ
@given(value=values)
def test_reader_pages_poll_and_stream_answer_without_a_500(client, site, value):
    requests = [
        ("/live/live/changes/", {"since": value}, {}),
        ("/live/live/", {"before": value}, {}),
        ("/live/live/", {"filter": value}, {}),
        ("/live/live/posts/", {"before": value}, {"HTTP_HX_REQUEST": "true"}),
        ("/live/over/stream/", {"after": value}, {}),
        ("/live/", {"page": value}, {}),
    ]
    for path, query, headers in requests:
        response = client.get(path, query, **headers)
        assert response.status_code < 500, (path, query, response.status_code)
    stream = client.get(
        "/live/over/stream/", HTTP_LAST_EVENT_ID=value.encode("utf-8", "replace").decode("latin-1")
    )
    assert stream.status_code < 500


@FUZZ
@given(value=values)
def test_partner_api_parameters_answer_without_a_500(site, value):
    api = site
    requests = [
        ("/api/v1/blogs/live/changes/", {"after": value}),
        ("/api/v1/blogs/live/changes/", {"after": "0", "limit": value}),
        ("/api/v1/blogs/live/posts/", {"cursor": value}),
        ("/api/v1/blogs/live/posts/", {"limit": value}),
        ("/api/v1/blogs/live/posts/", {"key_events": value, "label": value}),
        ("/api/v1/blogs/", {"cursor": value}),
        ("/api/v1/races/", {"blog": value}),
    ]
    for path, query in requests:
        response = api.get(path, query)
        assert response.status_code < 500, (path, query, response.status_code)
