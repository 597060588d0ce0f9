from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "newsroom.staff"
    label = "staff"
    verbose_name = "Staff and reporters"
