"""The reservation's response is rendered by tickets.serializers.order_body, from the order
in memory: it must be OrderSerializer's output (the schema's) byte for byte — the same
keys, order and formats (datetimes, UUIDs, the nested performance, the payment)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from tickets import holds, selectors, services
from tickets.models import Order, Ticket
from tickets.serializers import OrderSerializer, order_body

pytestmark = pytest.mark.django_db


def as_bytes(body: object) -> bytes:
    return JSONRenderer().render(body)


def assert_same(order: Order, tickets: list[Ticket] | None = None) -> None:
    context = {} if tickets is None else {"tickets": tickets}
    expected = as_bytes(OrderSerializer(order, context=context).data)
    assert as_bytes(order_body(order, tickets)) == expected
    assert list(order_body(order, tickets)) == list(OrderSerializer.Meta.fields)


def test_a_free_reservation_renders_as_the_serializer(make_performance, make_user):
    performance = make_performance(capacity=20)
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=3)
    assert_same(order)
    body = order_body(order)
    assert body["status"] == "confirmed" and len(body["tickets"]) == 3
    assert body["created_at"].endswith("Z") and body["id"] == str(order.id)


def test_the_idempotency_render_renders_as_the_serializer(make_performance, make_user):
    """What the idempotency key stores: the order before it is written, with its tickets."""
    performance = make_performance()
    captured: list[tuple[Order, list[Ticket]]] = []

    def render(order: Order, tickets: list[Ticket]) -> tuple[int, dict]:
        captured.append((order, tickets))
        return 201, order_body(order, tickets)

    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=2,
                           idempotency=services.Idempotency(key="k-1", fingerprint="f",
                                                            render=render))
    order, tickets = captured[0]
    assert_same(order, tickets)
    assert_same(order, [])  # a hold's, before its payment


def test_an_order_read_back_with_a_checked_in_ticket(make_performance, make_user):
    user = make_user()
    performance = make_performance()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=2)
    services.ticket_check_in(code=order.issued_tickets[0].code,
                             now=timezone.now().replace(microsecond=123456))
    read = selectors.order_get_for_user(user=user, order_id=order.pk)
    assert_same(read)
    assert order_body(read)["tickets"][0]["checked_in_at"] is not None or \
        order_body(read)["tickets"][1]["checked_in_at"] is not None


def test_formats_follow_the_active_time_zone(make_performance, make_user):
    performance = make_performance(starts_at=timezone.now() + dt.timedelta(days=3,
                                                                          microseconds=7))
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=1)
    with timezone.override("Europe/Paris"):
        assert_same(order)
        assert "+0" in order_body(order)["created_at"]  # as the serializer's: not "Z"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_paid_hold_renders_as_the_serializer(stripe_local, make_performance, make_user):
    performance = make_performance(price_cents=1500)
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=2)
    assert not hasattr(order, "payment")  # made at the payment step
    assert_same(order)
    holds.order_payment_prepare(user=user, order_id=order.pk)
    order = selectors.order_get_for_user(user=user, order_id=order.pk)
    assert_same(order)
    body = order_body(order)
    assert body["status"] == "pending" and body["expires_at"].endswith("Z")
    assert body["payment"]["client_secret"] and body["tickets"] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_api_answers_with_the_serializer_s_bytes(api, bearer, make_performance):
    """Over the API: the 201 is the order as GET /tickets/{id}/ shows it, and its replay
    the same order (stored as jsonb, whose key order is its own)."""
    performance = make_performance()
    headers = {**bearer("body@example.com"), "HTTP_IDEMPOTENCY_KEY": "body-1"}
    payload = {"performance": performance.pk, "quantity": 2}
    created = api.post("/api/v1/tickets/", payload, format="json", **headers)
    assert created.status_code == 201, created.content
    replayed = api.post("/api/v1/tickets/", payload, format="json", **headers)
    assert replayed["Idempotent-Replayed"] == "true"
    shown = api.get(f"/api/v1/tickets/{created.json()['id']}/", **headers)
    assert created.content == shown.content
    assert replayed.json() == created.json()
