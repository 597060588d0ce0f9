"""Embeds from a pasted link: each provider's answer stored as a snapshot, its thumbnail
through the image pipeline, every failure a card with a message (the post still saves),
and the page asks no third party for anything until a reader does."""

from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from PIL import Image

from liveblog import services
from liveblog.models import Post, PostEmbed
from newsroom import oembed
from tests import factories
from tests.oembed_fake import LINKS, TEXT

pytestmark = pytest.mark.django_db

# What each provider's snapshot must hold: (words shown, the player's address).
EXPECTED = {
    "x": (TEXT, "https://platform.twitter.com/embed/Tweet.html?id=1854253765439500398&dnt=true"),
    "bluesky": (TEXT, "https://embed.bsky.app/embed/did:plc:abc123/app.bsky.feed.post/3lazx7"),
    "threads": ("", "https://www.threads.net/@bbcnews/post/DCBv2xyz/embed"),
    "mastodon": (TEXT, "https://mastodon.social/@Gargron/113456789012345678/embed"),
    "instagram": ("", "https://www.instagram.com/p/DCBv2xyzAB/embed"),
    "facebook": (TEXT, "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww."
                       "facebook.com%2Fbbcnews%2Fposts%2Fpfbid02abc"),
    "tiktok": ("Election night in 30 seconds", "https://www.tiktok.com/embed/v2/7434567890123456789"),
    "youtube": ("US election 2024: the results explained",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
    "vimeo": ("Polls close", "https://player.vimeo.com/video/76979871?dnt=1"),
    "soundcloud": ("Election podcast by BBC", "https://w.soundcloud.com/player/?visual=true&url="
                   "https%3A%2F%2Fapi.soundcloud.com%2Ftracks%2F123"),
    "spotify": ("Americast", "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk"),
    "datawrapper": ("Electoral votes by state", "https://datawrapper.dwcdn.net/AbC12/3/"),
    "flourish": ("How the map filled in", "https://flo.uri.sh/visualisation/1234567/embed"),
}  # fmt: skip
WITH_THUMBNAIL = {"instagram", "tiktok", "youtube", "vimeo", "soundcloud", "spotify"}


@pytest.fixture
def post(editor):
    return factories.PostFactory(author=editor, published=True, title="Reaction")


@pytest.mark.parametrize("slug", sorted(LINKS))
def test_each_providers_answer_is_stored_as_a_snapshot(providers, post, editor, slug):
    embed = services.post_add_embed(post=post, by=editor, url=LINKS[slug])

    words, frame = EXPECTED[slug]
    embed.refresh_from_db()
    assert embed.provider == slug
    assert embed.problem == ""
    assert embed.fetched_at is not None
    assert words in (embed.text, embed.title)
    assert embed.frame_url == frame
    assert bool(embed.author_name) == (slug not in {"datawrapper", "flourish", "spotify"})
    assert bool(embed.thumbnail) == (slug in WITH_THUMBNAIL)
    assert f"/{slug}/oembed?url=" in providers.requests[0]
    assert Post.objects.get(pk=post.pk).version == post.version + 1


def test_the_thumbnail_is_ours_re_encoded_without_its_exif(providers, post, editor):
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["youtube"])

    assert embed.thumbnail.name.startswith("embeds/")
    with embed.thumbnail.open("rb") as stored:
        picture = Image.open(io.BytesIO(stored.read()))
        assert picture.size == (320, 180)
        assert not picture.getexif()
    assert b"FakeCam" not in embed.thumbnail.open("rb").read()


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("slow", "did not answer in time"),
        ("500", "is having trouble (it answered 500)"),
        ("404", "would not describe this link (it answered 404)"),
        ("private", "points inside a private network (10.20.30.40): refused"),
        ("huge", "sent more than 256 KB: refused"),
        ("garbage", "answered something that is not oEmbed"),
    ],
)
def test_a_failing_provider_leaves_a_link_card_with_a_message_and_the_post_saves(
    providers, post, editor, mode, says
):
    providers.modes["x"] = mode
    started = time.monotonic()
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["x"])

    assert time.monotonic() - started < 10  # the deadline is 1.5 s; a hang would be 30
    embed.refresh_from_db()
    assert says in embed.problem
    assert (embed.url, embed.provider, embed.text) == (LINKS["x"], "x", "")
    assert not embed.thumbnail
    # The player needs nothing from the answer, so the card still offers it.
    assert embed.frame_url == EXPECTED["x"][1]
    assert Post.objects.get(pk=post.pk).version == post.version + 1


