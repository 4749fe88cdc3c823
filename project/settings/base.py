"""Settings shared by every running mode. Values come from the environment only."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

# Only dev and test fall back to this; production.py requires DJANGO_SECRET_KEY.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "project",
    "shows",
    "seating",
    "tickets",
    "info",
    "payments",
    "notifications",
    "staff",
    "vouchers",
    "waitingroom",
    "languages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "project.cache_headers.CacheHeadersMiddleware",
    "project.middleware.ApiBodySizeLimitMiddleware",
    "project.middleware.DatabaseResumingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The request's language: Accept-Language (the SPA sends the visitor's choice), else the
    # venue's (LANGUAGE_CODE). It also adds `Vary: Accept-Language`.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "project" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'marquee.sqlite3'}"
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The state table (profile small and busy; project/pending_work.py): when the scheduled
# jobs next have work, without asking the database. Empty: they always ask it.
STATE_TABLE = env("STATE_TABLE", default="")
# The database pauses when idle (Aurora Serverless v2 at 0 ACU): a failed connection is
# answered 503 database_resuming with Retry-After (project/problems.py).
DATABASE_PAUSES = env.bool("DATABASE_PAUSES", default=False)

# What CloudFront may keep of a public GET (project/cache_headers.py), in seconds.
EDGE_MAX_AGE = env.int("EDGE_MAX_AGE", default=5)
EDGE_STALE = env.int("EDGE_STALE", default=25)
EDGE_STALE_IF_ERROR = env.int("EDGE_STALE_IF_ERROR", default=600)

REDIS_URL = env("REDIS_URL", default="")
# Short socket timeouts: a slow or dead Redis must cost a read milliseconds, not seconds
# (project.cache falls back to the database).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25,
                       "retry_on_timeout": False}
# Where the throttles' windows live: the cache (Redis: exact across processes; local
# memory: exact within one) or the state table (no cache deployed: profile small).
THROTTLE_STORE = env("THROTTLE_STORE",
                     default="state-table" if STATE_TABLE and not REDIS_URL else "cache")
if THROTTLE_STORE not in {"cache", "state-table"}:
    raise ImproperlyConfigured("THROTTLE_STORE must be cache or state-table")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                          "LOCATION": REDIS_URL, "OPTIONS": REDIS_CACHE_OPTIONS}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Two languages (issue 26). The venue's own language is the default: for a visitor whose
# browser asks for neither, for emails to a customer who never chose, and for show content
# with no translation. `make messages` extracts and compiles locale/ (the .mo files are
# committed, so neither the package step nor Lambda needs gettext).
LANGUAGES = [("fr", "Français"), ("en", "English")]
LANGUAGE_CODE = env("VENUE_LANGUAGE", default="fr")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured("VENUE_LANGUAGE must be fr or en")
LOCALE_PATHS = [BASE_DIR / "locale"]
# A French venue may want 24-hour times in English too ("19:30", not "7:30 PM").
VENUE_24_HOUR = env.bool("VENUE_24_HOUR", default=True)
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = env("STATIC_URL", default="/static/")
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

AWS_ENDPOINT_URL = env("AWS_ENDPOINT_URL", default=None)
MEDIA_BUCKET = env("MEDIA_BUCKET", default="")
# Public buckets (behind CloudFront) get plain URLs; private ones presigned URLs.
MEDIA_PUBLIC = env.bool("MEDIA_PUBLIC", default=False)
STATIC_BUCKET = env("STATIC_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if MEDIA_BUCKET:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": MEDIA_BUCKET, "endpoint_url": AWS_ENDPOINT_URL,
        "querystring_auth": not MEDIA_PUBLIC, "querystring_expire": 3600,
        "file_overwrite": False, "default_acl": None,
    }}

API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=16 * 1024)

# Same origin by default (CloudFront routes SPA and API): CORS is closed unless a
# split-domain deployment lists its SPA's origin here.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "idempotency-key",
                      "admission"]
CORS_EXPOSE_HEADERS = ["idempotent-replayed", "retry-after"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"

# End-user tokens. Production sets the Cognito user pool; dev and test use the local
# issuer (the devauth app), which only their settings enable.
LOCAL_ISSUER = "https://local-issuer.marquee.invalid"
LOCAL_ISSUER_ENABLED = False
LOCAL_ISSUER_KEY_PATH = BASE_DIR / "var" / "dev-issuer" / "private-key.pem"
COGNITO_ISSUER = env("COGNITO_ISSUER", default="")
COGNITO_CLIENT_IDS = env.list("COGNITO_CLIENT_IDS", default=[])
# Cognito publishes its keys beside the issuer.
COGNITO_JWKS_URL = env("COGNITO_JWKS_URL", default="") or (
    f"{COGNITO_ISSUER}/.well-known/jwks.json" if COGNITO_ISSUER else "")

# Checkout (payments app). Stripe's secret key and webhook secret come from Secrets Manager
# in production (STRIPE_SECRET_ARN, a JSON {"secret_key": …, "webhook_secret": …}, read
# lazily); dev and tests set them here and point STRIPE_API_BASE at localstripe.
HOLD_MINUTES = env.int("HOLD_MINUTES", default=10)
# How long a gift card is valid from its issue (many EU countries require 3 years or more).
GIFT_CARD_VALID_DAYS = env.int("GIFT_CARD_VALID_DAYS", default=3 * 365 + 1)
# How long a seat offered to the head of a waiting list is held for them to pay.
OFFER_MINUTES = env.int("OFFER_MINUTES", default=60)
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_SECRET_ARN = env("STRIPE_SECRET_ARN", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_JS_URL = env("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# Seconds a webhook signature stays valid (Stripe's library default is 300).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# SnapStart: serve two database-free requests before the snapshot (project/snapstart.py).
SNAPSTART_PRIMING = env.bool("SNAPSTART_PRIMING", default=True)
# project.settings.dev turns it on when no Stripe key is set (`make run`).
LOCALSTRIPE_ENABLED = False
# Reading a pending order asks Stripe about its payment at most this often (seconds).
PAYMENT_RECONCILE_SECONDS = env.int("PAYMENT_RECONCILE_SECONDS", default=5)
# Stripe's rate limits, kept by a budget shared in Redis (payments/stripe_budget.py):
# operations per second for the account and per API endpoint. 0: Stripe's documented
# limits (account: 100 in live mode, 25 with a test key; endpoint: 25).
STRIPE_RATE_GLOBAL = env.int("STRIPE_RATE_GLOBAL", default=0)
STRIPE_RATE_PER_ENDPOINT = env.int("STRIPE_RATE_PER_ENDPOINT", default=0)
# With Redis unreachable each process keeps 1/N of the rates (N environments at most).
STRIPE_RATE_ENVIRONMENTS = env.int("STRIPE_RATE_ENVIRONMENTS", default=4)
# How long one request waits for Stripe's budget or retries its 429s (under API
# Gateway's 29 s), and the most a hold is extended for the time its customer waited.
STRIPE_MAX_WAIT_SECONDS = env.float("STRIPE_MAX_WAIT_SECONDS", default=20.0)
HOLD_EXTENSION_MAX_SECONDS = env.int("HOLD_EXTENSION_MAX_SECONDS", default=120)
# The waiting room of an announced on-sale (waitingroom/): visitors admitted per second
# and performance, how long an admission may be used, and how long a performance's room
# stays on by itself after its announced `on_sale_at` (WAITING_ROOM_AT_ON_SALE: whether it
# does). 25 a second: each admitted buyer of a
# paid performance needs one PaymentIntent, whose endpoint Stripe limits to 25 a second;
# the reservation itself takes more here (paid holds over HTTP: bench/RESULTS.md, issue 20).
WAITING_ROOM_RATE = env.float("WAITING_ROOM_RATE", default=25.0)
WAITING_ROOM_ADMISSION_SECONDS = env.int("WAITING_ROOM_ADMISSION_SECONDS", default=300)
WAITING_ROOM_AUTO_MINUTES = env.int("WAITING_ROOM_AUTO_MINUTES", default=60)
WAITING_ROOM_AT_ON_SALE = env.bool("WAITING_ROOM_AT_ON_SALE", default=True)

# ---------------------------------------------------------------- order emails (notifications)
# Amazon SES through django-ses (notifications/backends.py), from a sender verified in SES.
# dev.py writes .eml files under var/mail/, test.py keeps them in memory.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="notifications.backends.SESBackend")
DEFAULT_FROM_EMAIL = env("EMAIL_FROM", default="Marquee <tickets@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
USE_SES_V2 = True             # SES API v2 SendEmail with the raw MIME message
AWS_SES_AUTO_THROTTLE = None  # no GetAccount call per process; a throttled send is retried
AWS_SES_CONFIGURATION_SET = env("EMAIL_SES_CONFIGURATION_SET", default=None)
# Links in emails point at the public site; dates are shown in the venue's time zone.
SITE_URL = env("SITE_URL", default=CSRF_TRUSTED_ORIGINS[0] if CSRF_TRUSTED_ORIGINS
               else "http://127.0.0.1:8000")
VENUE_TIME_ZONE = env("VENUE_TIME_ZONE", default="Europe/Paris")
# How an email leaves the request (notifications/tasks.py): "lambda" (an asynchronous
# invocation of the running function version; Lambda sets both variables below), "inline",
# or "defer" (the per-minute job sends it).
EMAIL_TASK_FUNCTION = env("AWS_LAMBDA_FUNCTION_NAME", default="")
EMAIL_TASK_QUALIFIER = env("AWS_LAMBDA_FUNCTION_VERSION", default="")
EMAIL_DISPATCH = env("EMAIL_DISPATCH", default="lambda" if EMAIL_TASK_FUNCTION else "inline")
if EMAIL_DISPATCH not in {"lambda", "inline", "defer"}:
    raise ImproperlyConfigured("EMAIL_DISPATCH must be lambda, inline or defer")
# ---------------------------------------------------------------- end of order emails

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["project.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "project.negotiation.EmptyAcceptMeansAny",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "project.problems.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "project.pagination.PageNumberPagination",
    "DEFAULT_THROTTLE_CLASSES": ["project.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON_RATE", default="600/min"),
        "user": env("THROTTLE_USER_RATE", default="600/min"),
        "reservations": env("THROTTLE_RESERVATIONS_RATE", default="30/min"),
        # Voucher and gift-card code lookups (previews, balances, failed codes at checkout),
        # per client address and per customer: guessing codes is an attack (vouchers/guessing.py).
        "codes_address": env("THROTTLE_CODES_ADDRESS_RATE", default="60/hour"),
        "codes_user": env("THROTTLE_CODES_USER_RATE", default="30/hour"),
    },
    # 0: the client address is REMOTE_ADDR. Behind CloudFront + API Gateway set it to the
    # number of proxies that append to X-Forwarded-For, so a client cannot forge its own.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "project.schema.request_bodies_required"],
    "TITLE": "Marquee API",
    "DESCRIPTION": "The public and signed-in API of the Marquee box office (API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "PerformanceStatusEnum": "shows.models.PerformanceStatus.choices",
        "OrderStatusEnum": "tickets.models.OrderStatus.choices",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
