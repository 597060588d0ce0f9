from __future__ import annotations

from django.contrib import admin

from .forms import ReporterForm
from .models import Reporter


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin[Reporter]):
    form = ReporterForm
    list_display = ["display_name", "role_title", "default_location", "user"]
    search_fields = ["display_name", "role_title", "default_location", "user__username"]
    autocomplete_fields = ["user"]
