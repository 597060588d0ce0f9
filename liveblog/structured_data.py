"""schema.org ``LiveBlogPosting`` JSON-LD for a live blog page.

Search engines read it to show the "LIVE" badge and the latest updates. The caller
passes the posts already on the page (visible, loaded with ``for_display()``), so this
module never queries: contributors, labels and images come from the prefetch caches.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .html import body_text
from .models import Label, LiveBlog, Post, PostEmbed

SCHEMA_CONTEXT = "https://schema.org"

# Characters that could end the <script> element or start markup, escaped inside the
# JSON strings (JSON readers decode them back). U+2028/2029 are line breaks to some
# JavaScript engines.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def blog_description(blog: LiveBlog) -> str:
    """The blog's description, or a plain line about it when the editors left it blank."""
    return blog.description.strip() or f"Live coverage: {blog.title}"


def iso_datetime(value: datetime) -> str:
    """ISO 8601 with its UTC offset, in the newsroom's display time zone."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    zone = ZoneInfo(settings.NEWSROOM_DISPLAY_TIME_ZONE)
    return timezone.localtime(value, zone).isoformat(timespec="seconds")


def absolute_url(base_url: str, url: str) -> str:
    """``base_url`` (e.g. "https://example.org") joined to a site-relative URL.

    URLs that are already absolute (media on another host) are returned as they are.
    """
    if url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        scheme = base_url.split("://", 1)[0] if "://" in base_url else "https"
        return f"{scheme}:{url}"
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def _post_path(post: Post, blog: LiveBlog) -> str:
    # Built from the blog at hand so that an uncached ``post.blog`` costs no query.
    if post.blog_id == blog.pk:
        return reverse("liveblog:post", kwargs={"slug": blog.slug, "pk": post.pk})
    return post.get_absolute_url()


def _post_modified(post: Post) -> datetime | None:
    return post.corrected_at or post.published_at


def blog_posting(post: Post, blog: LiveBlog, *, base_url: str) -> dict[str, Any]:
    """One post as a schema.org ``BlogPosting`` (an item of ``liveBlogUpdate``)."""
    published = post.published_at or post.created_at
    modified = _post_modified(post) or published
    text = body_text(post.body)
    headline = post.title.strip() or text[:110] or blog.title
    data: dict[str, Any] = {
        "@type": "BlogPosting",
        "headline": headline,
        "url": absolute_url(base_url, _post_path(post, blog)),
        "datePublished": iso_datetime(published),
        "dateModified": iso_datetime(max(modified, published)),
    }
    if text:
        data["articleBody"] = text
    authors = [
        {"@type": "Person", "name": contributor.reporter.display_name}
        for contributor in post.contributors.all()
    ]
    if authors:
        data["author"] = authors
    images = [absolute_url(base_url, image.image.url) for image in post.images.all() if image.image]
    if images:
        data["image"] = images
    shared = [_shared(embed) for embed in post.embeds.all()]
    if shared:
        data["sharedContent"] = shared  # BlogPosting is a SocialMediaPosting
    if post.label_id is not None:
        data["articleSection"] = cast(Label, post.label).name
    return data


def _shared(embed: PostEmbed) -> dict[str, Any]:
    """A post, video or chart quoted by the post: its link, and whose it is."""
    kind = {"video": "VideoObject", "audio": "AudioObject", "post": "SocialMediaPosting"}
    item: dict[str, Any] = {"@type": kind.get(embed.embed_kind, "CreativeWork"), "url": embed.url}
    name = embed.title or embed.text[:110]
    if name:
        item["name"] = name
    if embed.author_name:
        item["author"] = {"@type": "Person", "name": embed.author_name}
    return item


def live_blog_posting(blog: LiveBlog, posts: Iterable[Post], *, base_url: str) -> dict[str, Any]:
    """The blog as a schema.org ``LiveBlogPosting``, with ``posts`` as its updates.

    ``posts`` are the posts shown on the page, newest first, already filtered to what
    readers may see and loaded with ``Post.objects.for_display()``.
    """
    posts = list(posts)
    blog_url = absolute_url(base_url, blog.get_absolute_url())
    modified = max(
        [blog.coverage_start, *(m for p in posts if (m := _post_modified(p)) is not None)]
    )
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "LiveBlogPosting",
        "@id": blog_url,
        "url": blog_url,
        "mainEntityOfPage": blog_url,
        "headline": blog.title,
        "description": blog_description(blog),
        "coverageStartTime": iso_datetime(blog.coverage_start),
        "datePublished": iso_datetime(blog.coverage_start),
        "dateModified": iso_datetime(modified),
    }
    if blog.coverage_end is not None:
        data["coverageEndTime"] = iso_datetime(blog.coverage_end)
    data["liveBlogUpdate"] = [blog_posting(post, blog, base_url=base_url) for post in posts]
    return data


def json_ld_script(data: dict[str, Any]) -> SafeString:
    """``data`` in a ``<script type="application/ld+json">`` element, safe inside HTML.

    "<", ">" and "&" are written as JSON escapes, so no string in ``data`` (a post
    title such as ``</script><script>…``) can close the element or start markup.
    """
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')
