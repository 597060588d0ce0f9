"""Helpers for the write tests: a post's API address, and a workflow action with If-Match."""

from __future__ import annotations

from liveblog.models import Post


def post_url(post: Post, action: str = "") -> str:
    return f"/api/v1/blogs/{post.blog.slug}/posts/{post.pk}/" + (f"{action}/" if action else "")


def act(client, post: Post, action: str, data: dict | None = None, *, version: int | None = None):
    version = version if version is not None else Post.objects.get(pk=post.pk).version
    return client.post(
        post_url(post, action), data or {}, format="json", HTTP_IF_MATCH=f'"v{version}"'
    )
