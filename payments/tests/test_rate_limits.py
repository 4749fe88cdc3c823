"""An on-sale rush against Stripe's rate limits (issue 20).

Stripe is localstripe behind a stand-in that answers 429 beyond its per-endpoint and
account rates (stripe_standin.py), as Stripe does. A reservation makes no Stripe call;
the payment step waits for a slot of the budget shared in Redis, or retries Stripe's 429s,
while the hold stands; the customer's wait is added to the hold once.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from payments import stripe_budget
from payments.models import Payment
from payments.stripe_budget import Budget, budget
from tickets.models import Order

from .stripe_standin import StripeStandIn

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TICKETS = "/api/v1/tickets/"
_buyers = itertools.count()


@pytest.fixture
def standin(stripe_local, settings):
    """Stripe's limits (account, endpoint) in front of localstripe: `standin(10, 5)`."""
    servers = []

    def make(account: int, endpoint: int) -> StripeStandIn:
        proxy = StripeStandIn(upstream=stripe_local, account=account, endpoint=endpoint)
        server, url = proxy.serve()
        servers.append(server)
        settings.STRIPE_API_BASE = url
        return proxy
    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def rush(make_performance, bearer, in_parallel):
    """`rush(n)`: n new buyers reserve a seat of a paid performance at once (their
    clients, and the reservations' answers)."""
    performance = make_performance(capacity=500, price_cents=2500)

    def run(n: int) -> tuple[list[APIClient], list]:
        clients = []
        for _ in range(n):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=bearer(
                f"rush{next(_buyers)}@example.com")["HTTP_AUTHORIZATION"])
            clients.append(client)
        answers = in_parallel([
            (lambda c=c: c.post(TICKETS, {"performance": performance.pk, "quantity": 2},
                                format="json")) for c in clients])
        return clients, answers
    return run


def payment_steps(in_parallel, clients, orders):
    def step(client, order):
        def call():
            response = client.post(f"{TICKETS}{order['id']}/payment/")
            return response, timezone.now()
        return call
    return in_parallel([step(c, o) for c, o in zip(clients, orders, strict=True)])


def most_in_one_second(times: list[float]) -> int:
    times, most, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.fixture
def sent(monkeypatch):
    """(time, operation) of every slot the budget gave: each a call sent to Stripe."""
    taken: list[tuple[float, str]] = []
    try_take = budget.try_take

    def recording(operation: str, *, now: float) -> float | None:
        wait = try_take(operation, now=now)
        if wait is None:
            taken.append((now, operation))
        return wait
    monkeypatch.setattr(budget, "try_take", recording)
    return taken


def test_a_rush_several_times_stripes_rate_holds_every_seat_and_pays_at_stripes_pace(
        standin, rush, in_parallel, settings, redis_cache, sent):
    settings.STRIPE_RATE_GLOBAL, settings.STRIPE_RATE_PER_ENDPOINT = 10, 5
    stripe = standin(account=10, endpoint=5)
    clients, answers = rush(25)  # 5 times the endpoint's rate; 75 Stripe calls at 10 a second

    assert [a.status_code for a in answers] == [201] * 25  # none 503 because of Stripe
    assert stripe.log == []  # the reservations made no Stripe call
    orders = [a.json() for a in answers]

    steps = payment_steps(in_parallel, clients, orders)
    for (response, done), order in zip(steps, orders, strict=True):
        assert response.status_code == 200, response.content
        assert response.json()["payment"]["client_secret"].startswith("pi_")
        assert done < dt.datetime.fromisoformat(order["expires_at"])  # within its hold
    assert Payment.objects.count() == 25
    # Calls sent per second never beyond the budget, for the account and each endpoint.
    assert most_in_one_second([at for at, _ in sent]) <= 10
    for operation in {op for _, op in sent}:
        assert most_in_one_second([at for at, op in sent if op == operation]) <= 5
    # Stripe saw that pace too. It counts arrivals: on a loaded machine a call that reached
    # it late after its slot may rarely make one too many in its second; it is answered
    # 429 and retried with a new slot (one more call sent).
    refused = stripe.refused()
    assert len(sent) == len(stripe.log) == 75 + refused
    assert refused <= 75 // 10
    assert stripe.most_in_one_second() <= 10 + refused
    # Those kept waiting had their hold extended once, by their wait (≤ the bound).
    held = {str(o.pk): o.expires_at for o in Order.objects.all()}
    extended = [held[o["id"]] - dt.datetime.fromisoformat(o["expires_at"]) for o in orders]
    assert all(dt.timedelta(0) <= e <= dt.timedelta(seconds=10) for e in extended)
    assert any(e >= dt.timedelta(seconds=3) for e in extended)


def test_stripes_own_429s_are_retried_with_backoff_while_the_hold_stands(
        standin, rush, in_parallel, settings, redis_cache):
    # Our budget above Stripe's real limits (another app shares the account, say).
    settings.STRIPE_RATE_GLOBAL, settings.STRIPE_RATE_PER_ENDPOINT = 1000, 1000
    stripe = standin(account=10, endpoint=4)
    clients, answers = rush(12)
    assert [a.status_code for a in answers] == [201] * 12
    steps = payment_steps(in_parallel, clients, [a.json() for a in answers])
    assert [r.status_code for r, _ in steps] == [200] * 12
    assert stripe.refused() > 0  # Stripe said 429, and each was retried
    assert Payment.objects.count() == 12


def test_with_redis_down_each_process_keeps_its_share_of_the_budget(settings):
    settings.CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    settings.STRIPE_RATE_GLOBAL, settings.STRIPE_RATE_PER_ENDPOINT = 40, 20
    settings.STRIPE_RATE_ENVIRONMENTS = 4
    local = Budget()
    taken = [local.try_take("customers.create", now=100.0) for _ in range(6)]
    assert taken[:5] == [None] * 5 and taken[5] == pytest.approx(stripe_budget.WINDOW)
    assert local.try_take("customers.create", now=100.0 + stripe_budget.WINDOW) is None


def test_the_default_rates_are_stripes_documented_ones(settings):
    settings.STRIPE_RATE_GLOBAL = settings.STRIPE_RATE_PER_ENDPOINT = 0
    settings.STRIPE_SECRET_ARN = ""
    settings.STRIPE_SECRET_KEY = "sk_live_x"
    assert stripe_budget.rates() == stripe_budget.Rates(account=100, endpoint=25)
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert stripe_budget.rates() == stripe_budget.Rates(account=25, endpoint=25)


def test_the_shared_budget_admits_its_rate_in_any_window(settings, redis_cache):
    settings.STRIPE_RATE_GLOBAL, settings.STRIPE_RATE_PER_ENDPOINT = 5, 3
    assert isinstance(budget, Budget)
    first = [budget.try_take("a.create", now=10.0) for _ in range(4)]
    assert first[:3] == [None] * 3 and first[3] == pytest.approx(stripe_budget.WINDOW)
    assert [budget.try_take("b.create", now=10.5) for _ in range(3)][:2] == [None, None]
    assert budget.try_take("b.create", now=10.5) is not None  # the account's 5 are spent
    assert budget.try_take("b.create", now=10.0 + stripe_budget.WINDOW + 0.01) is None
