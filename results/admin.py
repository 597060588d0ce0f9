"""Results in the admin: races with their candidates; snapshots and calls are read-only
records here (they are written through ``results.services``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Candidate, CandidateResult, Race, ResultSnapshot, WinnerCall


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0
    fields = ["name", "party", "party_short", "colour", "ballot_order", "source_id", "photo"]


@admin.register(Race)
class RaceAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "threshold", "threshold_unit", "units_total"]
    search_fields = ["name", "office"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CandidateInline]


class CandidateResultInline(admin.TabularInline):
    model = CandidateResult
    fields = ["candidate", "popular_votes", "share", "electoral_votes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="Share (%)")
    def share(self, obj: CandidateResult) -> str:
        return f"{obj.share}"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["race", "as_of", "source", "source_seq", "units_reporting", "units_total"]
    list_filter = ["race", "source"]
    inlines = [CandidateResultInline]


@admin.register(WinnerCall)
class WinnerCallAdmin(ReadOnlyAdmin):
    list_display = ["race", "candidate", "source", "called_by", "confirmed_by", "withdrawn_at"]
    list_filter = ["race"]
