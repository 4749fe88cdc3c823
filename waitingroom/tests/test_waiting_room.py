"""The waiting room of an announced on-sale (issue 20): first come, first served at the
configured rate, a signed admission the reservation checks, and no room without Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from devauth import keys
from tickets.models import Order
from waitingroom import errors, services

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
T0 = dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC)


def room(performance_id: int) -> str:
    return f"/api/v1/performances/{performance_id}/waiting-room/"


@pytest.fixture
def on_sale(make_performance, settings):
    settings.WAITING_ROOM_RATE = 10.0
    settings.WAITING_ROOM_ADMISSION_SECONDS = 120
    return make_performance(capacity=100, price_cents=0, waiting_room=True)


@pytest.fixture
def visitor(bearer):
    """A signed-in visitor's API client, and their user (created on the first call)."""
    def make(email: str) -> tuple[APIClient, object]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer(email)["HTTP_AUTHORIZATION"])
        client.get("/api/v1/me/")
        return client, get_user_model().objects.get(username=keys.sub_for_email(email))
    return make


@pytest.mark.redis
def test_five_hundred_visitors_are_admitted_in_arrival_order_at_the_rate(
        on_sale, redis_cache, django_user_model):
    users = django_user_model.objects.bulk_create(
        [django_user_model(username=f"crowd-{i}") for i in range(500)])
    # They arrive over 10 s (50 a second, five times the rate), in a known order.
    arrivals = [T0 + dt.timedelta(milliseconds=20 * i) for i in range(500)]
    joined = [services.room_join(user=u, performance_id=on_sale.pk, now=at)
              for u, at in zip(users, arrivals, strict=True)]
    assert [s.number for s in joined] == list(range(1, 501))
    assert joined[0].admission is not None  # nobody ahead: at once
    assert [s.position for s in joined[1:6]] == [1, 2, 3, 4, 5]  # the line grows
    assert joined[-1].estimate_seconds == pytest.approx(499 / 10 - 9.98, abs=1)

    def admitted(at: dt.datetime) -> list[int]:
        return [i for i, u in enumerate(users) if services.room_standing(
            user=u, performance_id=on_sale.pk, now=at).admission is not None]

    # At any moment, exactly the first 1 + 10·t of them, in arrival order.
    for seconds in (0.0, 0.05, 1.0, 7.5, 20.0, 49.85):
        count = int(seconds * 10 + 1e-9) + 1
        assert admitted(T0 + dt.timedelta(seconds=seconds)) == list(range(count)), seconds
    assert len(admitted(T0 + dt.timedelta(seconds=49.9))) == 500
    # Refreshing (joining again) keeps one's place: no refresh-to-win.
    late = services.room_join(user=users[400], performance_id=on_sale.pk,
                              now=T0 + dt.timedelta(seconds=30))
    assert (late.number, late.position, late.estimate_seconds) == (401, 100, 10)


@pytest.mark.redis
def test_the_reservation_needs_this_visitors_valid_admission(on_sale, redis_cache, visitor,
                                                             rates):
    rates(reservations="1000/min")
    ann, _ = visitor("ann@example.com")
    bob, _ = visitor("bob@example.com")
    body = {"performance": on_sale.pk, "quantity": 1}

    def reserve(client, admission=None):
        extra = {"HTTP_ADMISSION": admission} if admission is not None else {}
        return client.post(TICKETS, body, format="json", **extra)

    refused = reserve(ann)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "admission_required"
    standing = ann.post(room(on_sale.pk)).json()
    assert standing["admitted"] is True and standing["position"] == 0
    assert standing["number"] == 1
    token = standing["admission"]

    for forged in ("nonsense", token[:-2] + "xx", token.replace(f"{on_sale.pk}.", "9.", 1)):
        answer = reserve(ann, forged)
        assert (answer.status_code, answer.json()["code"]) == (403, "admission_invalid")
    stolen = reserve(bob, token)  # Ann's admission is Ann's
    assert (stolen.status_code, stolen.json()["code"]) == (403, "admission_invalid")
    assert not Order.objects.exists()
    assert reserve(ann, token).status_code == 201