def test_a_provider_that_fails_is_left_alone_for_a_while(providers, post, editor, settings):
    settings.NEWSROOM_BREAKER_PAUSE = 60
    providers.modes["youtube"] = "500"
    services.post_add_embed(post=post, by=editor, url=LINKS["youtube"])
    asked = len(providers.requests)

    second = services.post_add_embed(post=post, by=editor, url=LINKS["youtube"])

    assert len(providers.requests) == asked  # the breaker is open: nobody was called
    assert "YouTube is not answering" in second.problem


def test_a_link_on_a_site_newsroom_does_not_embed_is_a_plain_card(providers, post, editor):
    embed = services.post_add_embed(post=post, by=editor, url="https://example.com/story")

    assert (embed.provider, embed.frame_url) == ("", "")
    assert "does not embed posts from example.com" in embed.problem
    assert providers.requests == []


@pytest.mark.parametrize("url", ["http://x.com/a/status/1", "javascript:alert(1)", "x.com", ""])
def test_only_an_https_link_is_taken(providers, post, editor, url):
    with pytest.raises(ValidationError, match="https link"):
        services.post_add_embed(post=post, by=editor, url=url)
    assert not PostEmbed.objects.exists()


def test_a_link_on_an_instance_inside_a_private_network_is_never_called(
    providers, post, editor, settings
):
    """Mastodon's oEmbed is asked at the link's own host: a link to a private address
    must not make the server call inside its own network."""
    settings.NEWSROOM_EMBED_PROVIDERS = oembed.DEFAULT_PROVIDERS  # the real endpoints
    for url in ("https://10.1.2.3/@someone/123", "https://169.254.169.254/@meta/1"):
        embed = services.post_add_embed(post=post, by=editor, url=url)
        assert embed.provider == "mastodon"
        assert "points inside a private network" in embed.problem
    assert providers.requests == []


def test_meta_links_without_an_app_token_show_as_a_card_with_the_player(
    providers, post, editor, settings
):
    settings.NEWSROOM_META_OEMBED_TOKEN = ""
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["instagram"])

    assert "needs an app token (NEWSROOM_META_OEMBED_TOKEN)" in embed.problem
    assert embed.frame_url == EXPECTED["instagram"][1]
    assert providers.requests == []


def test_a_mastodon_instance_the_page_may_not_frame_shows_its_words_without_a_player(
    providers, post, editor, settings
):
    settings.EMBED_FRAME_ORIGINS = [o for o in settings.EMBED_FRAME_ORIGINS
                                    if o != "https://mastodon.social"]  # fmt: skip
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["mastodon"])

    assert (embed.text, embed.frame_url) == (TEXT, "")


def test_someone_who_may_not_edit_the_post_calls_no_provider(providers, post, reporter):
    with pytest.raises(Exception, match=r"(?i)permission|only editors"):
        services.post_add_embed(post=post, by=reporter, url=LINKS["x"])
    assert providers.requests == []


def test_the_page_shows_the_card_and_asks_no_third_party(providers, post, editor, settings):
    services.post_add_embed(post=post, by=editor, url=LINKS["x"])
    services.post_add_embed(post=post, by=editor, url=LINKS["youtube"])

    response = Client().get(post.blog.get_absolute_url())
    page = response.content.decode()
    for shown in (TEXT, "View on X", "Kamala Harris"):
        assert shown in page
    assert 'data-frame="https://platform.twitter.com/embed/Tweet.html?id=' in page
    assert "<iframe" not in page  # players come on a click (static/liveblog/embeds.js)
    assert '<script src="http' not in page
    embed = PostEmbed.objects.get(provider="youtube")
    assert f'src="{embed.thumbnail.url}"' in page  # our own copy
    policy = response["Content-Security-Policy"]
    assert "frame-src https://datawrapper.dwcdn.net" in policy
    assert "https://platform.twitter.com" in policy


