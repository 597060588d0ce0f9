from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Election results"

    def ready(self) -> None:
        from . import actions  # noqa: F401  (its registries join newsroom.actions')
