from django.urls import path
from django.views.generic import RedirectView

from . import feeds, views

app_name = "liveblog"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="liveblog:index"), name="home"),
    path("live/", views.blog_index, name="index"),
    path("live/<slug:slug>/", views.blog_page, name="blog"),
    path("live/<slug:slug>/posts/", views.older_posts, name="older"),
    path("live/<slug:slug>/posts/<int:pk>/", views.post_page, name="post"),
    path("live/<slug:slug>/stream/", views.stream, name="stream"),
    path("live/<slug:slug>/changes/", views.changes, name="changes"),
    path("live/<slug:slug>/embed/", views.blog_embed, name="embed"),
    path("live/<slug:slug>/feed/rss/", feeds.LiveBlogRssFeed(), name="feed-rss"),
    path("live/<slug:slug>/feed/atom/", feeds.LiveBlogAtomFeed(), name="feed-atom"),
]
