"""Saving the post page's inline rows (byline, photos, videos) through the services.

The formsets only validate (the forms run the services' own upload checks); each row
that changed becomes one service call, so the admin repeats none of the services'
rules. The formset's ``new_objects``/``changed_objects``/``deleted_objects`` are filled
in for the admin's history message.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.forms import BaseInlineFormSet, ModelForm

from .. import services
from ..models import Post

Formset = BaseInlineFormSet[Any, Any, Any]


def _rows(formset: Formset) -> list[ModelForm[Any]]:
    """Forms with something in them: existing rows, and new rows that were filled in."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and (form.instance.pk or form.has_changed())
    ]


def _upload(form: ModelForm[Any], name: str) -> Any:
    value = form.cleaned_data.get(name)
    return value if isinstance(value, UploadedFile) else None


def save_byline(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    """The byline as listed (in its order). A new post with no rows keeps the filer's
    own byline, which ``post_create`` gave it."""
    kept = [f for f in _rows(formset) if not f.cleaned_data.get("DELETE")]
    if adding and not kept:
        return
    kept.sort(key=lambda f: f.cleaned_data.get("order") or 0)
    rows = [(f.cleaned_data["reporter"], f.cleaned_data.get("byline") or "") for f in kept]
    before = post.version
    updated = services.post_set_contributors(post=post, by=user, contributors=rows)
    if updated.version != before:
        formset.changed_objects = [(f.instance, ["byline"]) for f in kept]


def save_images(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    fields = ("alt_text", "caption", "credit", "placement", "order")
    for form in _rows(formset):
        data, image = form.cleaned_data, form.instance
        if image.pk and data.get("DELETE"):
            services.post_remove_image(image=image, by=user)
            formset.deleted_objects.append(image)
        elif image.pk:
            if form.has_changed():
                services.post_update_image(
                    image=image,
                    by=user,
                    file=_upload(form, "image"),
                    **{name: data[name] for name in fields if name in data},
                )
                formset.changed_objects.append((image, form.changed_data))
        elif not data.get("DELETE"):
            created = services.post_add_image(
                post=post,
                by=user,
                file=data["image"],
                **{name: data[name] for name in fields if name in data},
            )
            formset.new_objects.append(created)


def save_videos(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    fields = ("caption", "url", "placement", "order")
    for form in _rows(formset):
        data, video = form.cleaned_data, form.instance
        if video.pk and data.get("DELETE"):
            services.post_remove_video(video=video, by=user)
            formset.deleted_objects.append(video)
        elif video.pk:
            if form.has_changed():
                services.post_update_video(
                    video=video,
                    by=user,
                    file=_upload(form, "file"),
                    poster=_upload(form, "poster"),
                    **{name: data[name] for name in fields if name in data},
                )
                formset.changed_objects.append((video, form.changed_data))
        elif not data.get("DELETE"):
            created = services.post_add_video(
                post=post,
                by=user,
                file=_upload(form, "file"),
                poster=_upload(form, "poster"),
                **{name: data[name] for name in fields if name in data},
            )
            formset.new_objects.append(created)
