"""Results in the admin. Every write is an action of ``results.actions`` (recording a
snapshot by hand, calling a race, a second editor's confirmation, a correction, a
withdrawal, a void), offered and answered as the registry says."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from newsroom.actions import REFUSALS, Action, Registry, message, refusal_status
from newsroom.adminkit import PhotoInput, UniqueRaceAdmin
from newsroom.images import clean_form_upload
from newsroom.template_filters import when

from . import actions
from .forms import SnapshotForm
from .models import (
    Candidate,
    CandidateResult,
    Race,
    ResultSnapshot,
    WinnerCall,
    WinnerCallQuerySet,
)
from .services import rollup_or_report

_M = TypeVar("_M", bound=Model)


class CandidateForm(forms.ModelForm[Candidate]):
    class Meta:
        model = Candidate
        fields = ["name", "party", "party_short", "colour", "ballot_order", "source_id", "photo"]
        widgets = {"photo": PhotoInput}

    def clean_photo(self) -> Any:
        # The same checks as a post's photo: type by content, bounded, re-encoded
        # without EXIF/GPS, stored under the server's name (the API shows these).
        return clean_form_upload(self.cleaned_data.get("photo"))


class CandidateInline(admin.TabularInline[Candidate, Race]):
    model = Candidate
    form = CandidateForm
    extra = 0
    fields = ["name", "party", "party_short", "colour", "ballot_order", "source_id", "photo"]


def _next(request: HttpRequest) -> str | None:
    """Where the user came from and goes back to (``?next=``: the live desk), if it is
    this site's."""
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else None


class ActionsAdmin(admin.ModelAdmin[_M]):
    """Offers the actions of a registry (``results.actions``) on each object and takes
    them, each on a page of its own (its form, or one button), answering a refusal with
    the registry's status (``newsroom.actions.refusal_status``)."""

    registry: Registry[Action[Any]]
    url_name: str  # each action's URL is named "<url_name>_<action>"

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        own = [path(f"<int:pk>/{name}/", wrap(partial(self.action_view, name=name)),
                    name=f"{self.url_name}_{name}") for name in self.registry]  # fmt: skip
        return [*own, *super().get_urls()]

    def offered(self, request: HttpRequest, obj: _M) -> list[tuple[str, str]]:
        """The links to the actions ``request.user`` may take on ``obj`` now."""
        return [(reverse(f"admin:{self.url_name}_{name}", args=[obj.pk]), self.registry[name].label)
                for name in self.registry.offered(request.user, obj)]  # fmt: skip

    def get_list_display(self, request: HttpRequest) -> Any:
        def offered(obj: _M) -> str:
            return str(format_html_join(" · ", '<a href="{}">{}</a>', self.offered(request, obj)))

        return [*super().get_list_display(request), admin.display(description="Actions")(offered)]

    def back_url(self, obj: _M) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def action_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        action = self.registry[name]
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        back, title = _next(request) or self.back_url(obj), f"{action.label.rstrip('…')}: {obj}"
        context = {**self.admin_site.each_context(request), "title": title, "opts": self.opts,
                   "back": back}  # fmt: skip
        # Asked for the page: may they start? (A form sent is answered by the write itself,
        # under its lock: sending what is already done, a double click, changes nothing.)
        if request.method != "POST" and (refused := action.refused(request.user, obj)):
            context["refusal"] = f"{obj}: {message(refused)}"
            return TemplateResponse(request, "admin/action_refused.html", context,
                                    status=refusal_status(refused))  # fmt: skip
        form = action.bind(request.POST or None, obj)
        status = 200
        if request.method == "POST" and (form is None or form.is_valid()):
            if (preview := self.preview(request, name, form, context)) is not None:
                return preview
            try:
                action.run(obj, request.user, form.cleaned_data if form else {})
            except REFUSALS as error:
                self.message_user(request, message(error), messages.ERROR)
                status = refusal_status(error)
            else:
                self.message_user(request, f"{obj}: {action.said(obj)}.", messages.SUCCESS)
                return HttpResponseRedirect(back)
        context |= {"form": form, "submit_label": self.submit_label(name)}
        return TemplateResponse(request, "admin/form_page.html", context, status=status)

    def preview(self, request: HttpRequest, name: str, form: forms.Form | None,
                context: dict[str, Any]) -> HttpResponse | None:  # fmt: skip
        """A page to show before the action is taken (None: take it now)."""
        return None

    def submit_label(self, name: str) -> str:
        return self.registry[name].label.rstrip("…")


