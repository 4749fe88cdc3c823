"""Production settings, project/aws.py and project/logging.py, without AWS (moto)."""

from __future__ import annotations

import ast
import json
import logging
import os
import re
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws

from project import aws
from project.logging import JsonFormatter, RequestIdFilter, request_id

from .conftest import ROOT

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "project.settings.production",
    "DJANGO_SECRET_KEY": "x" * 30 + "production-check-" + "y" * 30,
    "ALLOWED_HOSTS": "tickets.example.com,.execute-api.eu-west-3.amazonaws.com",
    "CSRF_TRUSTED_ORIGINS": "https://tickets.example.com",
    "DATABASE_URL": "postgres://marquee@proxy.example.internal:5432/marquee",
    "DATABASE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:db-AbCdEf",
    "REDIS_URL": "rediss://cache.example.internal:6379/0",
    "STATIC_BUCKET": "marquee-production-static-eu-west-3",
    "STATIC_URL": "https://tickets.example.com/static/",
    "MEDIA_BUCKET": "marquee-production-media-eu-west-3",
    "COGNITO_ISSUER": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEfGhI",
    "COGNITO_CLIENT_IDS": "1example23456789",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_51MarqueeProductionCheck",
    "STRIPE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:stripe-AbCdEf",
    "HOLD_MINUTES": "10",
    "EMAIL_FROM": "Marquee <tickets@tickets.example.com>",
    # Anything that tried to reach AWS at import would fail fast here, not hang.
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-3",
}


def run_django(code: str, **extra_env) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, env={**env, **PRODUCTION_ENV, **extra_env}, timeout=120,
                          check=False)


def check_deploy(**changes: str | None) -> subprocess.CompletedProcess:
    env = {**PRODUCTION_ENV, **{k: v for k, v in changes.items() if v is not None}}
    for name in [k for k, v in changes.items() if v is None]:
        env.pop(name)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        env={**{k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}, **env})


def test_check_deploy_is_clean():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


STRIPE_MISCONFIGURED = {
    "no publishable key": ({"STRIPE_PUBLISHABLE_KEY": None}, {"marquee.E004"}),
    "secret key as publishable": ({"STRIPE_PUBLISHABLE_KEY": "sk_live_x"}, {"marquee.E008"}),
    "no secret": ({"STRIPE_SECRET_ARN": None}, {"marquee.E005", "marquee.E007"}),
    "plain secrets": ({"STRIPE_SECRET_ARN": None, "STRIPE_SECRET_KEY": "sk_live_x",
                       "STRIPE_WEBHOOK_SECRET": "whsec_x"}, {"marquee.W002"}),
    "plain API base": ({"STRIPE_API_BASE": "http://api.stripe.com"}, {"marquee.E006"}),
    "no email sender": ({"EMAIL_FROM": None}, {"marquee.E009"}),
}


@pytest.mark.parametrize("changes, expected", STRIPE_MISCONFIGURED.values(),
                         ids=STRIPE_MISCONFIGURED.keys())
def test_check_deploy_refuses_stripe_misconfiguration(changes, expected):
    result = check_deploy(**changes)
    assert result.returncode != 0, result.stdout
    found = set(re.findall(r"marquee\.[EW]\d{3}", result.stdout + result.stderr))
    assert found == expected, result.stdout + result.stderr


def test_settings_are_lazy_about_aws_and_strict_about_https():
    code = """
import sys, django
from django.conf import settings
django.setup()
from project import aws
db = settings.DATABASES['default']
import django.urls
django.urls.get_resolver().url_patterns  # every URLconf and view, as Lambda's init does
print({
  'boto3_imported': 'boto3' in sys.modules,
  'stripe_imported': 'stripe' in sys.modules,
  'secrets_read': len(aws._secrets),
  'conn_max_age': db['CONN_MAX_AGE'], 'health_checks': db['CONN_HEALTH_CHECKS'],
  'debug': settings.DEBUG, 'ssl_header': settings.SECURE_PROXY_SSL_HEADER,
  'hsts': settings.SECURE_HSTS_SECONDS, 'secure_cookies': settings.SESSION_COOKIE_SECURE
      and settings.CSRF_COOKIE_SECURE,
  'media': settings.STORAGES['default']['BACKEND'],
  'static': settings.STORAGES['staticfiles']['BACKEND'],
  'static_domain': settings.STORAGES['staticfiles']['OPTIONS']['custom_domain'],
  'cache': settings.CACHES['default']['BACKEND'],
})
"""
    result = run_django(code)
    assert result.returncode == 0, result.stderr
    seen = ast.literal_eval(result.stdout)  # the child prints a dict of literals
    assert seen == {
        "boto3_imported": False, "stripe_imported": False, "secrets_read": 0,
        "conn_max_age": 60, "health_checks": True, "debug": False,  # bounded: a pausing DB
        "ssl_header": ("HTTP_X_FORWARDED_PROTO", "https"), "hsts": 31536000,
        "secure_cookies": True, "media": "project.aws.S3Storage",
        "static": "project.aws.S3Storage", "static_domain": "tickets.example.com",
        "cache": seen["cache"],
    }
    assert "Redis" in seen["cache"]


@pytest.mark.parametrize("key", [None, "", "short"], ids=["unset", "empty", "short"])
def test_missing_or_weak_secret_key_stops_production(key):
    env = {**PRODUCTION_ENV}
    env.pop("DJANGO_SECRET_KEY")
    code = "import django; django.setup()"
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False, env={
                                **base, **env,
                                **({} if key is None else {"DJANGO_SECRET_KEY": key})})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


