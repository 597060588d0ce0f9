"""Saving the post page's inline rows (byline, photos, videos, embeds) through the
services.

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


def formset_rows_kept(formset: Formset) -> list[Any]:
    """The rows of an inline that are filled in and not marked for removal."""
    return [f for f in _rows(formset) if not f.cleaned_data.get("DELETE")]


def save_byline(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    """The byline as listed (in its order). A new post with no rows keeps the filer's
    own byline, which ``post_create`` gave it."""
    kept = formset_rows_kept(formset)
    if adding and not kept:
        return
    kept.sort(key=lambda f: f.cleaned_data.get("order") or 0)
    rows = [(f.cleaned_data["reporter"], f.cleaned_data.get("byline") or "") for f in kept]
    before = post.version
    updated = services.post_set_contributors(post=post, by=user, contributors=rows)
    if updated.version != before:
        formset.changed_objects = [(f.instance, ["byline"]) for f in kept]


def _save_media(formset: Formset, post: Post, user: Any, *, kind: str, fields: tuple[str, ...],
                uploads: dict[str, str]) -> None:  # fmt: skip
    """Photo, video or embed rows: each removed, changed or added row is one service call
    (``post_remove_<kind>``, ``post_update_<kind>``, ``post_add_<kind>``). ``uploads``
    maps the services' file arguments to the form's file fields."""
    remove = getattr(services, f"post_remove_{kind}")
    update = getattr(services, f"post_update_{kind}")
    add = getattr(services, f"post_add_{kind}")
    for form in _rows(formset):
        data, item = form.cleaned_data, form.instance
        values = {name: data[name] for name in fields if name in data}
        if item.pk and data.get("DELETE"):
            remove(**{kind: item, "by": user})
            formset.deleted_objects.append(item)
        elif item.pk:
            if form.has_changed():
                files = {arg: _upload(form, name) for arg, name in uploads.items()}
                update(**{kind: item, "by": user}, **files, **values)
                formset.changed_objects.append((item, form.changed_data))
        elif not data.get("DELETE"):
            files = {arg: _upload(form, name) for arg, name in uploads.items()}
            formset.new_objects.append(add(post=post, by=user, **files, **values))


def save_images(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    _save_media(formset, post, user, kind="image", uploads={"file": "image"},
                fields=("alt_text", "caption", "credit", "placement", "order"))  # fmt: skip


def save_videos(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    _save_media(formset, post, user, kind="video", uploads={"file": "file", "poster": "poster"},
                fields=("caption", "url", "placement", "order"))  # fmt: skip


def save_embeds(formset: Formset, post: Post, user: Any, *, adding: bool) -> None:
    _save_media(formset, post, user, kind="embed", uploads={},
                fields=("url", "placement", "order"))  # fmt: skip
