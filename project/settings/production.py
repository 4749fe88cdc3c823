"""Production on AWS Lambda (Zappa): every setting from the environment, fail fast.

The Lambda environment (zappa_settings.json `aws_environment_variables`) names the
infrastructure; secrets come from Secrets Manager (DATABASE_SECRET_ARN, STRIPE_SECRET_ARN,
read lazily by project/aws.py) and from the stage's private remote env file
(DJANGO_SECRET_KEY).
"""

from urllib.parse import quote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import AWS_ENDPOINT_URL, DATABASES, MEDIA_BUCKET, STATIC_BUCKET, STORAGES, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")  # no default: a missing key stops the deploy
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters "
                               "(the stage's remote env file, DEPLOY.md)")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# ---------------------------------------------------------------- HTTPS
# API Gateway, CloudFront and ALB terminate TLS and say so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# ---------------------------------------------------------------- database
# Each Lambda environment keeps its connection between invocations for at most a minute
# and checks it before reuse: the server closes a session idle for 2 minutes
# (idle_session_timeout, deploy/templates/data.yaml), so a warm but unused environment
# never keeps a pausing database awake, and RDS Proxy may close idle clients too.
# connect_timeout: a paused database is answered 503 database_resuming in 3 s
# (project/problems.py), not after API Gateway's 29 s.
DATABASES["default"]["CONN_MAX_AGE"] = min(env.int("CONN_MAX_AGE", default=60), 120)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
DATABASE_SECRET_ARN = env("DATABASE_SECRET_ARN", default="")
# RDS Proxy with IAM sign-in (deploy/templates/data.yaml): the password of each new
# connection is a 15-minute token signed with the function's own credentials — computed
# here, no network call, no service model loaded — so the functions never hold the
# database password, and its rotation cannot leave a warm function with a stale one.
DATABASE_IAM_AUTH = env.bool("DATABASE_IAM_AUTH", default=False)
IAM_TOKEN_SECONDS = 900  # RDS's limit; the token only has to be valid when connecting


def _database_iam_token(host: str, port: int, user: str, region: str) -> str:
    """What boto3's rds generate_db_auth_token returns, without loading the RDS model:
    `host:port/?Action=connect&DBUser=…` presigned with SigV4 for rds-db."""
    import botocore.session
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest

    # A new botocore session each time: after a SnapStart restore the credentials in the
    # environment are new ones, and connections are opened rarely (CONN_MAX_AGE).
    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise ImproperlyConfigured("DATABASE_IAM_AUTH needs AWS credentials (the role's)")
    request = AWSRequest(method="GET", url=f"https://{host}:{port}/?Action=connect"
                                           f"&DBUser={quote(user, safe='')}")
    SigV4QueryAuth(credentials.get_frozen_credentials(), "rds-db", region,
                   expires=IAM_TOKEN_SECONDS).add_auth(request)
    return request.url[len("https://"):]


if DATABASE_IAM_AUTH:
    from django.utils.functional import lazy

    _db = DATABASES["default"]
    if _db["ENGINE"] != "django.db.backends.postgresql" or not _db["HOST"] or not _db["USER"]:
        raise ImproperlyConfigured("DATABASE_IAM_AUTH needs DATABASE_URL=postgres://USER@PROXY:PORT/DB")
    # Lazy and re-evaluated on each connect: every new connection gets a fresh token.
    _db["PASSWORD"] = lazy(_database_iam_token, str)(
        _db["HOST"], int(_db["PORT"] or 5432), _db["USER"],
        env("AWS_REGION", default=env("AWS_DEFAULT_REGION", default="")))
    _db["OPTIONS"].setdefault("sslmode", "require")  # the proxy requires TLS (RequireTLS)
elif DATABASE_SECRET_ARN:
    from project.aws import database_credential

    # Lazy: Secrets Manager is called when the first connection opens, once per cold start.
    DATABASES["default"]["USER"] = database_credential(DATABASE_SECRET_ARN, "username")
    DATABASES["default"]["PASSWORD"] = database_credential(DATABASE_SECRET_ARN, "password")

# ---------------------------------------------------------------- payments (Stripe)
# base.py reads STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_ARN, STRIPE_API_BASE and HOLD_MINUTES
# from the environment. The secret key and the webhook signing secret live only in the
# Secrets Manager secret STRIPE_SECRET_ARN, read on the first payment call, once per cold
# start (payments/keys.py, project/aws.py). `check --deploy` (project/checks.py,
# marquee.E004-E008, W002-W003) refuses a production without them or with plain HTTP.

# ---------------------------------------------------------------- cache
# base.py: REDIS_URL selects the Redis cache with short timeouts (falls back to the DB).
# ElastiCache Serverless is cluster-mode only: a multi-key command (get_many's MGET,
# delete_many, the throttle script) must name keys of one hash slot, or it fails with
# CROSSSLOT. The braces make "marquee" the hash tag of every key: one slot for all.
if "default" in CACHES and "Redis" in CACHES["default"]["BACKEND"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="{marquee}")  # noqa: F405

# ---------------------------------------------------------------- files on S3
if MEDIA_BUCKET:
    # base.py's media storage, with project.aws's client timeouts and retries.
    STORAGES["default"] = {**STORAGES["default"], "BACKEND": "project.aws.S3Storage"}
if STATIC_BUCKET:
    # CloudFront serves /static/* from this bucket (deploy/templates/frontend.yaml), so
    # static URLs are the public domain's, never signed. `make collectstatic` fills it.
    _static = urlsplit(STATIC_URL)  # noqa: F405
    STORAGES["staticfiles"] = {
        "BACKEND": "project.aws.S3Storage",
        "OPTIONS": {"bucket_name": STATIC_BUCKET, "location": "static",
                    "querystring_auth": False, "default_acl": None,
                    "custom_domain": _static.netloc or None, "url_protocol": "https:",
                    "object_parameters": {"CacheControl": "public, max-age=86400"},
                    "endpoint_url": AWS_ENDPOINT_URL},
    }

# ---------------------------------------------------------------- logs
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "project.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "project.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                            "formatter": "json", "filters": ["request_id"]}},
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Zappa logs every request in Apache format; ours (marquee.lambda) is JSON.
        "zappa": {"level": "WARNING"},
        "handler": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
        # "Found credentials in environment variables." on every client and IAM token.
        "botocore": {"level": "WARNING"},
    },
}
