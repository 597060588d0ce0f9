"""The blog embedded elsewhere: /live/<slug>/embed/ shows the newest posts in a frame,
and only the sites a blog lists may frame it (CSP frame-ancestors)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from liveblog.models import LiveBlog
from newsroom.origins import validate_origins
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(blog, editor):
    return [factories.PostFactory(blog=blog, author=editor, published=True, title=f"Update {n}")
            for n in range(8)]  # fmt: skip


def test_the_embed_shows_the_newest_posts_live_and_nothing_else(blog, posts):
    answer = Client().get(f"/live/{blog.slug}/embed/")

    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.count('class="posts-item"') == 5
    assert 'data-keep="5"' in html
    assert "data-sse-connect=" in html
    assert 'class="masthead"' not in html
    assert 'class="site-footer"' not in html
    assert '<base target="_top">' in html
    assert "liveblog/frame.js" in html


@pytest.mark.parametrize(("asked", "shown"), [("1", 1), ("3", 3), ("50", 8), ("0", 1), ("x", 5)])
def test_how_many_posts_is_bounded(blog, posts, asked, shown):
    html = Client().get(f"/live/{blog.slug}/embed/?n={asked}").content.decode()
    assert html.count('class="posts-item"') == min(shown, 20)


def test_only_the_listed_sites_may_frame_it(blog, posts):
    policy = Client().get(f"/live/{blog.slug}/embed/")["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "frame-ancestors 'self';" in policy + ";"  # nobody else yet

    LiveBlog.objects.filter(pk=blog.pk).update(
        embed_origins="https://www.example.com\nhttp://127.0.0.1:8001/\n"
    )
    answer = Client().get(f"/live/{blog.slug}/embed/")
    assert (
        "frame-ancestors 'self' https://www.example.com http://127.0.0.1:8001"
        in answer["Content-Security-Policy"]
    )
    assert "X-Frame-Options" not in answer
    # The page itself may still be framed by nobody.
    page = Client().get(blog.get_absolute_url())
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "typed",
    ["https://www.example.com/path", "*.example.com", "https://a.example.com 'unsafe-inline'",
     "javascript:alert(1)", "https://exa mple.com", "ftp://example.com"],
)  # fmt: skip
def test_a_site_that_is_not_an_origin_is_refused_by_name(typed):
    with pytest.raises(ValidationError, match="is not an origin"):
        validate_origins(f"https://ok.example.com\n{typed}")


def test_an_ended_blog_embeds_without_the_live_channel(blog, posts):
    LiveBlog.objects.filter(pk=blog.pk).update(status=LiveBlog.Status.ENDED)
    html = Client().get(f"/live/{blog.slug}/embed/").content.decode()
    assert "data-sse-connect=" not in html


def test_the_desk_gives_the_snippet(blog, editor, client):
    client.force_login(editor)
    desk = client.get(f"/admin/desk/{blog.slug}/").content.decode()
    assert "Embed this blog on another site" in desk
    assert "&lt;iframe src=&quot;http://testserver/live/election/embed/?n=5&quot;" in desk
    assert "e.origin!==&quot;http://testserver&quot;" in desk


def test_an_unknown_blog_has_no_embed():
    assert Client().get("/live/nothing-here/embed/").status_code == 404


def test_a_hostile_title_cannot_break_out_of_the_snippet(editor, client):
    blog = factories.LiveBlogFactory(slug="hostile", title='</textarea><script>alert(1)</script>"')
    client.force_login(editor)
    desk = client.get(f"/admin/desk/{blog.slug}/").content.decode()
    snippet = desk.split('<textarea id="embed-snippet"', 1)[1].split("</textarea>", 1)[0]
    assert "<script>alert(1)" not in snippet
    assert "&amp;lt;/textarea&amp;gt;" in snippet  # escaped in the attribute, then for the box
