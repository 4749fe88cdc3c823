"""The packaged Lambda handler, run in a clean interpreter with AWS-shaped events.

Needs `make package` (dist/marquee-production.zip), PostgreSQL and Redis; AWS is moto.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pytest
from django.db import connection

from . import events as ev
from .conftest import ROOT, run_lambda
from .test_zappa_settings import rule_name

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True)]

PASSWORD = "handler-test-Secret-42"
REDIS_URL = "redis://127.0.0.1:6379/14"  # the handler's cache; emptied for each test
CONFIG_BUCKET = "marquee-production-config-eu-west-3"  # zappa_settings.json remote_env
# The Stripe secret as DEPLOY.md creates it; the keys are localstripe's (any sk_/whsec_).
STRIPE_SECRET_NAME = "marquee/production/stripe"
STRIPE_SECRET = {"secret_key": "sk_test_marquee", "webhook_secret": "whsec_marquee_tests"}


def put_secret(client, name: str, value: dict) -> str:
    try:
        return client.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=name, SecretString=json.dumps(value))
        return client.describe_secret(SecretId=name)["ARN"]


@pytest.fixture
def lambda_env(moto_server, aws_env, transactional_db):
    # transactional_db first: the handler process must see the test database, and the
    # test must see what the handler process committed.
    assert connection.settings_dict["NAME"].startswith("test_")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    session = boto3.session.Session(region_name=ev.REGION)
    s3 = session.client("s3", endpoint_url=moto_server)
    location = {"LocationConstraint": ev.REGION}
    for bucket in (CONFIG_BUCKET, "marquee-test-static", "marquee-test-media"):
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=location)
    s3.put_object(Bucket=CONFIG_BUCKET, Key="production.json",
                  Body=json.dumps({"DJANGO_SECRET_KEY": "remote-env-" + "k" * 50}))
    secrets = session.client("secretsmanager", endpoint_url=moto_server)
    name = "marquee/production/db"
    try:
        arn = secrets.create_secret(Name=name, SecretString=json.dumps(
            {"username": connection.settings_dict["USER"] or "postgres", "password": "unused",
             "engine": "postgres", "host": "127.0.0.1", "port": 5432}))["ARN"]
    except secrets.exceptions.ResourceExistsException:
        arn = secrets.describe_secret(SecretId=name)["ARN"]
    stripe_arn = put_secret(secrets, STRIPE_SECRET_NAME, STRIPE_SECRET)
    db = connection.settings_dict
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": ev.REGION, "AWS_DEFAULT_REGION": ev.REGION,
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_LAMBDA_FUNCTION_NAME": "marquee-production",
        # The stage's aws_environment_variables, pointed at the test services.
        "DATABASE_URL": f"postgres://nobody@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                        f"{db['NAME']}",
        "DATABASE_SECRET_ARN": arn,
        "REDIS_URL": REDIS_URL,
        "ALLOWED_HOSTS": f"{ev.PUBLIC_HOST},{ev.STAGE_HOST},{ev.ALB_HOST}",
        "CSRF_TRUSTED_ORIGINS": f"https://{ev.PUBLIC_HOST}",
        "STATIC_BUCKET": "marquee-test-static",
        "STATIC_URL": f"https://{ev.PUBLIC_HOST}/static/",
        "MEDIA_BUCKET": "marquee-test-media",
        "COGNITO_ISSUER": "https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_AbCdEfGhI",
        "COGNITO_CLIENT_IDS": "1example23456789",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_marquee",
        "STRIPE_SECRET_ARN": stripe_arn,
        "HOLD_MINUTES": "10",
        "EMAIL_FROM": f"Marquee <tickets@{ev.PUBLIC_HOST}>",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }


@pytest.fixture
def invoke(lambda_package, lambda_runtime, lambda_env, tmp_path):
    counter = iter(range(1000))

    def run(steps: list) -> dict:
        work = tmp_path / f"run{next(counter)}"
        work.mkdir()
        return run_lambda(lambda_package, lambda_runtime, steps, lambda_env, work)
    return run


def set_cookies(response: dict) -> list[str]:
    """Every Set-Cookie the client will receive, whatever the response shape."""
    if "cookies" in response:  # HTTP API v2
        return list(response["cookies"])
    found = []
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == "set-cookie":
            found.append(value)
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == "set-cookie":
            found.extend(values)
    return found


def cookie_names(response: dict) -> list[str]:
    return sorted(c.split("=", 1)[0] for c in set_cookies(response))


def header(response: dict, name: str) -> str | None:
    for key, value in (response.get("headers") or {}).items():
        if key.lower() == name:
            return value
    for key, values in (response.get("multiValueHeaders") or {}).items():
        if key.lower() == name:
            return values[0]
    return None


def body_of(response: dict) -> str:
    """The body the client gets: with binary_support, Zappa base64-encodes every type but
    text/* and application/json (problem+json included); API Gateway decodes it."""
    body = response.get("body") or ""
    return base64.b64decode(body).decode() if response.get("isBase64Encoded") else body


def csrf_from(response: dict) -> tuple[str, str]:
    cookie = next(c for c in set_cookies(response) if c.startswith("csrftoken="))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response["body"]).group(1)
    return cookie.split(";", 1)[0].split("=", 1)[1], token


def login_form(csrf_token: str, next_path: str) -> str:
    return urlencode({"csrfmiddlewaretoken": csrf_token, "username": "admin",
                      "password": PASSWORD, "next": next_path})


FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def superuser(invoke):
    """Created through the handler, as `zappa manage production createsuperuser` does."""
    result = invoke([{"event": ev.manage(
        "createsuperuser --noinput --username admin --email admin@example.com")}])
    assert result["steps"] == [{}]
    from django.contrib.auth.models import User

    assert User.objects.get(username="admin").is_superuser


def test_runs_from_the_package_alone(invoke):
    result = invoke([{"event": ev.rest_v1("GET", "/api/v1/health/")}])
    print(f"packaged handler init (Lambda init phase): {result['init_ms']} ms")
    for module, path in result["paths"].items():
        assert "site-packages" not in path, f"{module} came from outside the package: {path}"
    assert not any(m.split(".")[0] in {"moto", "pytest", "_pytest"} for m in result["modules"])
    # stripe is imported on the first payment call, never at init (payments/stripe_api.py).
    assert not any(m.split(".")[0] == "stripe" for m in result["modules"])
    response = result["steps"][0]
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"]) == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize("via_cloudfront, prefix", [(False, "/production"), (True, "")],
                         ids=["stage-url", "cloudfront"])
def test_rest_v1_admin_login(invoke, superuser, via_cloudfront, prefix):
    host = ev.PUBLIC_HOST if via_cloudfront else ev.STAGE_HOST
    page = invoke([{"event": ev.rest_v1("GET", "/admin/login/", query="next=/admin/",
                                        via_cloudfront=via_cloudfront)}])["steps"][0]
    assert page["statusCode"] == 200, page
    assert re.search(f'action="{prefix}/admin/login/[?"]', page["body"])
    assert f'href="https://{ev.PUBLIC_HOST}/static/admin/css/' in page["body"]
    assert cookie_names(page) == ["csrftoken"]
    csrf_cookie, token = csrf_from(page)

    headers = {"Content-Type": FORM, "Cookie": f"csrftoken={csrf_cookie}",
               "Origin": f"https://{host}", "Referer": f"https://{host}{prefix}/admin/login/"}
    login = ev.rest_v1("POST", "/admin/login/", query="next=/admin/", headers=headers,
                       body=login_form(token, f"{prefix}/admin/"),
                       via_cloudfront=via_cloudfront)
    result = invoke([{"event": login}])
    response = result["steps"][0]
    assert response["statusCode"] == 302, response.get("body", "")[:2000]
    assert header(response, "location") == f"{prefix}/admin/"
    # Each cookie exactly once over headers + multiValueHeaders (API Gateway merges both).
    assert cookie_names(response) == ["csrftoken", "sessionid"]
    for cookie in set_cookies(response):
        assert ("Secure" in cookie and "HttpOnly" in cookie) or cookie.startswith("csrftoken")
    assert header(response, "strict-transport-security").startswith("max-age=31536000")

    session = next(c for c in set_cookies(response) if c.startswith("sessionid="))
    index = ev.rest_v1("GET", "/admin/", headers={"Cookie": session.split(";", 1)[0]},
                       via_cloudfront=via_cloudfront)
    page = invoke([{"event": index}])["steps"][0]
    assert page["statusCode"] == 200
    assert f'href="{prefix}/admin/password_change/"' in page["body"]
    assert "/production/production/" not in page["body"]


def test_http_api_v2_admin_login(invoke, superuser):
    page = invoke([{"event": ev.http_v2("GET", "/admin/login/")}])["steps"][0]
    assert page["statusCode"] == 200, page
    assert re.search('action="/production/admin/login/[?"]', page["body"])
    assert cookie_names(page) == ["csrftoken"]
    csrf_cookie, token = csrf_from(page)
    login = ev.http_v2("POST", "/admin/login/", cookies=[f"csrftoken={csrf_cookie}"],
                       headers={"content-type": FORM, "origin": f"https://{ev.STAGE_HOST}"},
                       body=login_form(token, "/production/admin/"))
    response = invoke([{"event": login}])["steps"][0]
    assert response["statusCode"] == 302, response.get("body", "")[:2000]
    assert response["headers"]["Location"] == "/production/admin/"
    assert cookie_names(response) == ["csrftoken", "sessionid"]
    assert not any(k.lower() == "set-cookie" for k in response["headers"])


@pytest.mark.parametrize("multi_value", [True, False], ids=["multi-value", "single-value"])
def test_alb_admin_login(invoke, superuser, multi_value):
    page = invoke([{"event": ev.alb("GET", "/admin/login/", multi_value=multi_value)}])
    page = page["steps"][0]
    assert page["statusCode"] == 200, page
    assert page["statusDescription"].startswith("200")
    assert re.search('action="/admin/login/[?"]', page["body"])
    csrf_cookie, token = csrf_from(page)
    login = ev.alb("POST", "/admin/login/", multi_value=multi_value, body=login_form(
        token, "/admin/"), headers={"content-type": FORM, "cookie": f"csrftoken={csrf_cookie}",
                                    "origin": f"https://{ev.ALB_HOST}"})
    response = invoke([{"event": login}])["steps"][0]
    assert response["statusCode"] == 302, response.get("body", "")[:2000]
    assert cookie_names(response) == ["csrftoken", "sessionid"]
    if multi_value:
        assert "multiValueHeaders" in response


PURGE_COMMAND = ROOT / "tickets" / "management" / "commands" / "purge_idempotency_keys.py"


@pytest.mark.skipif(not PURGE_COMMAND.exists(),
                    reason="tickets' purge_idempotency_keys command has not landed yet")
def test_scheduled_purge_of_idempotency_keys(invoke, make_user):
    from tickets.models import IdempotencyRecord

    user = make_user()
    now = dt.datetime.now(dt.UTC)
    for key, age in (("old", dt.timedelta(hours=30)), ("fresh", dt.timedelta(hours=1))):
        IdempotencyRecord.objects.create(customer=user, key=key, fingerprint="f" * 64,
                                         status_code=201, body={}, created_at=now - age)
    event = ev.scheduled("project.lambda_handler.purge_idempotency_keys")
    invoke([{"event": event}])
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


SCHEDULED = json.loads((ROOT / "zappa_settings.json").read_text())["production"]["events"]


@pytest.mark.parametrize("event", SCHEDULED, ids=lambda e: e["function"].rsplit(".", 1)[1])
def test_each_scheduled_event_runs_its_command(invoke, event):
    """The EventBridge event of the rule `zappa schedule` creates (named as Zappa names
    it) reaches our function, which runs the management command of the same name."""
    command = event["function"].rsplit(".", 1)[1]
    rule = rule_name(event, "production")
    result = invoke(["record_call_command",
                     {"event": ev.scheduled(event["function"], rule_name=rule)}])
    assert result["call_command"] == [[command, [], {}]]
    lines = [json.loads(line) for line in result["stdout"].splitlines()
             if line.startswith("{")]
    assert any(line.get("message") == "scheduled" and line.get("function") ==
               event["function"] for line in lines), result["stdout"][-2000:]


@pytest.fixture
def checkout(stripe_local, lambda_env, make_performance, bearer):
    """A paid performance and a customer reserving through the API in this process (as
    the SPA does); the packaged handler talks to the same localstripe, with the key it
    reads from the Stripe secret on moto (STRIPE_SECRET_ARN), as in production."""
    from rest_framework.test import APIClient

    from payments.tests.stripe_helpers import unregister_webhook

    unregister_webhook()  # the handler is the only webhook receiver here
    lambda_env["STRIPE_API_BASE"] = stripe_local
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer("late@example.com")["HTTP_AUTHORIZATION"])
    performance = make_performance(capacity=10, price_cents=3250, currency="EUR")

    def reserve(quantity: int) -> dict:
        response = client.post("/api/v1/tickets/", {"performance": performance.pk,
                                                    "quantity": quantity}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending"
        step = client.post(f"/api/v1/tickets/{response.json()['id']}/payment/")
        assert step.status_code == 200, step.content  # the payment step, as the SPA's
        return step.json()

    reserve.performance = performance
    return reserve


def test_the_per_minute_event_releases_lapsed_holds_once(invoke, checkout):
    """EventBridge's per-minute event, as `zappa schedule` names its rule, run by the
    packaged handler: the lapsed hold is expired, its seats released and its
    PaymentIntent cancelled at Stripe; a hold still running is left alone; the next
    minute's run releases nothing more."""
    from payments.models import Payment
    from payments.tests.stripe_helpers import stripe_get
    from shows.models import Performance
    from tickets.models import Order

    lapsed, running = checkout(2), checkout(1)
    Order.objects.filter(pk=lapsed["id"]).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert Performance.objects.get(pk=checkout.performance.pk).seats_sold == 3
    event = next(e for e in SCHEDULED if e["function"].endswith(".release_expired_holds"))
    minute = {"event": ev.scheduled(event["function"], rule_name=rule_name(event, "production"))}
    result = invoke([minute, minute])
    assert "Released 1 expired hold(s);" in result["stdout"]
    assert "Released 0 expired hold(s);" in result["stdout"]
    statuses = dict(Order.objects.values_list("id", "status"))
    assert {str(k): v for k, v in statuses.items()} == {lapsed["id"]: "expired",
                                                        running["id"]: "pending"}
    assert Performance.objects.get(pk=checkout.performance.pk).seats_sold == 1
    intent = Payment.objects.get(pk=lapsed["id"]).intent_id
    assert stripe_get(f"payment_intents/{intent}")["status"] == "canceled"
    running_intent = Payment.objects.get(pk=running["id"]).intent_id
    assert stripe_get(f"payment_intents/{running_intent}")["status"] != "canceled"


def test_a_signed_stripe_webhook_confirms_through_the_package(invoke, checkout):
    """Stripe → CloudFront → API Gateway → the packaged handler: the signature is checked
    with the webhook secret from Secrets Manager; a forged one is a 400 that changes
    nothing, the signed one confirms the order and issues its tickets."""
    from payments.models import Payment
    from payments.tests.stripe_helpers import setup_card, signed, stripe_post
    from tickets.models import Order, Ticket

    order = checkout(2)
    intent_id = Payment.objects.get(pk=order["id"]).intent_id
    stripe_post(f"payment_intents/{intent_id}", payment_method=setup_card(order["payment"]))
    intent = stripe_post(f"payment_intents/{intent_id}/confirm")
    payload, signature = signed("payment_intent.succeeded", intent,
                                secret=STRIPE_SECRET["webhook_secret"])
    _, forged = signed("payment_intent.succeeded", intent, secret="whsec_forged")

    def delivery(stripe_signature: str) -> dict:
        return {"event": ev.rest_v1(
            "POST", "/api/v1/payments/stripe/webhook/", body=payload.decode(),
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Stripe-Signature": stripe_signature,
                     "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"},
            via_cloudfront=True)}

    refused, accepted, again = invoke([delivery(forged), delivery(signature),
                                       delivery(signature)])["steps"]
    assert refused["statusCode"] == 400, refused
    assert json.loads(body_of(refused))["code"] == "invalid_signature"
    assert accepted["statusCode"] == 200, accepted
    assert json.loads(body_of(accepted)) == {"received": True, "duplicate": False}
    assert json.loads(body_of(again)) == {"received": True, "duplicate": True}
    assert Order.objects.get(pk=order["id"]).status == "confirmed"
    assert Ticket.objects.filter(order_id=order["id"]).count() == 2


def test_stripe_works_from_the_package(invoke, localstripe_server):
    """What the trimmed package keeps of stripe (deploy/package.py UNUSED_PARTS) is enough
    for every call payments makes: a StripeClient on the requests client, PaymentIntents
    created, read and cancelled, a refund, and a signed webhook event verified."""
    code = f"""
import json, sys, time
import stripe
client = stripe.StripeClient("sk_test_marquee",
                             base_addresses={{"api": {localstripe_server!r}}},
                             http_client=stripe.RequestsClient(timeout=(3, 10)))
intent = client.v1.payment_intents.create(
    params={{"amount": 6500, "currency": "eur", "metadata": {{"order": "o-1"}}}},
    options={{"idempotency_key": "order-o-1"}})
read = client.v1.payment_intents.retrieve(intent.id)
cancelled = client.v1.payment_intents.cancel(intent.id)
payload = json.dumps({{"id": "evt_1", "object": "event", "type": "charge.refunded",
                      "data": {{"object": {{"id": "ch_1", "object": "charge",
                                            "refunds": {{"object": "list", "data": [
                                                {{"id": "re_1", "object": "refund"}}]}}}}}}}})
now = int(time.time())
signature = stripe.WebhookSignature._compute_signature(f"{{now}}.{{payload}}", "whsec_x")
event = stripe.Webhook.construct_event(payload, f"t={{now}},v1={{signature}}", "whsec_x")
try:
    stripe.Webhook.construct_event(payload, f"t={{now}},v1={{'0' * 64}}", "whsec_x")
    forged = "accepted"
except stripe.SignatureVerificationError:
    forged = "refused"
result = {{"intent": [intent.status, read.id == intent.id, cancelled.status],
          "event": [type(event).__name__, event.type,
                    type(event.data.object).__name__,
                    type(event.data.object.refunds.data[0]).__name__],
          "forged": forged, "http": type(client._requestor._client).__name__,
          "ca_bundle": stripe.ca_bundle_path,
          "loaded_from_package": stripe.__file__.startswith(sys.path[0]),
          "trimmed_loaded": sorted(m for m in sys.modules
                                   if m.startswith(("stripe.params", "stripe.events")))}}
"""
    result = invoke([{"exec": code}])["steps"][0]
    assert result["intent"] == ["requires_payment_method", True, "canceled"]
    assert result["event"] == ["Event", "charge.refunded", "Charge", "Refund"]
    assert result["forged"] == "refused"
    assert result["http"] == "RequestsClient"
    assert result["loaded_from_package"] and result["trimmed_loaded"] == []
    assert Path(result["ca_bundle"]).is_file()


def test_tickets_print_from_the_package(invoke):
    """What the trimmed package keeps of reportlab and Pillow (deploy/package.py
    UNUSED_PARTS, UNUSED_FILES) draws printable tickets; none of it is imported at init."""
    code = """
import sys
init_modules = {m.split(".")[0] for m in sys.modules}
from tickets.pdf import PrintedTicket, Printout, tickets_pdf
import PIL, reportlab
pdfs = {layout: tickets_pdf(printout=Printout(
            show="Le Misanthrope", starts_at="Saturday 5 December 2026, 20:00",
            venue="Main Hall", address="1 rue Volta, Lyon", order_ref="1a2b3c4d",
            tickets=(PrintedTicket("AAAABBBBCCCCDDDD", ("Seat: B 12",)),
                     PrintedTicket("EEEEFFFFGGGGHHHH"))), layout=layout).hex()
        for layout in ("a4", "thermal")}
result = {"pdfs": pdfs, "at_init": sorted(init_modules & {"reportlab", "PIL"}),
          "from_package": [m.__file__.startswith(sys.path[0]) for m in (PIL, reportlab)]}
"""
    from tickets.tests.pdf_reading import pdf_pages_qr_codes

    result = invoke([{"exec": code}])["steps"][0]
    assert result["at_init"] == [] and result["from_package"] == [True, True]
    for data in result["pdfs"].values():
        assert pdf_pages_qr_codes(bytes.fromhex(data)) == [["AAAABBBBCCCCDDDD"],
                                                           ["EEEEFFFFGGGGHHHH"]]


def test_openapi_document_is_served_without_libyaml(invoke):
    """deploy/package.py drops PyYAML's C binding: the document's YAML renderer (its only
    user) works on the pure-Python dumper."""
    result = invoke([{"event": ev.rest_v1("GET", "/api/v1/schema/")},
                     {"exec": "import yaml\nresult = yaml.__with_libyaml__"}])
    response, with_libyaml = result["steps"]
    assert response["statusCode"] == 200, response
    assert with_libyaml is False
    import yaml

    document = yaml.safe_load(body_of(response))
    assert "/api/v1/payments/stripe/webhook/" in document["paths"]


def test_json_logs_carry_the_request_id(invoke):
    result = invoke([{"event": ev.rest_v1("GET", "/api/v1/health/")}])
    lines = [json.loads(line) for line in result["stdout"].splitlines()
             if line.startswith("{")]
    request_lines = [line for line in lines if line.get("logger") == "marquee.lambda"]
    assert request_lines, result["stdout"][-2000:]
    assert request_lines[-1]["request_id"] == "00000000-0000-4000-8000-000000000000"
    assert request_lines[-1]["status"] == 200
    assert request_lines[-1]["path"] == "/api/v1/health/"


def test_errors_leak_no_traceback(invoke):
    result = invoke([{"event": ev.rest_v1("GET", "/api/v1/no-such-thing/")},
                     {"event": ev.rest_v1("GET", "/admin/login/",
                                          headers={"Host": "evil.example.net"})}])
    for response in result["steps"]:
        assert response["statusCode"] in {400, 404}, response
        assert "Traceback" not in (response.get("body") or "")


def test_snapstart_restore_reopens_connections_and_reseeds(invoke):
    health = {"event": ev.rest_v1("GET", "/api/v1/health/")}
    steps = [health, "probe", "before_snapshot", "probe", "seed_like_a_snapshot",
             "after_restore", "probe", health, "probe"]
    first, second = invoke(steps), invoke(steps)
    for result in (first, second):
        (served, warm, snap, restored, _, after, ready) = (
            result["steps"][0], result["steps"][1], result["steps"][3], result["steps"][6],
            None, result["steps"][7], result["steps"][8])
        assert served["statusCode"] == 200
        assert warm["db_connection_open"] and warm["aws_secrets"] == 1
        hooks = result["steps"][2]["hooks"]
        assert hooks == ["before_snapshot"]
        assert not snap["db_connection_open"]
        assert snap["redis_pools"] in ([], [0]), snap
        assert restored["aws_clients"] == [] and restored["aws_secrets"] == 0
        assert after["statusCode"] == 200
        assert ready["db_connection_open"] and ready["aws_secrets"] == 1
    # Two environments restored from the same snapshot draw different random numbers.
    assert first["steps"][6]["random"] != second["steps"][6]["random"]


def shows_page(via: str) -> dict:
    query = "page_size=1"
    if via == "http-api":
        return ev.http_v2("GET", "/api/v1/shows/", query=query)
    return ev.rest_v1("GET", "/api/v1/shows/", query=query,
                      via_cloudfront=via == "cloudfront")


NEXT = {"stage-url": f"https://{ev.STAGE_HOST}/production/api/v1/shows/?page=2&page_size=1",
        "cloudfront": f"https://{ev.PUBLIC_HOST}/api/v1/shows/?page=2&page_size=1",
        "http-api": f"https://{ev.STAGE_HOST}/production/api/v1/shows/?page=2&page_size=1"}


@pytest.mark.parametrize("via", NEXT, ids=NEXT)
def test_shows_api_links_carry_the_viewers_host_and_prefix(invoke, make_performance, via):
    make_performance(), make_performance()
    response = invoke([{"event": shows_page(via)}])["steps"][0]
    assert response["statusCode"] == 200, response
    body = json.loads(response["body"])
    assert body["count"] == 2 and len(body["results"]) == 1
    assert body["next"] == NEXT[via]


def test_cached_shows_page_is_not_shared_across_hosts(invoke, make_performance):
    """The cached page holds absolute links: one viewer's must never reach another."""
    make_performance(), make_performance()
    result = invoke([{"event": shows_page("stage-url")}, {"event": shows_page("cloudfront")}])
    stage, public = (json.loads(r["body"]) for r in result["steps"])
    assert stage["next"] == NEXT["stage-url"]
    assert public["next"] == NEXT["cloudfront"]


def test_check_deploy_through_the_manage_event(invoke):
    # Raises (and fails the process) on any issue at WARNING or above.
    result = invoke([{"event": ev.manage("check --deploy --fail-level WARNING")}])
    assert result["steps"] == [{}]


def test_problems_in_french_from_the_package(invoke):
    """locale/'s compiled catalogue ships in the zip (the .mo is committed; `make package`
    needs no gettext): a French request gets its problem in French."""
    result = invoke([{"event": ev.rest_v1("GET", "/api/v1/no-such-thing/",
                                          headers={"Accept-Language": "fr-FR,fr;q=0.9"})}])
    [response] = result["steps"]
    assert response["statusCode"] == 404
    body = json.loads(body_of(response))
    assert (body["code"], body["title"], body["detail"]) == (
        "not_found", "Introuvable", "Cette ressource n'existe pas.")