@pytest.mark.redis
def test_an_expired_admission_is_a_clear_403(on_sale, redis_cache, visitor, settings):
    ann, user = visitor("ann@example.com")
    old = services.admission_issue(user_id=user.pk, performance_id=on_sale.pk,
                                   now=timezone.now() - dt.timedelta(seconds=121))
    answer = ann.post(TICKETS, {"performance": on_sale.pk, "quantity": 1}, format="json",
                      HTTP_ADMISSION=old)
    assert answer.status_code == 403
    assert answer.json()["code"] == "admission_expired"
    assert "new one" in answer.json()["detail"]


@pytest.mark.redis
def test_a_visitor_in_line_sees_position_and_estimate(on_sale, redis_cache, visitor,
                                                      settings):
    settings.WAITING_ROOM_RATE = 0.01  # one every 100 s
    first, _ = visitor("first@example.com")
    second, _ = visitor("second@example.com")
    assert second.get(room(on_sale.pk)).status_code == 404  # not joined yet
    assert first.post(room(on_sale.pk)).json()["admitted"] is True
    waiting = second.post(room(on_sale.pk)).json()
    assert waiting["admitted"] is False and waiting["admission"] is None
    assert waiting["position"] == 1 and 95 <= waiting["estimate_seconds"] <= 100
    assert 1 <= waiting["retry_after_seconds"] <= 10
    again = second.get(room(on_sale.pk)).json()
    assert again["number"] == waiting["number"] == 2


def test_with_redis_down_sales_continue_without_the_room(on_sale, settings, visitor):
    settings.CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    ann, _ = visitor("ann@example.com")
    answer = ann.post(TICKETS, {"performance": on_sale.pk, "quantity": 1}, format="json")
    assert answer.status_code == 201, answer.content  # no Redis, no queue: no room
    standing = ann.post(room(on_sale.pk)).json()  # the room admits at once
    assert standing["admitted"] is True and standing["number"] is None


def test_the_room_turns_itself_on_at_the_announced_on_sale(make_performance, settings):
    settings.WAITING_ROOM_AUTO_MINUTES = 30
    performance = make_performance(on_sale_at=T0)
    active = [services.room_active(performance=performance, now=T0 + dt.timedelta(minutes=m))
              for m in (-1, 0, 29, 30)]
    assert active == [False, True, True, False]
    performance.waiting_room = True
    assert services.room_active(performance=performance, now=T0 + dt.timedelta(days=1))


def test_a_room_that_is_off_admits_at_once_and_needs_nothing(make_performance, make_user):
    performance = make_performance()
    user = make_user()
    standing = services.room_join(user=user, performance_id=performance.pk)
    assert standing.admission is not None and standing.number is None
    services.admission_check(performance=performance, user=user, admission=None,
                             now=timezone.now())
    with pytest.raises(errors.PerformanceNotFound):
        services.room_join(user=user, performance_id=10**9)


@pytest.mark.redis
def test_a_keyed_retry_whose_admission_lapsed_gets_its_replay(on_sale, redis_cache, visitor,
                                                              settings):
    """The first request was answered (or its answer lost) while the admission was valid;
    its retry with the same Idempotency-Key, sent after the admission lapsed, is that
    answer again, not a 403. Nothing new is sold without a valid admission."""
    ann, user = visitor("ann@example.com")
    admission = services.admission_issue(user_id=user.pk, performance_id=on_sale.pk,
                                         now=timezone.now() - dt.timedelta(seconds=100))
    body = {"performance": on_sale.pk, "quantity": 2}
    first = ann.post(TICKETS, body, format="json", HTTP_ADMISSION=admission,
                     HTTP_IDEMPOTENCY_KEY="rush-1")
    assert first.status_code == 201
    settings.WAITING_ROOM_ADMISSION_SECONDS = 60  # it has lapsed now
    retry = ann.post(TICKETS, body, format="json", HTTP_ADMISSION=admission,
                     HTTP_IDEMPOTENCY_KEY="rush-1")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    other = ann.post(TICKETS, {**body, "quantity": 1}, format="json", HTTP_ADMISSION=admission,
                     HTTP_IDEMPOTENCY_KEY="rush-1")
    assert other.status_code == 422  # the key's other body: reused, as ever
    fresh = ann.post(TICKETS, body, format="json", HTTP_ADMISSION=admission,
                     HTTP_IDEMPOTENCY_KEY="rush-2")
    assert (fresh.status_code, fresh.json()["code"]) == (403, "admission_expired")
    assert Order.objects.count() == 1
