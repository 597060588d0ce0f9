"""Admin forms: stale-edit detection and image checks before anything is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media

from newsroom.images import clean_image

from ..embeds import check_link
from ..html import ALLOWED_TAGS
from ..models import LiveBlog, Post, PostEmbed, PostImage, PostVideo
from ..services.blogs import MAX_POINT_LENGTH, MAX_POINTS
from ..video import check_video_file, embed_url, video_link_help

# The rich text editor offers what a post body may hold (``liveblog.html``: the sanitizer
# has the last word on every save, whatever the browser sends), plus an HTML view for the
# rare fix the toolbar cannot make. Spell checking stays on. Tables are there for what
# reporters paste (a poll's figures from Word or a spreadsheet) as much as for typing.
BODY_EDITOR: dict[str, Any] = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Underline": True,
        "Strike": True,
        "Subscript": True,
        "Superscript": True,
        "Heading": {"levels": [2, 3, 4]},
        "Blockquote": True,
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "HardBreak": True,
        "HorizontalRule": True,
        "Table": True,
        "TableRow": True,
        "TableHeader": True,
        "TableCell": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
        "HTML": True,
        "NoSpellCheck": False,
    }
}


class BodyEditor(AdminProseEditorWidget):  # type: ignore[misc]
    """The post body's editor, with clean paste from Word, Google Docs and web pages
    (``static/newsroom/paste.js``, run before the editor reads what was pasted)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(config=BODY_EDITOR, preset="configurable", **kwargs)

    @property
    def media(self) -> Media:
        return super().media + Media(js=["newsroom/paste.js"])


class PostForm(forms.ModelForm[Post]):
    # The version the editor started from; a newer one in the database means someone
    # else saved in the meantime, and this save must not silently overwrite theirs.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to readers with the update time when you change a published post.",
    )

    class Meta:
        model = Post
        fields = ["blog", "title", "label", "body", "correction_note"]
        widgets = {"body": BodyEditor()}
        help_texts = {
            # The admin renders help text as HTML: name the tags, never write them.
            "body": "Paragraphs, quotes, lists, tables and links from the toolbar. Pasted or typed "
            "HTML keeps only these tags: "
            + ", ".join(sorted(ALLOWED_TAGS))
            + ". Anything else (scripts, styles, event handlers) is removed on save.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["correction_note"].initial = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        if self.instance.pk:
            submitted = cleaned.get("version")
            current = Post.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            current_version = current.first()
            if submitted is None or submitted != current_version:
                raise ValidationError(
                    "Someone else saved this post after you opened it, so your changes were "
                    "not saved. Copy what you wrote, reload the page to see their version, "
                    "and apply your changes again.",
                    code="stale",
                )
        return cleaned


class PostImageForm(forms.ModelForm[PostImage]):
    class Meta:
        model = PostImage
        fields = ["image", "alt_text", "caption", "credit", "placement", "order"]

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "content_type"):
            # A new upload: refused here as the service would refuse it (the service
            # stores the cleaned copy when the post is saved).
            clean_image(image)
            image.seek(0)
        return image


class PostVideoForm(forms.ModelForm[PostVideo]):
    url = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = PostVideo
        fields = ["url", "file", "poster", "caption", "placement", "order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Says which sites, in words: the setting that lists them is for operators.
        self.fields["url"].help_text = video_link_help()

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "")
        return embed_url(url) if url else ""

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            check_video_file(upload)
            upload.seek(0)
        return upload

    def clean_poster(self) -> Any:
        poster = self.cleaned_data.get("poster")
        if poster and hasattr(poster, "content_type"):
            clean_image(poster)
            poster.seek(0)
        return poster

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # ModelForm.clean returns cleaned_data
        has_source = cleaned.get("url") or cleaned.get("file")
        if not cleaned.get("DELETE") and cleaned.get("caption") and not has_source:
            raise ValidationError("Give the video a link or a file.")
        return cleaned


class PostEmbedForm(forms.ModelForm[PostEmbed]):
    url = forms.CharField(
        max_length=1000, label="Link", widget=forms.URLInput(),
        help_text="A post on X, Bluesky, Threads, Mastodon, Instagram, Facebook or TikTok, a "
                  "video, audio or a Datawrapper or Flourish chart; read once when the post "
                  "is saved.",
    )  # fmt: skip

    class Meta:
        model = PostEmbed
        fields = ["url", "placement", "order"]

    def clean_url(self) -> str:
        return check_link(self.cleaned_data.get("url", ""))


class LiveBlogForm(forms.ModelForm[LiveBlog]):
    summary_text = forms.CharField(
        label="Summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 90}),
        help_text="The key points shown above the posts, one per line, in order.",
    )

    class Meta:
        model = LiveBlog
        fields = [
            "title", "slug", "description", "status", "coverage_start", "coverage_end", "races",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The hidden initial lets us tell "edited the summary" from "left it alone".
        self.fields["summary_text"].show_hidden_initial = True
        self.fields["summary_text"].initial = "\n".join(self.instance.summary or [])

    @property
    def summary_points(self) -> list[str]:
        return [p.strip() for p in self.cleaned_data.get("summary_text", "").splitlines()]

    def clean_summary_text(self) -> str:
        text: str = self.cleaned_data.get("summary_text", "")
        points = [p for p in text.splitlines() if p.strip()]
        if len(points) > MAX_POINTS:
            raise ValidationError(f"Keep the summary to {MAX_POINTS} points or fewer.")
        for point in points:
            if len(point.strip()) > MAX_POINT_LENGTH:
                raise ValidationError(
                    f"Each key point must be under {MAX_POINT_LENGTH} characters: "
                    f"“{point.strip()[:60]}…”."
                )
        if self.instance.pk and "summary_text" in self.changed_data:
            opened_with = [p for p in self["summary_text"].initial.splitlines() if p.strip()]
            current = LiveBlog.objects.values_list("summary", flat=True).get(pk=self.instance.pk)
            if current != [" ".join(p.split()) for p in opened_with]:
                raise ValidationError(
                    "Someone else changed the summary after you opened this page. Copy your "
                    "points, reload, and apply them again.",
                    code="stale",
                )
        return text
