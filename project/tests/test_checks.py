"""project/checks.py: what `manage.py check --deploy` says about Stripe's configuration.

The end-to-end run under production settings is deploy/tests/test_production.py.
"""

from __future__ import annotations

import pytest

from project.checks import check_payments

ARN = "arn:aws:secretsmanager:eu-west-3:123456789012:secret:marquee/production/stripe-AbCdEf"


@pytest.fixture
def production(settings):
    """Settings as production has them: Stripe's secrets by ARN only."""
    settings.LOCAL_ISSUER_ENABLED = False
    settings.STRIPE_PUBLISHABLE_KEY = "pk_live_51Marquee"
    settings.STRIPE_SECRET_ARN = ARN
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    return settings


def ids(messages) -> list[str]:
    return sorted(m.id for m in messages)


def test_production_with_the_secret_in_secrets_manager_is_clean(production):
    assert check_payments() == []


def test_dev_and_tests_are_not_checked(settings):
    settings.LOCAL_ISSUER_ENABLED = True  # dev and test settings: localstripe
    settings.STRIPE_PUBLISHABLE_KEY = settings.STRIPE_SECRET_ARN = ""
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    assert check_payments() == []


def test_missing_publishable_key_is_an_error(production):
    production.STRIPE_PUBLISHABLE_KEY = ""
    (message,) = check_payments()
    assert message.id == "marquee.E004" and message.is_serious()


@pytest.mark.parametrize("key", ["sk_live_abc", "rk_live_abc", "whsec_abc"])
def test_a_secret_key_in_the_publishable_setting_is_an_error(production, key):
    production.STRIPE_PUBLISHABLE_KEY = key
    assert ids(check_payments()) == ["marquee.E008"]


def test_no_secret_at_all_is_an_error_for_the_key_and_for_the_webhook(production):
    production.STRIPE_SECRET_ARN = ""
    messages = check_payments()
    assert ids(messages) == ["marquee.E005", "marquee.E007"]
    assert all(m.is_serious() for m in messages)


def test_plain_secret_key_in_the_environment_is_a_warning(production):
    production.STRIPE_SECRET_ARN = ""
    production.STRIPE_SECRET_KEY = "sk_live_abc"
    production.STRIPE_WEBHOOK_SECRET = "whsec_abc"
    (message,) = check_payments()
    assert message.id == "marquee.W002" and not message.is_serious()
    assert "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set" in message.msg
    assert "Secrets Manager" in message.msg


def test_plain_secret_key_beside_the_arn_still_warns(production):
    # keys.secret_key() prefers the environment: the secret would be silently ignored.
    production.STRIPE_SECRET_KEY = "sk_live_abc"
    assert ids(check_payments()) == ["marquee.W002"]


def test_plain_key_without_webhook_secret_is_an_error_and_a_warning(production):
    production.STRIPE_SECRET_ARN = ""
    production.STRIPE_SECRET_KEY = "sk_live_abc"
    assert ids(check_payments()) == ["marquee.E007", "marquee.W002"]


@pytest.mark.parametrize("base", ["http://api.stripe.com", "http://127.0.0.1:8420", ""])
def test_api_base_without_https_is_an_error(production, base):
    production.STRIPE_API_BASE = base
    (message,) = check_payments()
    assert message.id == "marquee.E006" and message.is_serious()


@pytest.mark.parametrize("url", ["http://js.stripe.com/v3/", "https://cdn.example.com/stripe.js"])
def test_stripe_js_from_elsewhere_is_a_warning(production, url):
    production.STRIPE_JS_URL = url
    assert ids(check_payments()) == ["marquee.W003"]


def test_checks_are_registered_for_deploy_only(production):
    from django.core import checks

    production.STRIPE_PUBLISHABLE_KEY = ""
    assert "marquee.E004" in {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert "marquee.E004" not in {m.id for m in checks.run_checks()}
