"""Test settings: PostgreSQL and Redis on 127.0.0.1 when they answer.

With CI=true a missing service is a configuration error (tests must run, never skip).
Without it, the suite falls back to SQLite and the local-memory cache and the tests that
need the real service skip with a reason (see conftest.py).
"""

import socket

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env
from .local_issuer import *  # noqa: F403

CI = env.bool("CI", default=False)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


POSTGRES_AVAILABLE = _reachable("127.0.0.1", 5432)
REDIS_AVAILABLE = _reachable("127.0.0.1", 6379)
if CI and not (POSTGRES_AVAILABLE and REDIS_AVAILABLE):
    raise ImproperlyConfigured(
        "CI=true needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 "
        f"(postgres reachable: {POSTGRES_AVAILABLE}, redis reachable: {REDIS_AVAILABLE})."
    )

if POSTGRES_AVAILABLE:
    DATABASES = {
        "default": env.db(
            "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/marquee"
        )
    }
else:
    DATABASES = {"default": env.db("TEST_DATABASE_URL", default="sqlite:///:memory:")}

TEST_REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
# No caching unless a test asks for it (fixtures locmem_cache, redis_cache): cached pages
# and throttle counters never leak from one test into another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

# The tests written before issue 26 read English: a request that asks for no language gets
# English here. Tests of French ask for it (Accept-Language, a customer's choice).
LANGUAGE_CODE = "en"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
LOCAL_ISSUER_KEY_PATH = BASE_DIR / "var" / "test-issuer" / "private-key.pem"  # noqa: F405

# Examples per operation in the schemathesis runs: `make audit` raises it.
FUZZ_EXAMPLES = env.int("FUZZ_EXAMPLES", default=25)

# ---------------------------------------------------------------- order emails (notifications)
# Kept in memory (django.core.mail.outbox); tests of SES set notifications' backend on moto.
# Sent inline after commit, whatever the environment says (no Lambda to invoke here).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_DISPATCH = "inline"
EMAIL_FILE_PATH = BASE_DIR / "var" / "test-mail"  # noqa: F405
SITE_URL = "https://tickets.example.com"
# ---------------------------------------------------------------- end of order emails
