from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself, as an app: its system checks and templates."""

    name = "project"
    verbose_name = "Marquee"

    def ready(self) -> None:
        from . import checks  # noqa: F401 — registers the checks
