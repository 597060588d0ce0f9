from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    name = "liveblog"
    verbose_name = "Live blogs"

    def ready(self) -> None:
        """Subscribe the live channel to committed changes and the blogs to results."""
        from django.db.models.signals import post_delete, post_save

        from results.signals import results_changed

        from . import (
            actions,  # noqa: F401  (its registry joins newsroom.actions')
            receivers,
        )
        from .desk import channel as desk_channel
        from .live import notify, positions
        from .models import Change, DeskChange, LiveBlog
        from .signals import change_committed, desk_changed

        change_committed.connect(notify.on_change_committed, dispatch_uid="liveblog.live")
        desk_changed.connect(desk_channel.on_desk_changed, dispatch_uid="liveblog.desk")
        results_changed.connect(receivers.results_changed, dispatch_uid="liveblog.results")
        # Drawn on every page but outside the change log: renderings are keyed anew.
        from newsroom.staff.models import Reporter
        from results.models import Candidate, Race

        from . import render_cache
        from .models import Label

        for model in (Label, Reporter, Candidate, Race):
            post_save.connect(render_cache.bump_epoch, sender=model, dispatch_uid="liveblog.render")
            post_delete.connect(
                render_cache.bump_epoch, sender=model, dispatch_uid="liveblog.render"
            )
        uid = "liveblog.live.positions"
        post_save.connect(positions.change_saved, sender=Change, dispatch_uid=uid)
        post_save.connect(positions.change_saved, sender=DeskChange, dispatch_uid=uid)
        post_save.connect(positions.blog_saved_or_deleted, sender=LiveBlog, dispatch_uid=uid)
        post_delete.connect(positions.blog_saved_or_deleted, sender=LiveBlog, dispatch_uid=uid)
