from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LanguagesConfig(AppConfig):
    name = "languages"
    verbose_name = _("Languages")

    def ready(self) -> None:
        from .admin_labels import translate_model_labels

        translate_model_labels()
