"""Filing from the compose box: one request saves what was typed, then takes the action.

Each part goes through its service (words, byline, key event, video, each photo, then
submit, publish or schedule), so the rules are the admin's and the API's. A part that is
refused is reported beside its field and the others are kept: a refused photo never
loses the words, and the action is taken only when every part was accepted. A stale
save (someone saved the post since) writes nothing and says so, with both versions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.datastructures import MultiValueDict

from newsroom.params import sequence
from newsroom.web.conflicts import Conflict
from newsroom.web.errors import too_large

from .. import actions, services
from ..actions.forms import messages
from ..exceptions import StaleEdit
from ..models import LiveBlog, Post, PostImage
from ..services.locks import lock_open, lock_release
from .forms import MAX_BYLINES, MAX_NEW_PHOTOS, ComposeForm, PhotoWordsForm

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile
    from django.http import QueryDict

    from newsroom.staff.models import Reporter

DONE = {
    "autosave": "Draft saved",
    "draft": "Draft saved",
    "save": "Saved",
    "submit": "Submitted for approval",
    "publish": "Published",
    "schedule": "Scheduled",
}


@dataclass
class Outcome:
    post: Post | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    photos: dict[str, str] = field(default_factory=dict)  # row → why it was refused
    stored_photos: dict[str, int] = field(default_factory=dict)  # new row → its image id
    too_large: set[str] = field(default_factory=set)  # rows refused for their size alone
    done: str = ""  # the action taken, when every part was accepted
    stale: StaleEdit | None = None
    # Told to the filer without stopping the action: an embed shown only as a link card.
    notes: dict[str, str] = field(default_factory=dict)

    def refuse(self, where: str, error: Exception) -> None:
        self.errors.setdefault(where, []).extend(messages_of(error))

    @property
    def ok(self) -> bool:
        return not (self.errors or self.photos or self.stale)


def messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or "You may not do this."]


def byline_rows(data: QueryDict, reporters: dict[int, Reporter]) -> list[tuple[Reporter, str]]:
    """``byline-reporter`` and ``byline-line``, in order, as the services take them."""
    ids, lines = data.getlist("byline-reporter"), data.getlist("byline-line")
    if len(ids) > MAX_BYLINES:
        raise ValidationError(f"A byline names at most {MAX_BYLINES} people.")
    rows = []
    for raw, line in zip(ids, lines + [""] * (len(ids) - len(lines)), strict=True):
        if not raw.strip():
            continue
        pk = sequence(raw)  # ASCII digits only, bounded: never int() on request text
        reporter = reporters.get(pk) if pk is not None else None
        if reporter is None:
            raise ValidationError("Choose people for the byline from the list.")
        if len(line) > 160:
            raise ValidationError("Keep each byline line under 160 characters.")
        rows.append((reporter, line))
    return rows


def new_photo_rows(data: QueryDict, files: MultiValueDict[str, UploadedFile[Any]]) -> list[str]:
    """The keys (``new-0``, ``new-1``…) of photos picked in the browser, in order."""
    keys = [key.removesuffix("-file") for key in files if key.startswith("new-")]
    if len(keys) > MAX_NEW_PHOTOS:
        raise ValidationError(f"Add at most {MAX_NEW_PHOTOS} photos at a time.")
    return sorted(keys, key=lambda k: sequence(k[4:]) or 0)


def _words(form: PhotoWordsForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {"alt_text": data["alt"], "caption": data["caption"], "credit": data["credit"]}


class Filing:
    """One compose request by ``user`` on ``blog``."""

    def __init__(self, blog: LiveBlog, user: User, data: QueryDict,
                 files: MultiValueDict[str, UploadedFile[Any]], reporters: dict[int, Reporter]
                 ) -> None:  # fmt: skip
        self.blog, self.user, self.data, self.files = blog, user, data, files
        self.reporters = reporters
        self.out = Outcome()

    def run(self) -> Outcome:
        # One click, one unit of work: words, byline, photos, video and the action in one
        # transaction, one version step, one change readers and partners hear about.
        with services.one_gesture():
            self._run()
        if self.out.post is not None and self.out.stale is None:
            self.out.post.refresh_from_db()  # the version the box sends with its next save
        return self.out

    def _run(self) -> None:
        form = ComposeForm(self.data)
        if not form.is_valid():
            for name, errors in form.errors.items():
                self.out.errors[name] = [str(error) for error in errors]
            return
        data = form.cleaned_data
        action = data["action"]
        try:
            byline = byline_rows(self.data, self.reporters)
        except ValidationError as error:
            self.out.refuse("byline", error)
            byline = None
        if not self._words(data, byline):
            return
        post = self.out.post
        assert post is not None
        self._key_event(post, data)
        self._video(post, data)
        if action != "autosave":  # a link half typed is not read; photos wait too
            self._embeds(post, data)
            self._photos(post)
        if not self.out.ok:
            return
        self._act(action, data)

    def _guard(self, where: str, call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except (PermissionDenied, ValidationError, Conflict) as error:
            self.out.refuse(where, error)
            return None

    def _words(self, data: dict[str, Any], byline: list[tuple[Reporter, str]] | None) -> bool:
        words = {"title": data["title"], "body": data["body"], "label": data["label"]}
        if data["post"] is None:
            if not data["title"].strip():
                return False  # nothing to keep yet but what the browser holds
            post = self._guard("__all__", services.post_create, blog=self.blog, by=self.user,
                               contributors=byline or [], **words)  # fmt: skip
            if post is not None:
                self._guard("__all__", lock_open, post=post, by=self.user)
            self.out.post = post
            return post is not None
        post = Post.objects.filter(pk=data["post"], blog=self.blog).first()
        if post is None:
            self.out.errors["__all__"] = ["This post is no longer there (a draft deleted?)."]
            return False
        if data["action"] == "autosave" and post.status != Post.Status.DRAFT:
            # Readers would see every keystroke of a correction: only drafts autosave.
            self.out.post = post
            return False
        try:
            post = services.post_update(
                post=post, by=self.user, expected_version=data["version"] or 0, data=words,
                correction_note=data["correction_note"],
            )  # fmt: skip
        except StaleEdit as stale:
            self.out.stale, self.out.post = stale, post
            return False
        except (PermissionDenied, ValidationError) as error:
            self.out.refuse("__all__", error)
            self.out.post = post
            return False
        if byline is not None:
            post = self._guard("byline", services.post_set_contributors, post=post,
                               by=self.user, contributors=byline) or post  # fmt: skip
        self.out.post = post
        return True

    def _key_event(self, post: Post, data: dict[str, Any]) -> None:
        if data["key_event"] != post.key_event and actions.role_allows("mark_key_event",
                                                                        self.user):  # fmt: skip
            self._guard("key_event", services.post_set_key_event, post=post, by=self.user,
                        key_event=data["key_event"])  # fmt: skip

    def _video(self, post: Post, data: dict[str, Any]) -> None:
        url, caption = data["video_url"], data["video_caption"].strip()
        linked = next((v for v in post.videos.all() if v.url), None)
        if linked is None and url:
            self._guard("video_url", services.post_add_video, post=post, by=self.user,
                        url=url, caption=caption)  # fmt: skip
        elif linked is not None and not url:
            self._guard("video_url", services.post_remove_video, video=linked, by=self.user)
        elif linked is not None:
            self._guard("video_url", services.post_update_video, video=linked, by=self.user,
                        url=url, caption=caption)  # fmt: skip

    def _embeds(self, post: Post, data: dict[str, Any]) -> None:
        """Remove the embeds ticked for removal; add the pasted link (once: the same link
        saved again is the embed already there). A link read only as a card is a note."""
        for embed in list(post.embeds.all()):
            if self.data.get(f"embed-{embed.pk}-remove"):
                self._guard(f"embed-{embed.pk}", services.post_remove_embed, embed=embed,
                            by=self.user)  # fmt: skip
        url = data["embed_url"].strip()
        if not url or post.embeds.filter(url=url).exists():
            return
        embed = self._guard("embed_url", services.post_add_embed, post=post, by=self.user,
                            url=url)  # fmt: skip
        if embed is not None:
            self.out.notes["embed_url"] = (
                f"Shown as a link card: {embed.problem}" if embed.problem
                else f"Embedded: {embed.provider_name}"
                     f"{' post by ' + embed.author_name if embed.author_name else ''}."
            )  # fmt: skip

    def _photos(self, post: Post) -> None:
        stored = {image.pk: image for image in PostImage.objects.filter(post=post)}
        for pk, image in stored.items():
            words = PhotoWordsForm(self.data, prefix=f"photo-{pk}")
            if f"photo-{pk}-alt" not in self.data:
                continue  # not on this desk's form (added elsewhere meanwhile): left alone
            if not words.is_valid():
                self.out.photos[f"photo-{pk}"] = " ".join(messages(words))
                continue
            call: Callable[..., object]
            if words.cleaned_data["remove"]:
                call, kwargs = services.post_remove_image, {}
            else:
                call, kwargs = services.post_update_image, _words(words)
            try:
                call(image=image, by=self.user, **kwargs)
            except (PermissionDenied, ValidationError) as error:
                self.out.photos[f"photo-{pk}"] = " ".join(messages_of(error))
        try:
            keys = new_photo_rows(self.data, self.files)  # each has its "-file"
        except ValidationError as error:
            self.out.refuse("photos", error)
            return
        for key in keys:
            words = PhotoWordsForm(self.data, prefix=key)
            if not words.is_valid():
                self.out.photos[key] = " ".join(messages(words))
                continue
            try:
                image = services.post_add_image(post=post, by=self.user,
                                                file=cast("IO[bytes]", self.files[f"{key}-file"]),
                                                **_words(words))  # fmt: skip
            except (PermissionDenied, ValidationError) as error:
                self.out.photos[key] = " ".join(messages_of(error))
                if isinstance(error, ValidationError) and too_large(error):
                    self.out.too_large.add(key)
            else:
                self.out.stored_photos[key] = image.pk

    def _act(self, action: str, data: dict[str, Any]) -> None:
        post = self.out.post
        assert post is not None
        post.refresh_from_db()
        if action == "submit":
            done = self._guard("__all__", services.post_submit, post=post, by=self.user)
        elif action == "publish":
            done = self._guard("__all__", services.post_publish, post=post, by=self.user)
        elif action == "schedule":
            done = self._guard("publish_at", services.post_publish, post=post, by=self.user,
                               at=data["publish_at"])  # fmt: skip
        else:
            done = post
        if done is not None:
            self.out.post = done
            self.out.done = DONE[action]
            if action in ("submit", "publish", "schedule"):
                lock_release(post=done, by=self.user)  # out of this desk's hands now
