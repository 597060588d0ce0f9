"""Every write to a live blog goes through these services.

They check permissions, enforce the workflow, bump versions, append to the change log
and queue side effects, so the admin, the API and any later view behave the same. A door
that runs several of them for one click wraps them in ``one_gesture()``: one transaction,
one version step and at most one change per post. Each
workflow action's check (``check_<action>``) sits beside its mutation; the action registry
(``liveblog.actions``) asks those checks, so every door offers exactly what it accepts.
"""

from ..changes import one_gesture
from .blogs import blog_move_race, blog_set_status, blog_show_races, summary_update
from .media import (
    post_add_embed,
    post_add_image,
    post_add_video,
    post_remove_embed,
    post_remove_image,
    post_remove_video,
    post_update_embed,
    post_update_image,
    post_update_video,
)
from .posts import (
    default_byline,
    post_create,
    post_delete,
    post_set_contributors,
    post_update,
)
from .workflow import (
    post_publish,
    post_publish_due,
    post_retract,
    post_return_to_draft,
    post_set_key_event,
    post_set_pinned,
    post_submit,
    post_unschedule,
)

__all__ = [
    "blog_move_race",
    "blog_set_status",
    "blog_show_races",
    "default_byline",
    "one_gesture",
    "post_add_embed",
    "post_add_image",
    "post_add_video",
    "post_create",
    "post_delete",
    "post_publish",
    "post_publish_due",
    "post_remove_embed",
    "post_remove_image",
    "post_remove_video",
    "post_retract",
    "post_return_to_draft",
    "post_set_contributors",
    "post_set_key_event",
    "post_set_pinned",
    "post_submit",
    "post_unschedule",
    "post_update",
    "post_update_embed",
    "post_update_image",
    "post_update_video",
    "summary_update",
]
