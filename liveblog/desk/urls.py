"""The live desk's addresses, under /admin/desk/ (newsroom/urls.py)."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from . import views

app_name = "desk"


def staff(view: Callable[..., HttpResponse]) -> Callable[..., Any]:
    """The admin's own door: signed-in staff only, others to the admin login."""
    return admin.site.admin_view(view)


urlpatterns = [
    path("", staff(views.index), name="index"),
    path("<slug:slug>/", staff(views.desk), name="desk"),
    path("<slug:slug>/regions/", staff(views.region_fragments), name="regions"),
    path("<slug:slug>/timeline/", staff(views.timeline_older), name="older"),
    path("<slug:slug>/compose/", staff(views.compose), name="compose"),
    path("<slug:slug>/compose/<int:pk>/", staff(views.compose), name="compose-post"),
    path("<slug:slug>/compose/save/", staff(views.compose_save), name="save"),
    path("<slug:slug>/compose/preview/", staff(views.preview), name="preview"),
    path("<slug:slug>/summary/", staff(views.summary), name="summary"),
    path("<slug:slug>/races/", staff(views.races), name="races"),
    path("<slug:slug>/races/<int:pk>/<direction>/", staff(views.move_race), name="move-race"),
    path("<slug:slug>/posts/<int:pk>/lock/", staff(views.lock), name="lock"),
    path("<slug:slug>/posts/<int:pk>/release/", staff(views.release), name="release"),
    path("<slug:slug>/posts/<int:pk>/<slug:name>/", staff(views.step), name="step"),
    path("<slug:slug>/calls/<int:pk>/<slug:name>/", staff(views.call_step), name="call"),
    # Async, long-lived: checks the session itself (admin_view wraps sync views only).
    path("<slug:slug>/stream/", views.stream, name="stream"),
]
