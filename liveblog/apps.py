from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    name = "liveblog"
    verbose_name = "Live blogs"

    def ready(self) -> None:
        """Subscribe the live channel, the desk, the render cache and the position memory
        to the seam (``liveblog.signals``), and the blogs to results."""
        from results.signals import calls_waiting, results_changed

        from . import (
            actions,  # noqa: F401  (its registry joins newsroom.actions')
            drawn,
            receivers,
            render_cache,
        )
        from .desk import channel as desk_channel
        from .live import notify, positions
        from .live.hub import hub
        from .signals import change_committed, desk_changed, drawn_changed

        # What this process remembers of a blog's position goes first: the receivers
        # after it read the blog afresh.
        change_committed.connect(positions.change_committed, dispatch_uid="liveblog.positions")
        desk_changed.connect(positions.desk_changed, dispatch_uid="liveblog.positions")
        drawn_changed.connect(positions.drawn_changed, dispatch_uid="liveblog.positions")
        drawn_changed.connect(render_cache.drawn_changed, dispatch_uid="liveblog.render")
        change_committed.connect(notify.on_change_committed, dispatch_uid="liveblog.live")
        desk_changed.connect(notify.on_desk_changed, dispatch_uid="liveblog.desk")
        hub.listen("desk", desk_channel.desks.moved)  # the hub carries the staff channel
        results_changed.connect(receivers.results_changed, dispatch_uid="liveblog.results")
        calls_waiting.connect(receivers.calls_waiting, dispatch_uid="liveblog.results")
        drawn.connect()
