from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "newsroom.web"
    # The label its migrations and table were first made under (it was the API toolkit):
    # changing it would orphan them on every existing installation.
    label = "apikit"
    verbose_name = "Web toolkit"
