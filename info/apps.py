from django.apps import AppConfig


class InfoConfig(AppConfig):
    name = "info"
    verbose_name = "Info pages"
