"""Live blog models, one module per concern, re-exported here."""

from .blog import LiveBlog
from .changes import Change
from .desk import DeskChange, DeskPresence, EditLock
from .media import PostEmbed, PostImage, PostVideo
from .post import PUBLIC_STATUSES, Label, Post, PostContributor

__all__ = [
    "PUBLIC_STATUSES",
    "Change",
    "DeskChange",
    "DeskPresence",
    "EditLock",
    "Label",
    "LiveBlog",
    "Post",
    "PostContributor",
    "PostEmbed",
    "PostImage",
    "PostVideo",
]