def test_a_retracted_posts_thumbnail_is_withdrawn_like_its_photos(providers, post, editor):
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["youtube"])
    url = embed.thumbnail.url
    assert Client().get(url).status_code == 200

    services.post_retract(post=Post.objects.get(pk=post.pk), by=editor, reason="Wrong clip")

    assert Client().get(url).status_code == 404


def test_the_same_link_is_read_once(providers, post, editor):
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["x"])
    asked = len(providers.requests)

    services.post_update_embed(embed=embed, by=editor, url=LINKS["x"], placement="lead")

    assert len(providers.requests) == asked
    assert PostEmbed.objects.get(pk=embed.pk).placement == "lead"


# --- At each door: the desk, the admin, the API ----------------------------------------------


def desk_save(client: Client, blog, **data: object):
    data.setdefault("action", "draft")
    return client.post(f"/admin/desk/{blog.slug}/compose/save/", data)


def test_a_link_pasted_on_the_desk_is_embedded_in_one_change(providers, blog, editor, client):
    client.force_login(editor)
    answer = desk_save(client, blog, action="publish", title="Harris speaks",
                       embed_url=LINKS["bluesky"])  # fmt: skip

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["done"] == "Published"
    assert body["notes"] == {
        "embed_url": "Embedded: Bluesky post by BBC News (@bbcnews.bsky.social)."
    }
    post = Post.objects.get(pk=body["post"])
    assert [e.provider for e in post.embeds.all()] == ["bluesky"]
    assert post.version == body["version"]
    assert blog.changes.filter(post=post).count() == 1  # one gesture, one change

    # Saved again with the same link (the box keeps it): still one embed, nobody asked.
    asked = len(providers.requests)
    again = desk_save(client, blog, action="save", post=post.pk, version=post.version,
                      title="Harris speaks", embed_url=LINKS["bluesky"])  # fmt: skip
    assert (again.status_code, len(providers.requests)) == (200, asked)
    assert post.embeds.count() == 1


def test_a_provider_down_does_not_stop_the_publish_and_the_desk_is_told(
    providers, blog, editor, client
):
    providers.modes["x"] = "500"
    client.force_login(editor)
    answer = desk_save(client, blog, action="publish", title="Reaction",
                       embed_url=LINKS["x"])  # fmt: skip

    body = answer.json()
    assert (answer.status_code, body["done"]) == (200, "Published")
    assert body["notes"]["embed_url"].startswith("Shown as a link card: X is having trouble")
    embed = PostEmbed.objects.get()
    assert embed.problem
    assert embed.post.status == Post.Status.PUBLISHED


def test_a_link_that_is_not_one_is_refused_beside_its_field_and_nothing_is_published(
    providers, blog, editor, client
):
    client.force_login(editor)
    answer = desk_save(client, blog, action="publish", title="Reaction",
                       body="<p>Words worth keeping.</p>",
                       embed_url="ftp://example.com/x")  # fmt: skip

    assert answer.status_code == 400
    assert "https link" in answer.json()["errors"]["embed_url"][0]
    assert not Post.objects.filter(status=Post.Status.PUBLISHED).exists()
    kept = Post.objects.get(pk=answer.json()["post"])  # the words are saved, as a draft
    assert (kept.title, kept.body, kept.status) == (
        "Reaction",
        "<p>Words worth keeping.</p>",
        Post.Status.DRAFT,
    )


def test_a_players_address_too_long_for_its_column_is_left_out(providers, post, editor):
    """A Facebook player carries the whole link, escaped: a long link makes an address
    past the column's 1,000 characters, which must cost the player, not the save."""
    long_link = "https://www.facebook.com/bbcnews/posts/" + "p" * 60 + "?x=" + "%" * 700
    long_link = long_link[:990]

    embed = services.post_add_embed(post=post, by=editor, url=long_link)

    embed.refresh_from_db()
    assert (embed.provider, embed.frame_url) == ("facebook", "")
    assert len(embed.url) <= 1000