@admin.register(Race)
class RaceAdmin(ActionsAdmin[Race], UniqueRaceAdmin[Race]):
    registry = actions.RACES
    url_name = "results_race"
    list_display = ["name", "office", "level", "state_postal", "electoral_votes", "threshold",
                    "source_id"]  # fmt: skip
    list_filter = ["level", "race_type", "election_date"]
    search_fields = ["name", "office", "source_id", "state_postal"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CandidateInline]
    change_form_template = "admin/results/race/change_form.html"
    readonly_fields = ["rollup_problem"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "office",
                    "threshold",
                    "threshold_unit",
                    "units_total",
                    "unit_label",
                ]
            },
        ),
        (
            "National count",
            {
                "fields": [
                    "level",
                    "at_stake",
                    "contests",
                    "parent",
                    "state_postal",
                    "electoral_votes",
                    "rollup_problem",
                ],
                "description": "A national race adds up the state races that name it: electoral "
                "votes of confirmed calls, the popular vote, the states to call. Its office's "
                "totals (538 at stake, 51 contests for the presidency) come first.",
            },
        ),
        (
            "From the wire",
            {
                "fields": ["source_id", "election_date", "race_type", "party", "uncontested"],
                "classes": ["collapse"],
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: Race, form: Any, change: bool) -> None:
        before = Race.objects.filter(pk=obj.pk).values_list("parent_id", flat=True).first()
        super().save_model(request, obj, form, change)
        # The national race (this one, or the one it counts towards, and the one it left)
        # adds up again now, not at the next result.
        for race_id in {obj.pk if obj.level == "national" else None, obj.parent_id, before}:
            if race_id is not None:
                rollup_or_report(race_id)

    def get_list_display(self, request: HttpRequest) -> Any:
        return self.list_display  # the race's own page offers its actions

    def back_url(self, obj: Race) -> str:
        return reverse("admin:results_race_change", args=[obj.pk])

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
        race = self.get_object(request, object_id)
        offered = self.offered(request, race) if race is not None else []
        extra = {**(extra_context or {}), "offered_actions": offered}
        return super().change_view(request, object_id, form_url, extra)

    def preview(self, request: HttpRequest, name: str, form: forms.Form | None,
                context: dict[str, Any]) -> HttpResponse | None:  # fmt: skip
        """Results typed by hand: first the shares readers will see, then "Record these
        results"."""
        if name != "record" or not isinstance(form, SnapshotForm) or form.cleaned_data["confirm"]:
            return None
        shares, total, listed_only = form.shares_to_publish()
        form.data = {**request.POST.dict(), "confirm": "1"}
        context |= {"form": form, "shares": shares, "share_total": total,
                    "listed_only": listed_only, "submit_label": "Record these results"}  # fmt: skip
        return TemplateResponse(request, "admin/form_page.html", context)

    def submit_label(self, name: str) -> str:
        return "Check the shares" if name == "record" else super().submit_label(name)


class CandidateResultInline(admin.TabularInline[CandidateResult, ResultSnapshot]):
    model = CandidateResult
    fields = ["candidate", "popular_votes", "share", "electoral_votes"]
    readonly_fields = ["candidate", "popular_votes", "share", "electoral_votes"]
    extra = 0
    can_delete = False

    @admin.display(description="Share (%)")
    def share(self, obj: CandidateResult) -> str:
        return f"{obj.share}"


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(ActionsAdmin[ResultSnapshot], ReadOnlyAdmin[ResultSnapshot]):
    registry = actions.SNAPSHOTS
    url_name = "results_snapshot"
    list_display = ["race", "as_of_display", "source", "source_seq", "units_reporting",
                    "units_total", "void"]  # fmt: skip
    list_filter = ["race", "source"]
    list_select_related = ["race", "voided_by"]
    inlines = [CandidateResultInline]

    @admin.display(description="As of", ordering="as_of")
    def as_of_display(self, snapshot: ResultSnapshot) -> str:
        return when(snapshot.as_of, "short")

    @admin.display(description="Void")
    def void(self, snapshot: ResultSnapshot) -> str:
        if snapshot.voided_at:
            return format_html("Void: {} ({})", snapshot.void_reason, snapshot.voided_by)
        return ""


@admin.register(WinnerCall)
class WinnerCallAdmin(ActionsAdmin[WinnerCall], ReadOnlyAdmin[WinnerCall]):
    registry = actions.CALLS
    url_name = "results_call"
    list_display = ["race", "candidate", "source", "called", "state"]
    list_filter = ["race"]
    list_select_related = ["race", "candidate", "called_by", "confirmed_by", "withdrawn_by",
                           "replaces__candidate"]  # fmt: skip
    actions = ["confirm"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WinnerCall]:
        # Each row offers its actions: whether a correction waits is counted with the list
        # (``check_correct`` reads it), not asked once a row.
        rows = super().get_queryset(request)
        assert isinstance(rows, WinnerCallQuerySet)  # the model's own manager
        return rows.with_pending_corrections()

    @admin.display(description="Called", ordering="called_at")
    def called(self, call: WinnerCall) -> str:
        return format_html("{}<br>{}", when(call.called_at, "short"), call.called_by or "the wire")

    @admin.display(description="State")
    def state(self, call: WinnerCall) -> str:
        if call.withdrawn_at:
            return format_html("Withdrawn by {}: {}", call.withdrawn_by or "the system",
                               call.withdrawn_reason)  # fmt: skip
        if call.is_confirmed:
            return format_html("Shown on pages (confirmed by {})",
                               call.confirmed_by or "the import")  # fmt: skip
        if call.is_pending_correction:
            assert call.replaces is not None
            return format_html(
                "Correction of the call for {}, waiting for a second editor: {}",
                call.replaces.candidate.name, call.correction_note,
            )  # fmt: skip
        return "Waiting for a second editor"

    @admin.action(description="Confirm the call (second editor)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[WinnerCall]) -> None:
        confirm = self.registry["confirm"]
        for call in queryset:
            try:
                confirm.run(call, request.user, {})
            except REFUSALS as error:
                self.message_user(request, f"{call}: {message(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{call}: {confirm.said(call)}.", messages.SUCCESS)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("results.view_winnercall")
