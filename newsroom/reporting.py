"""What error reports may show: no secrets, no credential-shaped header, and no
credentials inside any setting's value (a ``DATABASE_URL``, ``REDIS_URL``, a cache's
``LOCATION`` or a feed URL can carry a password or an API key in it)."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# user:password@ in any URL, wherever it sits (a cache's LOCATION, a broker URL).
CREDENTIALS_IN_URL = re.compile(r"(?<=://)[^/@\s]+@")
# A secret in a query string (?apiKey=…, &token=…).
SECRET_IN_QUERY = re.compile(r"(?i)([?&][^=&\s]*(?:key|token|secret|pass|auth)[^=&\s]*=)[^&\s]+")


class NewsroomReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, also masking settings and request headers whose name says URL,
    DSN, HOST, LOCATION, broker, cookie or authorisation, and credentials inside any
    remaining text value."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|AUTHORIZATION|CREDENTIAL|URL|DSN|HOST|"
        "DATABASE|LOCATION|BROKER",
        flags=re.IGNORECASE,
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if type(cleansed) is str:  # a real str (lazy objects pass isinstance)
            cleansed = CREDENTIALS_IN_URL.sub(f"{self.cleansed_substitute}@", cleansed)
            cleansed = SECRET_IN_QUERY.sub(rf"\g<1>{self.cleansed_substitute}", cleansed)
        return cleansed
