"""OWASP API Security Top 10 (2023): one or more tests for each risk that applies.

SECURITY.md maps each promise to the test that checks it. Related tests elsewhere:
API2 token matrix in project/tests/test_auth.py; API4 caps in tickets/tests.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from shows.models import Performance
from tickets.models import Order

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


# API1 — Broken object level authorisation -------------------------------------------
def test_api1_orders_of_others_are_not_found(api, bearer, make_performance):
    order = api.post(TICKETS, {"performance": make_performance().pk, "quantity": 1},
                     format="json", **bearer("owner@example.com")).json()
    thief = bearer("thief@example.com")
    code = order["tickets"][0]["code"]
    for method, url in (("get", f"{TICKETS}{order['id']}/"),
                        ("post", f"{TICKETS}{order['id']}/cancel/"),
                        ("get", f"{TICKETS}{order['id']}/tickets/{code}/qr.svg")):
        response = getattr(api, method)(url, **thief)
        assert response.status_code == 404, url  # not 403: existence is not revealed
    assert order["id"] not in str(api.get(TICKETS, **thief).json())


# API3 — Broken object property level authorisation (mass assignment) -----------------
@pytest.mark.django_db(transaction=True)
def test_api3_client_cannot_set_price_status_seats_or_owner(api, bearer, make_performance,
                                                            make_user, stripe_local):
    performance = make_performance(capacity=10, price_cents=4000)
    victim = make_user()
    response = api.post(TICKETS, {
        "performance": performance.pk, "quantity": 1, "total_cents": 1, "price_cents": 1,
        "status": "cancelled", "seats_sold": 0, "customer": victim.pk, "owner": victim.pk,
        "id": "00000000-0000-0000-0000-000000000001", "currency": "XXX",
        "tickets": [{"code": "CHOSEN"}]}, format="json", **bearer("mass@example.com"))
    assert response.status_code == 201
    body = response.json()
    assert (body["total_cents"], body["status"], body["currency"]) == (4000, "pending", "EUR")
    assert body["payment"] is None and body["tickets"] == []  # made at the payment step
    step = api.post(f"{TICKETS}{body['id']}/payment/", {"amount_cents": 1, "amount": 1},
                    format="json", **bearer("mass@example.com"))
    assert step.json()["payment"]["amount_cents"] == 4000  # the step takes no input
    assert api.post(f"{TICKETS}{body['id']}/payment/",
                    **bearer("other@example.com")).status_code == 404  # not theirs
    assert body["id"] != "00000000-0000-0000-0000-000000000001"
    order = Order.objects.get(pk=body["id"])
    assert order.customer.email == "mass@example.com"
    assert Performance.objects.get(pk=performance.pk).seats_sold == 1


def test_api3_responses_expose_no_internal_fields(api, bearer, make_performance):
    body = api.post(TICKETS, {"performance": make_performance().pk, "quantity": 1},
                    format="json", **bearer()).json()
    text = str(body)
    for field in ("customer", "password", "seats_sold", "is_staff", "fingerprint"):
        assert field not in text


# API4 — Unrestricted resource consumption ---------------------------------------------
def test_api4_page_size_capped_body_limited(api, settings):
    assert api.get("/api/v1/shows/", {"page_size": 10_000}).status_code == 200
    big = "{" + " " * settings.API_MAX_BODY_BYTES + "}"
    assert api.post(TICKETS, data=big, content_type="application/json").status_code == 413


# API5 — Broken function level authorisation -----------------------------------------
def test_api5_admin_is_staff_only(client, make_user):
    customer = make_user(email="c@example.com")
    client.force_login(customer)
    for url in ("/admin/", "/admin/tickets/order/", "/admin/shows/performance/sales/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_api5_tokens_never_make_staff(api, bearer):
    api.get("/api/v1/me/", **bearer("x@example.com", extra={"cognito:groups": ["staff"],
                                                               "is_staff": True}))
    assert not get_user_model().objects.filter(is_staff=True).exists()


# API6 — Unrestricted access to sensitive business flows ------------------------------
def test_api6_reservations_are_throttled_per_user(api, bearer, make_performance, settings,
                                                  locmem_cache):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "reservations": "3/min"}}
    performance = make_performance(capacity=100)
    bot = bearer("bot@example.com")
    statuses = [api.post(TICKETS, {"performance": performance.pk, "quantity": 1},
                         format="json", **bot).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    human = api.post(TICKETS, {"performance": performance.pk, "quantity": 1}, format="json",
                     **bearer("human@example.com"))
    assert human.status_code == 201  # per user, not global
    assert Performance.objects.get(pk=performance.pk).seats_sold == 4


# API7 — Server side request forgery --------------------------------------------------
def test_api7_token_headers_cannot_make_us_fetch_a_url(api, monkeypatch):
    """`jku`/`x5u` in a token header name a key URL: they are ignored, nothing is fetched."""
    import time

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from project import auth

    fetched = []
    monkeypatch.setattr(auth, "fetch_jwks_url", lambda url, timeout=3.0: fetched.append(url))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode({"iss": "x", "sub": "s", "exp": now + 60, "iat": now}, key,
                       algorithm="RS256", headers={"kid": "attacker",
                                                   "jku": "http://169.254.169.254/",
                                                   "x5u": "http://127.0.0.1:1/"})
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert fetched == []


# API8 — Security misconfiguration ----------------------------------------------------
def test_api8_cors_is_closed_to_unknown_origins(api, settings):
    response = api.get("/api/v1/shows/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    preflight = api.options(TICKETS, HTTP_ORIGIN="https://evil.example",
                            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in preflight


def test_api8_cors_opens_only_to_a_configured_origin(api, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example"]
    response = api.get("/api/v1/shows/", HTTP_ORIGIN="https://shop.example")
    assert response["Access-Control-Allow-Origin"] == "https://shop.example"


def test_api8_security_headers(api, client):
    for response in (api.get("/api/v1/shows/"), client.get("/admin/login/")):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api8_no_debug_in_tests_or_production(settings):
    # production.py sets DEBUG = False unconditionally; checked by `check --deploy` in deploy/tests

    assert settings.DEBUG is False


# API9 — Improper inventory management ------------------------------------------------
DOCUMENTED_ELSEWHERE = {"/api/v1/schema/", "/api/docs/"}  # the document and its viewer


def _routes(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_api9_every_api_route_is_in_the_openapi_document(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    documented = set(schema["paths"])
    routes = {r for r in _routes() if r.startswith("/api/")}
    assert routes - DOCUMENTED_ELSEWHERE == documented, (
        f"undocumented: {routes - documented - DOCUMENTED_ELSEWHERE}, "
        f"stale: {documented - routes}")


def test_api8_deploy_checks_catch_missing_token_configuration(settings):
    from django.core import checks

    settings.LOCAL_ISSUER_ENABLED = False
    settings.COGNITO_ISSUER, settings.COGNITO_CLIENT_IDS = "", []
    settings.COGNITO_JWKS_URL, settings.REDIS_URL = "http://example.com/jwks.json", ""
    ids = {m.id for m in checks.run_checks(include_deployment_checks=True)}
    assert {"marquee.E001", "marquee.E002", "marquee.E003", "marquee.W001"} <= ids
