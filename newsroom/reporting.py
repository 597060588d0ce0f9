"""What error reports may show: no secrets, and no URL-shaped setting (a DATABASE_URL,
REDIS_URL or feed URL can carry a password or an API key in it)."""

from __future__ import annotations

import re

from django.views.debug import SafeExceptionReporterFilter


class NewsroomReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also masking every setting whose name says URL, DSN or HOST."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|DSN|HOST|DATABASE",
        flags=re.IGNORECASE,
    )
