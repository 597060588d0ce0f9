"""Every write to a live blog goes through these services.

They check permissions, enforce the workflow, bump versions, append to the change log
and queue side effects, so the admin, the API and any later view behave the same.
"""

from .blogs import blog_set_status, summary_update
from .media import post_add_image, post_add_video, post_remove_image
from .posts import (
    post_create,
    post_delete,
    post_publish,
    post_publish_due,
    post_retract,
    post_return_to_draft,
    post_set_contributors,
    post_set_key_event,
    post_set_pinned,
    post_submit,
    post_unschedule,
    post_update,
)

__all__ = [
    "blog_set_status",
    "post_add_image",
    "post_add_video",
    "post_create",
    "post_delete",
    "post_publish",
    "post_publish_due",
    "post_remove_image",
    "post_retract",
    "post_return_to_draft",
    "post_set_contributors",
    "post_set_key_event",
    "post_set_pinned",
    "post_submit",
    "post_unschedule",
    "post_update",
    "summary_update",
]
