from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "newsroom.partners"
    label = "partners"
    verbose_name = "Partners and API"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the API key security scheme)
