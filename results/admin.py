"""Results in the admin. Every write goes through ``results.services``: recording a
snapshot by hand, calling a race, a second editor's confirmation, a correction, a
withdrawal."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from newsroom.adminkit import PhotoInput, UniqueRaceAdmin
from newsroom.images import clean_form_upload
from newsroom.template_filters import when

from . import services
from .forms import CallForm, CorrectCallForm, SnapshotForm, WithdrawForm
from .models import Candidate, CandidateResult, Race, ResultSnapshot, WinnerCall
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


def _editor(request: HttpRequest) -> User:
    """The signed-in user: ``admin_view`` lets only active staff reach these views."""
    assert isinstance(request.user, User)
    return request.user


class ResultsAdminMixin:
    """Runs a service from a small form page and says what happened."""

    def _form_page(self, request: HttpRequest, title: str, form: Any, back: str,
                   extra: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
        context = {**self.admin_site.each_context(request), "title": title, "form": form,  # type: ignore[attr-defined]
                   "opts": self.model._meta, "back": back, **(extra or {})}  # type: ignore[attr-defined]  # fmt: skip
        return TemplateResponse(request, "admin/form_page.html", context)

    def _run(self, request: HttpRequest, action: Any, done: str) -> bool:
        try:
            action()
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text or "Not allowed.", messages.ERROR)  # type: ignore[attr-defined]
            return False
        self.message_user(request, done, messages.SUCCESS)  # type: ignore[attr-defined]
        return True

    def _with_reason(self, request: HttpRequest, title: str, service: Any, done: str,
                     back: str, **arguments: Any) -> HttpResponse:  # fmt: skip
        """A page asking why (kept on record), then ``service(by=…, reason=…)``."""
        form = WithdrawForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            run = partial(service, by=_editor(request), reason=form.cleaned_data["reason"],
                          **arguments)  # fmt: skip
            if self._run(request, run, done):
                return HttpResponseRedirect(back)
        return self._form_page(request, title, form, back)


@admin.register(Race)
class RaceAdmin(ResultsAdminMixin, UniqueRaceAdmin[Race]):
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
                "fields": ["level", "parent", "state_postal", "electoral_votes", "rollup_problem"],
                "description": "A national race adds up the state races that name it: electoral "
                "votes of confirmed calls, the popular vote, the states to call.",
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

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/record/", wrap(self.record_view), name="results_race_record"),
            path("<int:pk>/call/", wrap(self.call_view), name="results_race_call"),
            *super().get_urls(),
        ]

    def record_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Enter a snapshot by hand (editors), validated like every other ingest path."""
        race = get_object_or_404(Race, pk=pk)
        back = reverse("admin:results_race_change", args=[race.pk])
        form = SnapshotForm(request.POST or None, race=race)
        if request.method == "POST" and form.is_valid() and not form.cleaned_data["confirm"]:
            # First the shares readers will see, then "Record these results".
            shares, total, listed_only = form.shares_to_publish()
            form.data = {**request.POST.dict(), "confirm": "1"}
            return self._form_page(request, f"Record results: {race}", form, back, extra={
                "shares": shares, "share_total": total, "listed_only": listed_only,
                "submit_label": "Record these results",
            })  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data

            def record() -> None:
                services.snapshot_record(
                    race=race,
                    as_of=data["as_of"],
                    source=data["source"],
                    source_seq=data["source_seq"],
                    counts=[services.CandidateCount(*c) for c in form.candidate_counts()],
                    total_votes=data.get("total_votes"),
                    units_reporting=data.get("units_reporting"),
                    units_total=data.get("units_total"),
                    by=_editor(request),
                )

            if self._run(request, record, f"Results for {race} recorded."):
                return HttpResponseRedirect(back)
        return self._form_page(request, f"Record results: {race}", form, back,
                               extra={"submit_label": "Check the shares"})  # fmt: skip

    def call_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Call the race; the banner waits for a second editor's confirmation."""
        race = get_object_or_404(Race, pk=pk)
        back = reverse("admin:results_winnercall_changelist")
        form = CallForm(request.POST or None, race=race)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            call = partial(
                services.winner_call,
                race=race,
                candidate=data["candidate"],
                by=_editor(request),
                source=data["source"],
            )
            if self._run(request, call, "Call recorded: a second editor must confirm it."):
                return HttpResponseRedirect(back)
        return self._form_page(request, f"Call {race}", form, back)


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
class ResultSnapshotAdmin(ResultsAdminMixin, ReadOnlyAdmin[ResultSnapshot]):
    list_display = ["race", "as_of_display", "source", "source_seq", "units_reporting",
                    "units_total", "void_link"]  # fmt: skip
    list_filter = ["race", "source"]
    list_select_related = ["race", "voided_by"]
    inlines = [CandidateResultInline]

    @admin.display(description="As of", ordering="as_of")
    def as_of_display(self, snapshot: ResultSnapshot) -> str:
        return when(snapshot.as_of, "short")

    @admin.display(description="Void")
    def void_link(self, snapshot: ResultSnapshot) -> str:
        if snapshot.voided_at:
            return format_html("Void: {} ({})", snapshot.void_reason, snapshot.voided_by)
        url = reverse("admin:results_snapshot_void", args=[snapshot.pk])
        return format_html('<a href="{}">Void…</a>', url)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/void/", wrap(self.void_view), name="results_snapshot_void"),
            *super().get_urls(),
        ]

    def void_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Void a wrong snapshot (a bogus feed value, a typo), with the reason on record."""
        snapshot = get_object_or_404(ResultSnapshot, pk=pk)
        back = reverse("admin:results_resultsnapshot_changelist")
        return self._with_reason(request, f"Void: {snapshot}", services.snapshot_void,
                                 f"{snapshot}: void, no longer shown.", back,
                                 snapshot=snapshot)  # fmt: skip


@admin.register(WinnerCall)
class WinnerCallAdmin(ResultsAdminMixin, ReadOnlyAdmin[WinnerCall]):
    list_display = ["race", "candidate", "source", "called", "state", "actions_links"]
    list_filter = ["race"]
    list_select_related = ["race", "candidate", "called_by", "confirmed_by", "withdrawn_by",
                           "replaces__candidate"]  # fmt: skip
    actions = ["confirm"]

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

    @admin.display(description="Actions")
    def actions_links(self, call: WinnerCall) -> str:
        if call.withdrawn_at:
            return ""
        links = [(reverse("admin:results_call_withdraw", args=[call.pk]), "Withdraw…")]
        if call.is_confirmed:
            links.insert(0, (reverse("admin:results_call_correct", args=[call.pk]), "Correct…"))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.action(description="Confirm the call (second editor)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[WinnerCall]) -> None:
        for call in queryset:
            done = (f"{call}: correction confirmed, it replaces the call it corrects."
                    if call.replaces_id else f"{call} confirmed: the banner shows.")  # fmt: skip
            self._run(request, partial(services.winner_confirm, call=call, by=_editor(request)),
                      done)  # fmt: skip

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/withdraw/", wrap(self.withdraw_view), name="results_call_withdraw"),
            path("<int:pk>/correct/", wrap(self.correct_view), name="results_call_correct"),
            *super().get_urls(),
        ]

    def withdraw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        call = get_object_or_404(WinnerCall, pk=pk)
        back = reverse("admin:results_winnercall_changelist")
        return self._with_reason(request, f"Withdraw: {call}", services.winner_withdraw,
                                 f"{call}: withdrawn.", back, call=call)  # fmt: skip

    def correct_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Propose the right winner; the standing call (and its banner) stays until a
        second editor confirms the correction."""
        call = get_object_or_404(WinnerCall.objects.select_related("race", "candidate"), pk=pk)
        back = reverse("admin:results_winnercall_changelist")
        form = CorrectCallForm(request.POST or None, call=call)
        if request.method == "POST" and form.is_valid():
            correct = partial(services.winner_correct, call=call, by=_editor(request),
                              candidate=form.cleaned_data["candidate"],
                              note=form.cleaned_data["note"])  # fmt: skip
            done = ("Correction recorded. The call for "
                    f"{call.candidate.name} stays on the pages until a second editor "
                    "confirms it.")  # fmt: skip
            if self._run(request, correct, done):
                return HttpResponseRedirect(back)
        return self._form_page(request, f"Correct: {call}", form, back)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("results.view_winnercall")
