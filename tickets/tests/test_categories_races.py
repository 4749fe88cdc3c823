"""Price categories under real parallel connections on PostgreSQL (issue 21): no category
past its quota, the performance never past its capacity, seats sold = tickets of confirmed
orders + seats held, with holds lapsing and orders cancelled in the same window."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from shows.models import PriceCategory
from tickets import errors, holds, services
from tickets.services import LineRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUOTAS = [{"name": name, "price_cents": 0, "quota": 4, "sort_order": i}
          for i, name in enumerate(["Full price", "Reduced", "Under 12"])]


def mixed_lines(categories, rng):
    """One to three lines of 1-3 seats each, over the three categories."""
    chosen = rng.sample(categories, rng.randint(1, 3))
    return [LineRequest(category_id=c.pk, quantity=rng.randint(1, 3)) for c in chosen]


def buyer(user, performance_id, lines):
    def call():
        try:
            services.order_reserve(user=user, performance_id=performance_id, lines=lines)
            return "sold"
        except (errors.SoldOut, errors.CategorySoldOut) as exc:
            return exc.code
    return call


def test_forty_buyers_three_quotas_of_four_inside_ten_seats(make_performance, make_user,
                                                            in_parallel, assert_seats_exact):
    assert connection.vendor == "postgresql"
    rng = random.Random(21)
    users = [make_user() for _ in range(40)]
    for _ in range(5):
        performance = make_performance(capacity=10, categories=QUOTAS)
        categories = list(PriceCategory.objects.filter(performance=performance))
        results = in_parallel([buyer(u, performance.pk, mixed_lines(categories, rng))
                               for u in users])
        counts = Counter(results)
        assert counts["sold"] >= 1 and set(counts) <= {"sold", "sold_out",
                                                       "category_sold_out"}
        assert_seats_exact(performance)
        assert all(c.seats_sold <= 4 for c in PriceCategory.objects.filter(
            performance=performance))


def test_holds_lapsing_and_cancels_in_the_same_window(make_performance, make_user,
                                                      in_parallel, assert_seats_exact,
                                                      monkeypatch):
    from payments import services as payments

    monkeypatch.setattr(payments, "payment_start", lambda **kwargs: None)
    monkeypatch.setattr(payments, "payment_cancel_intent", lambda **kwargs: None)
    rng = random.Random(2112)
    performance = make_performance(capacity=10, categories=[
        {**q, "price_cents": 1000 + i} for i, q in enumerate(QUOTAS)])
    categories = list(PriceCategory.objects.filter(performance=performance))
    # Before the window: four lapsed holds and three confirmed orders (paid at the box office).
    past = timezone.now() - dt.timedelta(hours=1)
    lapsed = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                     lines=[LineRequest(c.pk, 1)], now=past).pk
              for c in categories + categories[:1]]
    sold = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   lines=[LineRequest(c.pk, 1)], paid_at_box_office=True).pk
            for c in categories[1:] + categories[:1]]
    calls = [buyer(make_user(), performance.pk, mixed_lines(categories, rng))
             for _ in range(30)]
    calls += [lambda order_id=o: holds.order_expire(order_id=order_id) for o in lapsed]
    calls += [lambda order_id=o: services.order_cancel(order_id=order_id) for o in sold]
    in_parallel(calls)
    assert_seats_exact(performance)
    assert all(c.seats_sold <= 4 for c in PriceCategory.objects.filter(
        performance=performance))
