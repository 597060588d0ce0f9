"""Reader-facing views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import LiveBlog, Post


def blog_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The live page: summary, pinned post and the newest posts. Anyone may read it."""
    blog = get_object_or_404(LiveBlog, slug=slug)
    posts = Post.objects.filter(blog=blog).published().newest_first().for_display()[:20]
    return render(request, "liveblog/blog.html", {"blog": blog, "posts": posts})


def post_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One published post's permalink page."""
    post = get_object_or_404(
        Post.objects.published().for_display().select_related("blog"), blog__slug=slug, pk=pk
    )
    return render(request, "liveblog/post.html", {"blog": post.blog, "post": post})
