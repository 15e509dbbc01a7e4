from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sinergi.api"
    label = "api"
    verbose_name = "API"
