"""The API key security scheme in the OpenAPI schema (registered in ``ready()``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


# drf-spectacular's OpenApiGeneratorExtension.__init_subclass__ (the registry) is unannotated.
class PartnerKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "partners.auth.PartnerKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Api-Key <key>`. Keys are issued by the "
            "newsroom (admin → API keys) and shown once.",
        }
