import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from shows.models import Performance, PerformanceStatus

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_database_rejects_overselling(make_performance):
    performance = make_performance(capacity=10)
    with pytest.raises(IntegrityError, match="performance_not_oversold"), transaction.atomic():
        Performance.objects.filter(pk=performance.pk).update(seats_sold=F("capacity") + 1)


@pytest.mark.postgres
def test_database_rejects_negative_seat_count(make_performance):
    performance = make_performance(capacity=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Performance.objects.filter(pk=performance.pk).update(seats_sold=-1)


@pytest.mark.postgres
def test_database_rejects_capacity_below_seats_sold(make_performance):
    performance = make_performance(capacity=10)
    Performance.objects.filter(pk=performance.pk).update(seats_sold=8)
    with pytest.raises(IntegrityError, match="performance_not_oversold"), transaction.atomic():
        Performance.objects.filter(pk=performance.pk).update(capacity=7)


def test_saving_an_edit_never_writes_back_a_stale_seat_count(make_performance):
    stale = make_performance(capacity=10)
    Performance.objects.filter(pk=stale.pk).update(seats_sold=4)  # a sale since the read
    stale.capacity = 20
    stale.save()
    fresh = Performance.objects.get(pk=stale.pk)
    assert (fresh.capacity, fresh.seats_sold) == (20, 4)


def test_status(make_performance, make_show, now):
    performance = make_performance(capacity=2)
    assert performance.status(now) == PerformanceStatus.ON_SALE
    performance.seats_sold = 2
    assert performance.status(now) == PerformanceStatus.SOLD_OUT
    assert performance.status(performance.starts_at + dt.timedelta(seconds=1)) \
        == PerformanceStatus.SALES_CLOSED
    performance.cancelled = True
    assert performance.status(now) == PerformanceStatus.CANCELLED
    hidden = make_performance(show=make_show(published=False))
    assert hidden.status(now) == PerformanceStatus.SALES_CLOSED
