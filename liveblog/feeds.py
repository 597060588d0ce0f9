"""RSS 2.0 and Atom feeds of a live blog's newest published posts.

Feed readers and partners poll these, so they are cheap (a constant number of queries
whatever the blog's size), briefly cacheable, and show exactly what the page shows:
visibility comes from ``PostQuerySet.published()``, never from here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, cast

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.html import format_html

from . import render_cache
from .live import positions
from .models import Label, LiveBlog, Post
from .structured_data import blog_description

FEED_ITEMS = 50
CACHE_SECONDS = 30
# Characters XML 1.0 cannot carry at all; Django's feed writer refuses them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


class LiveBlogRssFeed(Feed[Post, LiveBlog]):
    """RSS 2.0: the blog's newest published posts, newest first."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    ttl = 1  # minutes: live content, poll often
    item_guid_is_permalink = True  # the guid is the permalink, stable across edits

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Rendered once per change of the blog (``liveblog.render_cache``), like the page."""
        remembered = positions.get(kwargs.get("slug", ""))
        if remembered is None:
            raise Http404("No LiveBlog matches the given query.")
        state = render_cache.with_due(remembered)
        content_type: str = self.feed_type.content_type  # type: ignore[attr-defined]
        html = render_cache.once(
            state, "feed", self.feed_type.__name__, request.get_host(), request.scheme,
            build=lambda: super(LiveBlogRssFeed, self).__call__(request, *args, **kwargs)
            .content.decode(),
        )  # fmt: skip
        response = HttpResponse(html, content_type=content_type)
        patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response

    def get_object(self, request: HttpRequest, slug: str) -> LiveBlog:
        return get_object_or_404(LiveBlog, slug=slug)

    def title(self, obj: LiveBlog) -> str:
        return _xml_text(obj.title)

    def link(self, obj: LiveBlog) -> str:
        return obj.get_absolute_url()

    def description(self, obj: LiveBlog) -> str:
        return _xml_text(blog_description(obj))

    def items(self, obj: LiveBlog) -> list[Post]:
        posts = list(
            Post.objects.filter(blog=obj).published().newest_first().for_display()[:FEED_ITEMS]
        )
        for post in posts:
            post.blog = obj  # permalinks need the slug; do not fetch the blog per item
        return posts

    def item_title(self, item: Post) -> str:
        # The label is there whenever label_id is set.
        title = (
            f"{cast(Label, item.label).name}: {item.title}"
            if item.label_id is not None
            else item.title
        )
        return _xml_text(title)

    def item_link(self, item: Post) -> str:
        return item.get_absolute_url()

    def item_description(self, item: Post) -> str:
        # Bodies are sanitised when saved (liveblog.html); the writer escapes them as text.
        # Embeds follow as links (a feed reader runs no player).
        links = "".join(
            format_html('<p><a href="{}">{}</a>{}</p>', embed.url, embed.view_label,
                        f": {embed.title or embed.text[:200]}" if embed.title or embed.text else "")
            for embed in item.embeds.all()
        )  # fmt: skip
        return _xml_text(item.body + links)

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime | None:
        return item.corrected_at or item.published_at

    def item_author_name(self, item: Post) -> str | None:
        names = [c.reporter.display_name for c in item.contributors.all()]
        return _xml_text(", ".join(names)) if names else None

    def item_categories(self, item: Post) -> tuple[str, ...]:
        # The label is there whenever label_id is set.
        return (_xml_text(cast(Label, item.label).name),) if item.label_id is not None else ()


class LiveBlogAtomFeed(LiveBlogRssFeed):
    """Atom 1.0: the same entries; the blog's description is the feed's subtitle."""

    feed_type = Atom1Feed
    subtitle = LiveBlogRssFeed.description

    def author_name(self, obj: LiveBlog) -> str:
        # Atom needs an author for every entry; posts without a byline fall back to this.
        return _xml_text(obj.title)
