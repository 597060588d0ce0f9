"""The reader's page: the reference layout, paging by cursor, states, constant cost."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liveblog import services
from liveblog.demo.loader import load_demo
from liveblog.models import LiveBlog, Post, PostContributor
from tests import factories

pytestmark = pytest.mark.django_db


def make_posts(blog, count: int, *, key_every: int = 0) -> list[Post]:
    """Many published posts, fast, each with a byline (as real posts have)."""
    reporter = factories.ReporterFactory()
    start = timezone.now() - timedelta(days=1)
    posts = Post.objects.bulk_create(
        Post(
            blog=blog,
            title=f"Update {i}",
            body=f"<p>Body {i}</p>",
            status=Post.Status.PUBLISHED,
            published_at=start + timedelta(seconds=i),
            key_event=bool(key_every) and i % key_every == 0,
        )
        for i in range(count)
    )
    PostContributor.objects.bulk_create(
        PostContributor(post=p, reporter=reporter, byline="Reporting from Washington DC")
        for p in posts
    )
    return posts


def titles(html: str) -> list[str]:
    return re.findall(r'class="post-title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def demo_page(client, settings):
    load_demo()
    return client.get("/live/us-election-2024/").content.decode()


def test_reference_page_shows_all_twenty_posts_in_order(demo_page):
    from liveblog.demo.loader import load_content

    assert titles(demo_page) == [p["title"].replace("'", "&#x27;") for p in load_content()["posts"]]


def test_reference_page_shows_times_bylines_captions_credits_and_label(demo_page):
    for text in (
        'published at <time datetime="2024-11-06T22:34:00+00:00">22:34 '
        '<abbr title="Greenwich Mean Time">GMT</abbr> 6 November</time>',
        '<span class="byline-name">Anthony Zurcher</span>'
        '<span class="byline-role">BBC North America correspondent</span>',
        '<span class="visually-hidden">Image source, </span>Getty Images',
        "Former president Barack Obama was staunch in his endorsement",
        '<span class="visually-hidden">Media caption, </span>US voters on one reason Trump won',
        '<p class="post-label">Analysis</p>',
    ):
        assert text in demo_page


def test_reference_page_shows_the_final_results_header(demo_page):
    header = demo_page[demo_page.index('id="results"') : demo_page.index('id="summary"')]
    for text in ("TRUMP WINS", "270 to win", "226", "312", "74,332,538 votes (48.3%)",
                 "76,869,569 votes (49.9%)", "0 states to call"):  # fmt: skip
        assert text in header


def test_summary_and_pinned_post(client, blog, editor, published):
    services.summary_update(blog=blog, by=editor, points=["Trump wins", "Harris concedes"])
    services.post_set_pinned(post=published, by=editor, pinned=True)
    html = client.get(blog.get_absolute_url()).content.decode()
    summary = html[html.index('id="summary"') : html.index('id="pinned"')]
    assert "<li>Trump wins</li><li>Harris concedes</li>" in summary
    pinned = html[html.index('id="pinned"') : html.index('class="post-filter"')]
    assert f'id="pinned-post-{published.pk}"' in pinned
    # Shown once: in the pinned slot, not again as the newest post of the stream.
    assert html.count(f'id="post-{published.pk}"') == 0
    assert html.count(f'<h3 class="post-title" id="pinned-post-{published.pk}-title">') == 1


def test_the_pinned_post_is_left_out_of_the_stream_and_returns_when_unpinned(client, blog, editor):
    older, newest = make_posts(blog, 2)
    services.post_set_pinned(post=newest, by=editor, pinned=True)
    html = client.get(blog.get_absolute_url()).content.decode()
    stream = html[html.index('id="posts"') :]
    assert f'id="post-{newest.pk}"' not in stream
    assert f'id="post-{older.pk}"' in stream
    # Structured data still lists every update of the page, in order.
    ld = html[html.index("application/ld+json") :]
    assert ld.index(f"/posts/{newest.pk}/") < ld.index(f"/posts/{older.pk}/")
    services.post_set_pinned(post=newest, by=editor, pinned=False)
    html = client.get(blog.get_absolute_url()).content.decode()
    assert titles(html) == [newest.title, older.title]


def test_first_page_has_twenty_posts_and_a_cursor_link(client, blog):
    make_posts(blog, 25)
    html = client.get(blog.get_absolute_url()).content.decode()
    assert titles(html) == [f"Update {i}" for i in range(24, 4, -1)]
    assert "Show older posts" in html


def test_older_posts_follow_the_cursor_without_gaps_or_repeats(client, blog):
    make_posts(blog, 45)
    seen: list[str] = []
    url = blog.get_absolute_url()
    while url:
        html = client.get(url).content.decode()
        seen += titles(html)
        match = re.search(r'class="older-link" href="([^"]+)"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == [f"Update {i}" for i in range(44, -1, -1)]


def test_older_posts_fragment_for_htmx(client, blog):
    make_posts(blog, 30)
    first = client.get(blog.get_absolute_url()).content.decode()
    cursor = re.search(r"\?before=([A-Za-z0-9_.-]+)", first).group(1)
    response = client.get(f"/live/{blog.slug}/posts/?before={cursor}", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.startswith('<template data-append="posts">')
    assert titles(html) == [f"Update {i}" for i in range(9, -1, -1)]
    assert "Show older posts" not in html


def test_a_forged_cursor_is_not_found(client, blog):
    assert client.get(f"{blog.get_absolute_url()}?before=abc").status_code == 404
    assert (
        client.get(f"{blog.get_absolute_url()}?before=99999999999999999999999-1").status_code == 404
    )


def test_key_events_filter(client, blog):
    make_posts(blog, 10, key_every=3)
    html = client.get(f"{blog.get_absolute_url()}?filter=key-events").content.decode()
    assert titles(html) == ["Update 9", "Update 6", "Update 3", "Update 0"]
    assert 'data-filter="key-events"' in html


@pytest.mark.parametrize(
    ("url", "sizes"),
    [
        ("/live/{slug}/", (20, 2000)),
        ("/live/{slug}/?filter=key-events", (20, 2000)),
        ("/live/{slug}/posts/?before={cursor}", (41, 2000)),  # an older page must exist
        ("/live/{slug}/changes/?since=0", (20, 2000)),
    ],
)
def test_query_count_is_the_same_for_twenty_and_two_thousand_posts(client, url, sizes):
    counts = []
    for size in sizes:
        blog = factories.LiveBlogFactory()
        make_posts(blog, size, key_every=2)
        cursor = "1-1"
        first = client.get(blog.get_absolute_url()).content.decode()
        if match := re.search(r"\?before=([A-Za-z0-9_.-]+)", first):
            cursor = match.group(1)
        target = url.format(slug=blog.slug, cursor=cursor)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_page_is_live_with_its_sequence(client, blog, editor, published):
    services.summary_update(blog=blog, by=editor, points=["A point"])
    html = client.get(blog.get_absolute_url()).content.decode()
    seq = LiveBlog.objects.get(pk=blog.pk).last_seq
    assert f'data-seq="{seq}"' in html
    assert f'data-sse-connect="/live/{blog.slug}/stream/?after={seq}"' in html


def test_ended_blog_says_so_and_opens_no_connection(client, blog, editor):
    services.blog_set_status(blog=blog, by=editor, status="ended")
    html = client.get(blog.get_absolute_url()).content.decode()
    assert "This live coverage has ended" in html
    assert "sse-connect" not in html
    assert "data-live" not in html


def test_scheduled_blog_shows_when_it_starts(client):
    start = timezone.now() + timedelta(days=1)
    blog = factories.LiveBlogFactory(status="scheduled", coverage_start=start)
    html = client.get(blog.get_absolute_url()).content.decode()
    assert "Live coverage starts at" in html
    assert "No posts yet." in html


def test_page_works_without_javascript_links(client, blog):
    make_posts(blog, 25)
    html = client.get(blog.get_absolute_url()).content.decode()
    for match in re.finditer(r"<a [^>]*hx-get=", html):
        tag = html[match.start() : html.index(">", match.start())]
        assert "href=" in tag


def test_scripts_come_from_our_static_files(client, blog):
    html = client.get(blog.get_absolute_url()).content.decode()
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/static/") for src in sources)
    assert "/static/vendor/htmx-2.0.11.min.js" in sources


def test_permalink_has_share_metadata(client, published, jpeg):
    import io

    services.post_add_image(
        post=published, by=factories.editor(), file=io.BytesIO(jpeg()), alt_text="A crowd"
    )
    html = client.get(published.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{published.title}">' in html
    assert '<meta property="og:image:alt" content="A crowd">' in html
    assert f'id="post-{published.pk}"' in html


def test_unknown_blog_is_not_found(client, db):
    assert client.get("/live/no-such-blog/").status_code == 404


def test_page_embeds_live_blog_posting_json_ld(demo_page):
    import json

    start = demo_page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    data = json.loads(demo_page[start : demo_page.index("</script>", start)])
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == "2024-11-05T23:00:00+00:00"
    assert len(data["liveBlogUpdate"]) == 20
    assert data["liveBlogUpdate"][0]["headline"] == (
        "Biden invites president-elect to White House - Trump campaign"
    )


def test_photos_and_videos_keep_their_one_shared_order_on_the_card(client, blog, editor, jpeg):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liveblog import services

    post = factories.PostFactory(blog=blog, published=True, title="Ordered media")
    services.post_add_video(
        post=post,
        by=editor,
        caption="First: the video",
        url="https://www.youtube.com/watch?v=aqz-KE-bpKQ",
    )
    services.post_add_image(
        post=post,
        by=editor,
        file=SimpleUploadedFile("p.jpg", jpeg((64, 48)), "image/jpeg"),
        alt_text="Second: the photo",
    )

    page = client.get(post.get_absolute_url()).content.decode()
    card = page[page.index("<article") :]

    assert card.index("First: the video") < card.index("Second: the photo")


def test_key_events_filter_with_none_says_so(client, blog, published):
    html = client.get(f"/live/{blog.slug}/?filter=key-events").content.decode()
    assert "No key events yet." in html
    assert "No posts yet." not in html


def test_pages_have_a_favicon_a_footer_and_a_masthead_line(client, blog, published):
    html = client.get(f"/live/{blog.slug}/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert '<footer class="site-footer">' in html
    assert "Live coverage" in html
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301
    assert icon["Location"] == "/static/favicon.svg"