def test_an_embed_is_removed_from_the_desk(providers, blog, editor, client):
    post = factories.PostFactory(blog=blog, author=editor)
    embed = services.post_add_embed(post=post, by=editor, url=LINKS["datawrapper"])
    post.refresh_from_db()
    client.force_login(editor)

    opened = client.get(f"/admin/desk/{blog.slug}/compose/{post.pk}/").content.decode()
    assert f'name="embed-{embed.pk}-remove"' in opened
    assert "Datawrapper" in opened
    answer = desk_save(client, blog, action="draft", post=post.pk, version=post.version,
                       title=post.title, **{f"embed-{embed.pk}-remove": "on"})  # fmt: skip

    assert answer.status_code == 200
    assert not PostEmbed.objects.exists()


def test_the_api_adds_an_embed_and_shows_it_with_the_post(providers, blog, editor):
    from rest_framework.test import APIClient

    post = factories.PostFactory(blog=blog, author=editor, published=True)
    api = APIClient()
    api.force_authenticate(editor)
    added = api.post(f"/api/v1/blogs/{blog.slug}/posts/{post.pk}/embeds/",
                     {"url": LINKS["youtube"], "placement": "lead"}, format="json",
                     HTTP_IF_MATCH=f'"v{post.version}"')  # fmt: skip

    assert added.status_code == 201, added.json()
    [embed] = added.json()["embeds"]
    assert (embed["provider"], embed["url"]) == ("youtube", LINKS["youtube"])
    assert embed["title"] == "US election 2024: the results explained"
    assert embed["player_url"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert embed["thumbnail_url"].startswith("http://testserver/media/embeds/")
    assert embed["placement"] == "lead"
    assert "problem" not in embed  # for the desk only
    shown = api.get(f"/api/v1/blogs/{blog.slug}/posts/{post.pk}/").json()
    assert shown["embeds"] == added.json()["embeds"]


def test_the_api_refuses_a_link_that_is_not_one(providers, blog, editor):
    from rest_framework.test import APIClient

    post = factories.PostFactory(blog=blog, author=editor, published=True)
    api = APIClient()
    api.force_authenticate(editor)
    refused = api.post(f"/api/v1/blogs/{blog.slug}/posts/{post.pk}/embeds/",
                       {"url": "javascript:alert(1)"}, format="json",
                       HTTP_IF_MATCH=f'"v{post.version}"')  # fmt: skip

    assert refused.status_code == 400
    assert not PostEmbed.objects.exists()


def test_the_admin_embeds_a_link_with_the_post_in_one_change(providers, blog, editor, client):
    from liveblog.models import Change

    post = factories.PostFactory(blog=blog, author=editor, published=True)
    client.force_login(editor)
    url = f"/admin/liveblog/post/{post.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data |= {"title": "Harris speaks", "label": "", "version": post.version}
    for prefix in ("contributors", "images", "videos", "embeds"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"embeds-TOTAL_FORMS": "1", "embeds-0-url": LINKS["flourish"],
             "embeds-0-placement": "end", "embeds-0-order": "0"}  # fmt: skip
    before = Change.objects.count()

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    [embed] = PostEmbed.objects.filter(post=post)
    assert embed.provider == "flourish"
    assert embed.frame_url.startswith("https://flo.uri.sh/")
    assert list(Change.objects.values_list("kind", flat=True)[before:]) == ["edited"]
    shown = client.get(url).content.decode()
    assert "How the map filled in" in shown


def test_the_admin_refuses_a_link_that_is_not_one_beside_its_row(providers, blog, editor, client):
    post = factories.PostFactory(blog=blog, author=editor, published=True)
    client.force_login(editor)
    url = f"/admin/liveblog/post/{post.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data |= {"title": post.title, "label": "", "version": post.version}
    for prefix in ("contributors", "images", "videos", "embeds"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"embeds-TOTAL_FORMS": "1", "embeds-0-url": "javascript:alert(1)",
             "embeds-0-placement": "end", "embeds-0-order": "0"}  # fmt: skip

    response = client.post(url, data)

    assert response.status_code == 200
    assert "https link" in response.content.decode()
    assert not PostEmbed.objects.exists()
    assert providers.requests == []


def test_feeds_and_structured_data_carry_the_link(providers, blog, editor):
    import json as jsonlib

    import feedparser

    post = factories.PostFactory(blog=blog, author=editor, published=True, title="Reaction")
    services.post_add_embed(post=post, by=editor, url=LINKS["x"])

    feed = feedparser.parse(Client().get(f"/live/{blog.slug}/feed/rss/").content)
    [entry] = feed.entries
    assert f'<a href="{LINKS["x"]}">View on X</a>: {TEXT}' in entry.description
    page = Client().get(blog.get_absolute_url()).content.decode()
    script = page.split('<script type="application/ld+json">', 1)[1]
    data = jsonlib.loads(script.split("</script>", 1)[0])
    [update] = data["liveBlogUpdate"]
    author = {"@type": "Person", "name": "Kamala Harris"}
    assert update["sharedContent"] == [
        {"@type": "SocialMediaPosting", "url": LINKS["x"], "name": TEXT, "author": author}
    ]


def test_the_desk_preview_shows_stored_embeds_and_a_typed_link_without_calling_anyone(
    providers, blog, editor, client
):
    post = factories.PostFactory(blog=blog, author=editor)
    kept = services.post_add_embed(post=post, by=editor, url=LINKS["x"])
    gone = services.post_add_embed(post=post, by=editor, url=LINKS["vimeo"])
    asked = len(providers.requests)
    client.force_login(editor)

    answer = client.post(f"/admin/desk/{blog.slug}/compose/preview/", {
        "post": post.pk, "title": post.title, "embed_url": LINKS["datawrapper"],
        f"embed-{gone.pk}-remove": "on",
    })  # fmt: skip

    html = answer.content.decode()
    assert TEXT in html  # the stored X card, as read
    assert kept.frame_url.replace("&", "&amp;") in html
    assert "Polls close" not in html  # ticked for removal
    assert f'href="{LINKS["datawrapper"]}"' in html  # the typed link, as a card
    assert "View on Datawrapper" in html
    assert len(providers.requests) == asked


def test_a_linked_video_waits_for_the_readers_click_too(blog, editor):
    post = factories.PostFactory(blog=blog, author=editor, published=True)
    services.post_add_video(post=post, by=editor, url="https://youtu.be/dQw4w9WgXcQ",
                            caption="Queues in Atlanta")  # fmt: skip

    page = Client().get(blog.get_absolute_url()).content.decode()

    assert "<iframe" not in page
    assert 'data-frame="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert 'Play the video<span class="embed-from"> from YouTube</span>' in page


def test_a_hung_name_lookup_costs_the_deadline_and_no_more(monkeypatch, settings):
    """The resolver ignores socket timeouts: a DNS server that never answers must still
    leave a link card within the deadline (a provider on many hosts asks the link's own)."""
    import socket as sockets

    from newsroom import outbound

    def hung(*args, **kwargs):
        time.sleep(5)
        raise OSError("gave up")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", hung)
    started = time.monotonic()
    with pytest.raises(outbound.FetchError, match="could not be found in time"):
        outbound.get("https://mastodon.example/api/oembed", max_bytes=1000, timeout=0.5)
    assert time.monotonic() - started < 2
    assert sockets.getdefaulttimeout() is None  # nothing process-wide was changed


def test_an_ipv4_address_written_as_ipv6_is_judged_as_itself():
    """The one address check of every call out (embeds and webhooks alike)."""
    from newsroom.outbound import is_public

    assert not is_public("::ffff:10.1.2.3")
    assert not is_public("::ffff:169.254.169.254")
    assert is_public("::ffff:93.184.216.34")
    assert not is_public("fe80::1%eth0")
