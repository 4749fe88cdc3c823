from django.apps import AppConfig


class ShowsConfig(AppConfig):
    name = "shows"
    verbose_name = "Shows and performances"

    def ready(self) -> None:
        from . import signals

        signals.connect()
