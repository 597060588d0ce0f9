"""Posts in the admin: the approval queue, the editor's workflow buttons, media inlines."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Model, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from js_asset import Media as AssetMedia

from newsroom.params import sequence
from newsroom.template_filters import when

from .. import actions as post_actions
from .. import services
from ..actions import REFUSALS, Action
from ..exceptions import StaleEdit
from ..models import Post, PostContributor, PostEmbed, PostImage, PostVideo
from .forms import PostEmbedForm, PostForm, PostImageForm, PostVideoForm
from .inlines import formset_rows_kept, save_byline, save_embeds, save_images, save_videos

_Child = TypeVar("_Child", bound=Model)

Status = Post.Status
QUEUE_ORDER = Case(
    When(status=Status.SUBMITTED, then=Value(0)),
    When(status=Status.DRAFT, then=Value(1)),
    When(status=Status.SCHEDULED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class PostChildInline(admin.StackedInline[_Child, Post]):
    """Inlines follow the post: editable exactly when the post is."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return obj is None or post_actions.may("edit", request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return obj is None or post_actions.may("edit", request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        return obj is None or post_actions.may("edit", request.user, obj)


class ContributorInline(
    PostChildInline[PostContributor], admin.TabularInline[PostContributor, Post]
):
    model = PostContributor
    autocomplete_fields = ["reporter"]
    fields = ["reporter", "byline", "order"]
    verbose_name = "byline"
    verbose_name_plural = "bylines (a new post is signed with yours, filled in here)"

    def get_extra(self, request: HttpRequest, obj: Post | None = None, **kwargs: Any) -> int:
        # A new post starts with the filer's own byline, filled in and editable.
        return 1 if obj is None and services.default_byline(request.user) else 0


class ImageInline(PostChildInline[PostImage]):
    model = PostImage
    form = PostImageForm
    fields = ["preview", "image", "alt_text", "caption", "credit", "placement", "order"]
    readonly_fields = ["preview"]

    @admin.display(description="Preview")
    def preview(self, obj: PostImage) -> str:
        if not obj.pk or not obj.image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:240px;max-height:160px">',
            obj.image.url,
            obj.alt_text,
        )


class VideoInline(PostChildInline[PostVideo]):
    model = PostVideo
    form = PostVideoForm
    fields = ["url", "file", "poster", "caption", "placement", "order"]


