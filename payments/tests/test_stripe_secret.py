"""Stripe's secrets in production: one Secrets Manager secret, read lazily (moto).

DEPLOY.md creates the secret `marquee/STAGE/stripe` = {"secret_key": "sk_…",
"webhook_secret": "whsec_…"} and names it in STRIPE_SECRET_ARN; payments/keys.py reads it
through project/aws.py on the first payment call, once per cold start (or SnapStart
restore, whose hook calls `aws.reset()`), and never at import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from payments import keys
from project import aws
from shows.models import Performance

ROOT = Path(__file__).resolve().parents[2]
SECRET = {"secret_key": "sk_live_from_secrets_manager",
          "webhook_secret": "whsec_from_secrets_manager"}


@pytest.fixture
def stripe_secret(monkeypatch, settings):
    """The Stripe secret on moto, named by STRIPE_SECRET_ARN as in production."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    settings.AWS_ENDPOINT_URL = None
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    aws.reset()
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="eu-west-3")
        arn = client.create_secret(Name="marquee/production/stripe",
                                   SecretString=json.dumps(SECRET))["ARN"]
        settings.STRIPE_SECRET_ARN = arn
        yield client
    aws.reset()


@pytest.fixture
def reads(monkeypatch):
    """GetSecretValue calls made through project.aws's client."""
    calls: list[str] = []
    real_client = aws.client

    def counting_client(service):
        c = real_client(service)
        if service == "secretsmanager" and not getattr(c, "_marquee_counted", False):
            c.meta.events.register("before-parameter-build.secrets-manager.GetSecretValue",
                                   lambda params, **kw: calls.append(params["SecretId"]))
            c._marquee_counted = True
        return c

    monkeypatch.setattr(aws, "client", counting_client)
    return calls


def test_keys_come_from_the_secret_once_per_cold_start(stripe_secret, reads, settings):
    assert reads == []
    assert keys.secret_key() == SECRET["secret_key"]
    assert keys.webhook_secret() == SECRET["webhook_secret"]
    for _ in range(5):
        keys.secret_key(), keys.webhook_secret()
    assert reads == [settings.STRIPE_SECRET_ARN]  # one call for both fields, then cached


def test_a_restore_reads_the_secret_again(stripe_secret, reads):
    """SnapStart's after-restore hook (project/snapstart.py) calls aws.reset(): a rotated
    key is picked up and no snapshot carries the secret into another environment."""
    assert keys.secret_key() == SECRET["secret_key"]
    rotated = {**SECRET, "secret_key": "sk_live_rolled"}
    stripe_secret.put_secret_value(SecretId="marquee/production/stripe",
                                   SecretString=json.dumps(rotated))
    assert keys.secret_key() == SECRET["secret_key"]  # cached until the next cold start
    aws.reset()
    assert keys.secret_key() == "sk_live_rolled"
    assert keys.webhook_secret() == SECRET["webhook_secret"]
    assert len(reads) == 2


def test_the_environment_wins_and_then_the_secret_is_not_read(stripe_secret, reads, settings):
    # check --deploy warns about this in production (marquee.W002).
    settings.STRIPE_SECRET_KEY = "sk_test_from_env"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_from_env"
    assert (keys.secret_key(), keys.webhook_secret()) == ("sk_test_from_env",
                                                          "whsec_from_env")
    assert reads == []


def test_without_an_arn_or_a_key_there_is_no_key_and_no_call(stripe_secret, reads, settings):
    settings.STRIPE_SECRET_ARN = ""
    assert (keys.secret_key(), keys.webhook_secret()) == ("", "")
    assert reads == []


def test_nothing_reads_the_secret_or_imports_stripe_at_import():
    """Production settings, every payments module and every URLconf imported, as Lambda's
    init does: no AWS call (the endpoint is unreachable), no secret cached, no boto3, no
    stripe."""
    code = """
import importlib, pkgutil, sys, django
django.setup()
import django.urls
django.urls.get_resolver().url_patterns
import payments
for info in pkgutil.walk_packages(payments.__path__, "payments."):
    if ".tests" not in info.name and ".migrations" not in info.name:
        importlib.import_module(info.name)
from project import aws
print(sorted(aws._secrets), sorted(aws._clients),
      sorted(m for m in ("boto3", "stripe") if m in sys.modules))
"""
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "project.settings.production",
        "DJANGO_SECRET_KEY": "import-time-check-" + "k" * 50,
        "ALLOWED_HOSTS": "tickets.example.com",
        "DATABASE_URL": "postgres://marquee@proxy.example.internal:5432/marquee",
        "STRIPE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-3:123456789012:secret:s-AbCdEf",
        "STRIPE_PUBLISHABLE_KEY": "pk_live_x",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # anything that called AWS would fail
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
    })
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["[]", "[]", "[]"], result.stdout


@pytest.mark.django_db
def test_secrets_manager_down_is_payment_unavailable_not_a_500(settings, make_performance,
                                                               api, bearer):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_SECRET_ARN = "arn:aws:secretsmanager:eu-west-3:1:secret:stripe-x"
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:9"  # Secrets Manager unreachable
    aws.reset()
    performance = make_performance(price_cents=1000)
    response = api.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 1},
                        format="json", **bearer())
    assert response.status_code == 201  # the hold needs no Stripe
    step = api.post(f"/api/v1/tickets/{response.json()['id']}/payment/", **bearer())
    assert step.status_code == 503
    assert step.json()["code"] == "payment_unavailable"
    assert Performance.objects.get(pk=performance.pk).seats_sold == 1  # still held
    aws.reset()
