"""Staff in the admin: bylines (``Reporter``) and, for editors, the newsroom's accounts
(``StaffMember``: add a reporter or an editor, change a role, turn an account off)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from . import services
from .forms import ReporterForm, StaffAddForm, StaffChangeForm
from .models import Reporter, StaffMember
from .roles import REPORTER


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin[Reporter]):
    form = ReporterForm
    list_display = ["display_name", "role_title", "default_location", "user"]
    search_fields = ["display_name", "role_title", "default_location", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin[StaffMember]):
    """Every write goes through ``staff.services`` (the rules live there)."""

    list_display = ["username", "byline_name", "role", "is_active", "last_login"]
    list_filter = ["is_active", ("groups", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["username", "reporter__display_name"]
    list_select_related = ["reporter"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMember]:
        return (
            super().get_queryset(request)
            .filter(is_staff=True, is_superuser=False)
            .prefetch_related("groups")
        )  # fmt: skip

    @admin.display(description="Byline")
    def byline_name(self, member: StaffMember) -> str:
        reporter = getattr(member, "reporter", None)
        return reporter.display_name if reporter else ""

    def _may(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # turned off, never deleted: posts and bylines point at accounts

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("add/", wrap(self.add_member_view), name="staff_staffmember_add"),
            path(
                "<int:pk>/change/", wrap(self.change_member_view), name="staff_staffmember_change"
            ),
            *super().get_urls(),
        ]

    def _page(self, request: HttpRequest, title: str, form: Any) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "title": title, "form": form,
                   "opts": self.model._meta, "back": self._back()}  # fmt: skip
        return TemplateResponse(request, "admin/form_page.html", context)

    def _back(self) -> str:
        return reverse("admin:staff_staffmember_changelist")

    def _save(self, request: HttpRequest, action: Any, done: str) -> HttpResponse | None:
        try:
            action()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return None
        messages.success(request, done)
        return HttpResponseRedirect(self._back())

    def add_member_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may(request):
            raise PermissionDenied
        form = StaffAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            assert isinstance(request.user, User)
            by = request.user

            def create() -> None:
                services.staff_create(by=by, username=data["username"],
                                      password=data["password1"], role=data["role"],
                                      display_name=data["display_name"],
                                      byline=data["byline"])  # fmt: skip

            done = f"{data['username']} can now sign in as {data['role'].lower()}."
            if (response := self._save(request, create, done)) is not None:
                return response
        return self._page(request, "Add a reporter or an editor", form)

    def change_member_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self._may(request):
            raise PermissionDenied
        member = get_object_or_404(self.get_queryset(request), pk=pk)
        initial = {"role": member.role or REPORTER, "is_active": member.is_active}
        form = StaffChangeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            assert isinstance(request.user, User)
            by = request.user

            def update() -> None:
                services.staff_update(by=by, member=member, role=data["role"],
                                      is_active=data["is_active"])  # fmt: skip

            done = f"{member.username}: {data['role'].lower()}" + (
                "" if data["is_active"] else ", turned off"
            )
            if (response := self._save(request, update, done)) is not None:
                return response
        return self._page(request, f"{member.username}: role and access", form)
