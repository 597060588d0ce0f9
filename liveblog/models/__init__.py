"""Live blog models, one module per concern, re-exported here."""

from .blog import LiveBlog
from .changes import Change
from .media import PostImage, PostVideo
from .post import PUBLIC_STATUSES, Label, Post, PostContributor

__all__ = [
    "PUBLIC_STATUSES",
    "Change",
    "Label",
    "LiveBlog",
    "Post",
    "PostContributor",
    "PostImage",
    "PostVideo",
]
