from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    label = "partners"
    verbose_name = "Partners and API"

    def ready(self) -> None:
        """Deliver committed changes to webhooks; describe API keys in the schema."""
        from liveblog.signals import change_committed

        from . import schema  # noqa: F401  (registers the API key security scheme)
        from .tasks import on_change_committed

        change_committed.connect(on_change_committed, dispatch_uid="partners.webhooks")
