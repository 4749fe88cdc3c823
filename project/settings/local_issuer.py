"""The local token issuer, shared by dev and test settings (never production)."""

from .base import INSTALLED_APPS, LOCAL_ISSUER, env

LOCAL_ISSUER_ENABLED = True
INSTALLED_APPS = [*INSTALLED_APPS, "devauth"]
COGNITO_ISSUER = env("COGNITO_ISSUER", default=LOCAL_ISSUER)
COGNITO_CLIENT_IDS = env.list("COGNITO_CLIENT_IDS", default=["marquee-local"])
COGNITO_JWKS_URL = env("COGNITO_JWKS_URL", default="")
