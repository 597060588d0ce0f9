from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Election results"

    def ready(self) -> None:
        from .rollup import on_results_changed
        from .signals import results_changed

        # A state's change adds up its national race again (results.rollup).
        results_changed.connect(on_results_changed, dispatch_uid="results.rollup")