class EmbedInline(PostChildInline[PostEmbed]):
    model = PostEmbed
    form = PostEmbedForm
    fields = ["url", "as_read", "placement", "order"]
    readonly_fields = ["as_read"]
    verbose_name = "embed"
    verbose_name_plural = "embeds (posts, videos and charts from elsewhere, by their link)"

    @admin.display(description="As read")
    def as_read(self, obj: PostEmbed) -> str:
        if not obj.pk:
            return "Read when the post is saved."
        who = f" · {obj.author_name}" if obj.author_name else ""
        return format_html("{}{}<br><small>{}</small>", obj.provider_name or "Link", who,
                           obj.problem or obj.text[:140] or obj.title)  # fmt: skip


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    form = PostForm
    change_form_template = "admin/liveblog/post/change_form.html"
    inlines = [ContributorInline, ImageInline, VideoInline, EmbedInline]
    list_display = ["title", "status_badge", "blog", "author", "published_display", "marks"]
    list_filter = [
        "status", "blog", ("author", admin.RelatedOnlyFieldListFilter), "label", "pinned",
        "key_event",
    ]  # fmt: skip
    list_select_related = ["blog", "author", "label"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    actions = [f"action_{name}" for name in post_actions.BUTTONS]
    readonly_fields = [
        "status", "author", "published_at", "publish_at", "published_by", "pinned", "key_event",
        "corrected_at", "retracted_at", "retraction_reason", "body_as_readers_see_it",
    ]  # fmt: skip
    # ``version`` is the form's own hidden field (the stale-edit guard), not the model's.
    exclude = ["version"]

    def get_fieldsets(self, request: HttpRequest, obj: Post | None = None) -> Any:
        main = ["blog", "title", "label", "body"]
        if obj is not None and not post_actions.may("edit", request.user, obj):
            main[3] = "body_as_readers_see_it"  # not raw HTML with the editor's help
        if obj is not None and obj.is_public and post_actions.may("edit", request.user, obj):
            main.append("correction_note")
        main.append("version")
        record = ["status", "author", "published_at", "publish_at", "published_by", "pinned",
                  "key_event", "corrected_at", "retracted_at", "retraction_reason"]  # fmt: skip
        return [(None, {"fields": main}), ("Record", {"fields": record})]

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        # The approval queue first: what editors must act on, then drafts, then the rest.
        return [QUEUE_ORDER.asc(), "-updated_at"]

    @admin.display(description="Body")
    def body_as_readers_see_it(self, obj: Post) -> str:
        # Stored bodies are sanitised on every save (liveblog.html): safe to show as HTML.
        return mark_safe(f'<div class="post-body-preview">{obj.body}</div>')

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Post) -> str:
        label = obj.get_status_display()
        if obj.status == Status.SCHEDULED and not obj.is_public:
            label = f"Scheduled for {obj.published_at:%d %b %H:%M}"
        return label

    @admin.display(description="Published", ordering="published_at")
    def published_display(self, obj: Post) -> str:
        return when(obj.published_at, "short") or "—"

    @admin.display(description="Label, pin, key event")
    def marks(self, obj: Post) -> str:
        names = [obj.label.name if obj.label else "", "Pinned" if obj.pinned else "",
                 "Key event" if obj.key_event else ""]  # fmt: skip
        return format_html_join("", '<span class="mark">{}</span>', [(n,) for n in names if n])

    # Permissions are the services' own checks, the same rules as every other door.
    def has_change_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return post_actions.may("edit", request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Post | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return post_actions.may("delete", request.user, obj)

    def get_formset_kwargs(self, request: HttpRequest, obj: Post, inline: Any,
                           prefix: str) -> dict[str, Any]:  # fmt: skip
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ContributorInline) and request.method != "POST" and not obj.pk:
            kwargs["initial"] = [
                {"reporter": reporter.pk, "byline": line, "order": 0}
                for reporter, line in services.default_byline(request.user)
            ]
        return kwargs

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # published posts are retracted, not deleted
        # Only what the user's role can ever do: a reporter is not offered Publish.
        for name, action in post_actions.BUTTONS.items():
            if not action.role(request.user):
                actions.pop(f"action_{name}", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Post, form: PostForm, change: bool) -> None:
        data: dict[str, Any] = {
            name: form.cleaned_data.get(name) for name in ("title", "body", "label")
        }
        if change:
            services.post_update(
                post=obj,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                data=data,
                correction_note=form.cleaned_data.get("correction_note", ""),
            )
        else:
            # The filer's own byline unless the byline rows name others (save_formset).
            post = services.post_create(blog=form.cleaned_data["blog"], by=request.user, **data)
            obj.pk = post.pk
            obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Bylines, photos and videos are saved by the services, with their checks (the
        same refusals as the API), never by the formsets themselves."""
        save = {PostContributor: save_byline, PostImage: save_images, PostVideo: save_videos,
                PostEmbed: save_embeds}  # fmt: skip
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        save[formset.model](formset, form.instance, request.user, adding=not change)
        if formset.model is PostContributor and not change:
            self._say_whose_byline(request, formset, form.instance)

    def _say_whose_byline(self, request: HttpRequest, formset: Any, post: Post) -> None:
        """A new post saved with every byline row removed is signed with the filer's
        own (``post_create``): say so, rather than leave a name nobody chose in silence."""
        if formset_rows_kept(formset):
            return
        names = ", ".join(c.reporter.display_name
                          for c in post.contributors.select_related("reporter"))  # fmt: skip
        if names:
            self.message_user(request, f"No byline was given: the post is signed “{names}”.",
                              messages.INFO)  # fmt: skip

    def delete_model(self, request: HttpRequest, obj: Post) -> None:
        services.post_delete(post=obj, by=request.user)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any],
                           add: bool = False, change: bool = False, form_url: str = "",
                           obj: Post | None = None) -> HttpResponse:  # fmt: skip
        # The body editor's import map is an inline script: under our CSP it runs only
        # with the page's nonce, which js_asset's Media puts on every tag it renders.
        context["media"] = AssetMedia.from_media(
            context["media"], nonce=getattr(request, "csp_nonce", "")
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:  # fmt: skip
        extra_context = extra_context or {}
        if object_id:
            post = self.get_object(request, unquote(object_id))
            if post is not None:
                extra_context["workflow_steps"] = post_actions.buttons(request.user, post)
        try:
            # The post and its inlines (byline, photos, videos): one gesture, one change.
            with services.one_gesture():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleEdit:
            if request.method != "POST":
                raise
            # Another save committed between this form's version check and the service's
            # (a true race): nothing of ours was written. Checked again now, the form
            # sees the newer version and shows the page with what this editor typed and
            # why it was not saved, instead of a redirect that would lose the text.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied as error:
            # Only a service's refusal of a save that passed the form (a race lost in the
            # moment between the two) becomes a message; the admin's own refusals stand.
            if request.method != "POST" or not str(error):
                raise
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- Workflow: buttons on the change page, with a confirmation page per step ---------
    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.workflow_view)
        return [
            path("<path:object_id>/do/<slug:step>/", view, name="liveblog_post_workflow"),
            *super().get_urls(),
        ]

    def workflow_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """Confirm and take one action on one post; editors and reporters as their role
        allows. A refusal is a page saying why, with the registry's status for it."""
        post = get_object_or_404(Post, pk=unquote(object_id))
        chosen = post_actions.BUTTONS.get(step)
        if chosen is None:
            raise PermissionDenied
        # The version the editor reviewed: from the post's page, through the confirmation.
        reviewed = sequence(request.POST.get("version") or request.GET.get("version"))
        if request.method != "POST":
            if (refused := chosen.refused(request.user, post)) is not None:
                return self._refused_page(request, chosen, post, refused)  # a stale link
            form = chosen.form() if chosen.form else None
            return self._confirm_page(request, chosen, [post], form, reviewed=reviewed)
        try:
            chosen.gate(request.user)
            form = chosen.form(request.POST) if chosen.form else None
            if form is not None and not form.is_valid():
                return self._confirm_page(request, chosen, [post], form, reviewed=reviewed,
                                          status=400)  # fmt: skip
            chosen.run(post, request.user, {**(form.cleaned_data if form else {}),
                                            "version": reviewed})  # fmt: skip
        except REFUSALS as error:
            return self._refused_page(request, chosen, post, error)
        self.message_user(request, f"“{post}” {chosen.done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:liveblog_post_change", args=[post.pk]))

    def _refused_page(self, request: HttpRequest, action: Action, post: Post,
                      error: Exception) -> TemplateResponse:  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{action.label.rstrip('…')}: not done",
            "step": action,
            "post": post,
            "refusal": f"“{post}” was not {action.done}: {post_actions.message(error)}",
        }
        return TemplateResponse(request, "admin/liveblog/post/refused.html", context,
                                status=post_actions.refusal_status(error))  # fmt: skip

    def _confirm_page(self, request: HttpRequest, step: Action, posts: list[Post],
                      form: Any, reviewed: int | None = None,
                      status: int = 200) -> TemplateResponse:  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{step.label.rstrip('…')}: {len(posts)} post(s)",
            "step": step,
            "posts": posts,
            "form": form,
            "bulk": request.POST.get("action", "").startswith("action_"),
            "reviewed_version": reviewed,
        }
        return TemplateResponse(request, "admin/liveblog/post/workflow.html", context,
                                status=status)  # fmt: skip

    def _run_bulk(self, request: HttpRequest, queryset: QuerySet[Post], name: str
                  ) -> HttpResponse | None:  # fmt: skip
        step = post_actions.BUTTONS[name]
        form = None
        if step.form is not None:
            form = step.form(request.POST if "apply" in request.POST else None)
            if not form.is_valid():
                return self._confirm_page(request, step, list(queryset), form)
        done, refused = 0, []
        for post in queryset:
            if not step.allowed(request.user, post):
                refused.append(f"“{post}”: {_refused_message(step, post, request.user)}")
                continue
            try:
                step.run(post, request.user, form.cleaned_data if form else {})
            except REFUSALS as error:
                refused.append(f"“{post}”: {post_actions.message(error)}")
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} post(s) {step.done}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"Not {step.done}: {reason}", messages.WARNING)
        return None


def _refused_message(step: Action, post: Post, user: Any) -> str:
    status = post.get_status_display().lower()
    reason = step.refusal(user, post) or ""
    return f"“{step.label.rstrip('…')}” is not available for this {status} post with your role." + (
        f" {reason}" if reason else ""
    )


def _make_action(name: str) -> Any:
    def action(modeladmin: PostAdmin, request: HttpRequest, queryset: QuerySet[Post]) -> Any:
        return modeladmin._run_bulk(request, queryset, name)

    action.__name__ = f"action_{name}"
    return admin.action(description=post_actions.BUTTONS[name].label.rstrip("…"))(action)


for _name in post_actions.BUTTONS:
    setattr(PostAdmin, f"action_{_name}", _make_action(_name))
