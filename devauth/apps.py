from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DevAuthConfig(AppConfig):
    """The local token issuer of dev and test. Never installed in production settings."""

    name = "devauth"
    verbose_name = "Local token issuer (dev and test only)"

    def ready(self) -> None:
        if not settings.LOCAL_ISSUER_ENABLED:
            raise ImproperlyConfigured("devauth is for dev and test settings only.")
