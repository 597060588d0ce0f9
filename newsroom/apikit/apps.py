from django.apps import AppConfig


class ApiKitConfig(AppConfig):
    name = "newsroom.apikit"
    label = "apikit"
    verbose_name = "API toolkit"
