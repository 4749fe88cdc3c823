"""Split seat counters (issue 20; shows/counters.py) as staff and the public see them: K set
in the performance's admin form, the capacity and K re-split under a lock, and every reader
of the seats sold or left gets the exact sum of the rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shows.models import Performance, PerformanceCounter
from tickets import services

pytestmark = pytest.mark.django_db


def _form(performance, **changes):
    category = performance.categories.get()
    data = {"show": performance.show_id, "venue": performance.venue_id,
            "starts_at_0": performance.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": performance.starts_at.strftime("%H:%M:%S"),
            "capacity": performance.capacity, "currency": performance.currency,
            "waitlist_enabled": "on", "counter_rows": performance.counter_rows,
            "categories-TOTAL_FORMS": 1, "categories-INITIAL_FORMS": 1,
            "categories-0-id": category.pk, "categories-0-performance": performance.pk,
            "categories-0-name": category.name, "categories-0-sort_order": 0,
            "categories-0-price_cents": category.price_cents}
    return {**data, **changes}


def _rows(performance):
    return list(PerformanceCounter.objects.filter(performance=performance).order_by("slot")
                .values_list("capacity", "sold"))


def test_staff_split_the_count_in_the_admin_and_it_stays_exact(staff_client, make_performance,
                                                               make_user):
    performance = make_performance(capacity=10)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=6)
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    page = staff_client.get(url)
    assert b'name="counter_rows"' in page.content and b"16 is plenty" in page.content
    response = staff_client.post(url, _form(performance, counter_rows=4))
    assert response.status_code == 302
    performance.refresh_from_db()
    assert (performance.counter_rows, performance.seats_sold) == (4, 0)
    assert _rows(performance) == [(3, 2), (3, 2), (2, 1), (2, 1)]
    assert performance.seats_sold_exact == 6
    # Below what is sold: refused, nothing changed; above: the rows share the new capacity.
    response = staff_client.post(url, _form(performance, capacity=5))
    assert response.status_code == 200 and b"6 seats are already sold" in response.content
    assert _rows(performance) == [(3, 2), (3, 2), (2, 1), (2, 1)]
    assert staff_client.post(url, _form(performance, capacity=14)).status_code == 302
    assert _rows(performance) == [(4, 2), (4, 2), (3, 1), (3, 1)]
    # Back to one row: the performance row counts them again.
    assert staff_client.post(url, _form(performance, capacity=14, counter_rows=1)) \
        .status_code == 302
    performance.refresh_from_db()
    assert (performance.counter_rows, performance.seats_sold, _rows(performance)) == (1, 6, [])


def test_k_out_of_range_or_on_a_seated_performance_is_refused(staff_client, make_performance,
                                                             make_seated):
    performance = make_performance(capacity=10)
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    for bad in (0, 65):
        assert staff_client.post(url, _form(performance, counter_rows=bad)).status_code == 200
    assert Performance.objects.get(pk=performance.pk).counter_rows == 1
    seated = make_seated("A: a a a a\nB: a a a a")
    url = reverse("admin:shows_performance_change", args=[seated.pk])
    response = staff_client.get(url)
    assert response.status_code == 200
    data = _form(seated, counter_rows=4)
    data.pop("capacity")  # read-only for a seated performance
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert b"keeps its seat count in one row" in response.content
    assert Performance.objects.get(pk=seated.pk).counter_rows == 1


def test_readers_see_the_exact_sum(staff_client, api, make_performance, make_user):
    performance = make_performance(capacity=50, price_cents=1000, counter_rows=4)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=4,
                           paid_at_box_office=True)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=3,
                           paid_at_box_office=True)
    assert Performance.objects.get(pk=performance.pk).seats_sold == 0  # the rows count
    body = api.get(f"/api/v1/performances/{performance.pk}/").json()
    assert body["seats_left"] == 43
    show = api.get(f"/api/v1/shows/{performance.show.slug}/").json()
    assert [p["seats_left"] for p in show["performances"]] == [43]
    overview = staff_client.get(reverse("admin:shows_performance_sales")).content.decode()
    assert "14%" in overview  # 7 of 50
    changelist = staff_client.get(reverse("admin:shows_performance_changelist"))
    assert b'<td class="field-seats_sold_exact">7</td>' in changelist.content
    assert b'<td class="field-seats_left">43</td>' in changelist.content
    # The sales dashboard (staff/): the index and the performance's page, free = 43.
    index = staff_client.get(reverse("admin:staff_salesdashboard_changelist")).content.decode()
    row = re.search(rf'<tr data-performance="{performance.pk}">(.*?)</tr>', index, re.S)
    assert 'data-figure="free">43<' in row.group(1)
    page = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[performance.pk])).content.decode()
    assert 'data-figure="free">43<' in page
