"""The newsroom's admin: approval queue, workflow actions, media with previews."""

from .blogs import ChangeAdmin, LabelAdmin, LiveBlogAdmin
from .posts import PostAdmin

__all__ = ["ChangeAdmin", "LabelAdmin", "LiveBlogAdmin", "PostAdmin"]