@pytest.fixture
def secretsmanager(aws_env, settings):
    settings.AWS_ENDPOINT_URL = None
    aws.reset()
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="eu-west-3")
        arn = client.create_secret(Name="marquee/test/db", SecretString=json.dumps(
            {"username": "marquee", "password": "s3cret"}))["ARN"]
        yield arn
    aws.reset()


def test_database_secret_is_read_once_per_cold_start(secretsmanager, monkeypatch):
    calls = []
    real_client = aws.client

    def counting_client(service):
        c = real_client(service)
        if service == "secretsmanager" and not getattr(c, "_counted", False):
            c.meta.events.register("before-call.secrets-manager.GetSecretValue",
                                   lambda **kw: calls.append(1))
            c._counted = True
        return c

    monkeypatch.setattr(aws, "client", counting_client)
    user = aws.database_credential(secretsmanager, "username")
    password = aws.database_credential(secretsmanager, "password")
    assert calls == []  # lazy: nothing read yet
    assert (str(user), str(password)) == ("marquee", "s3cret")
    assert str(user) == "marquee"
    assert len(calls) == 1
    aws.reset()  # what the SnapStart after-restore hook does
    assert str(password) == "s3cret"
    assert len(calls) == 2


def test_clients_are_cached_with_timeouts_and_retries(aws_env, settings):
    settings.AWS_ENDPOINT_URL = None
    aws.reset()
    s3 = aws.client("s3")
    assert aws.client("s3") is s3
    config = s3.meta.config
    assert (config.connect_timeout, config.read_timeout) == (aws.CONNECT_TIMEOUT,
                                                            aws.READ_TIMEOUT)
    assert config.retries == {"total_max_attempts": aws.MAX_ATTEMPTS, "mode": "standard"}
    aws.reset()
    assert aws.client("s3") is not s3
    aws.reset()


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord("marquee.lambda", logging.INFO, __file__, 1, "request %s",
                               ("done",), None)
    record.status = 200
    token = request_id.set("req-123")
    try:
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "request done"
    assert line["request_id"] == "req-123"
    assert line["status"] == 200 and line["level"] == "INFO"


PROXY = "marquee-production.proxy-c0abcdefghij.eu-west-3.rds.amazonaws.com"


def test_iam_sign_in_to_the_proxy_needs_no_password_and_no_aws_call():
    """DATABASE_IAM_AUTH (the data stack's proxy): each connection's password is an RDS
    IAM token, the same one boto3's generate_db_auth_token makes, computed offline."""
    code = f"""
import sys, time, django
from django.conf import settings
django.setup()
import boto3
db = settings.DATABASES['default']
client = boto3.session.Session(region_name='eu-west-3').client('rds')
while True:  # both within one second: same X-Amz-Date, so the same signature
    second = int(time.time())
    ours = str(db['PASSWORD'])
    theirs = client.generate_db_auth_token(DBHostname={PROXY!r}, Port=5432,
                                           DBUsername='marquee', Region='eu-west-3')
    if int(time.time()) == second:
        break
print(repr((ours == theirs, ours, db['USER'], db['OPTIONS'].get('sslmode'))))
"""
    result = run_django(code, DATABASE_IAM_AUTH="true", DATABASE_SECRET_ARN="",
                        DATABASE_URL=f"postgres://marquee@{PROXY}:5432/marquee",
                        AWS_REGION="eu-west-3")
    assert result.returncode == 0, result.stderr[-3000:]
    same, token, user, sslmode = ast.literal_eval(result.stdout.splitlines()[-1])
    assert same, token
    assert token.startswith(f"{PROXY}:5432/?Action=connect&DBUser=marquee&")
    assert "X-Amz-Expires=900" in token and "%2Feu-west-3%2Frds-db%2Faws4_request" in token
    assert (user, sslmode) == ("marquee", "require")


def test_iam_tokens_are_fresh_per_connection_and_load_no_sdk_model():
    code = """
import sys, django
from django.conf import settings
django.setup()
password = settings.DATABASES['default']['PASSWORD']
first = str(password)
import time; time.sleep(1.1)
second = str(password)
print(repr((first != second, 'boto3' in sys.modules,
            any(m.startswith('botocore.data') for m in sys.modules))))
"""
    result = run_django(code, DATABASE_IAM_AUTH="true", DATABASE_SECRET_ARN="",
                        DATABASE_URL=f"postgres://marquee@{PROXY}:5432/marquee",
                        AWS_REGION="eu-west-3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert ast.literal_eval(result.stdout.splitlines()[-1]) == (True, False, False)


def test_cache_keys_share_one_hash_slot_for_elasticache_serverless():
    """Serverless caches are cluster-mode: MGET, DEL of many keys and the throttle script
    fail with CROSSSLOT unless every key hashes to one slot — the "{marquee}" tag."""
    code = """
import django
from django.core.cache import cache
django.setup()
from redis.crc import key_slot
keys = [cache.make_key(k) for k in ("shows:generation", "shows:page:1", "throttle:u:1",
                                     "show:hamlet", "performance:42:seats")]
print(repr((cache.key_prefix, sorted({key_slot(k.encode()) for k in keys}).__len__())))
"""
    result = run_django(code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert ast.literal_eval(result.stdout) == ("{marquee}", 1)
