import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shows.models import Performance, Show
from tickets import services

pytestmark = pytest.mark.django_db

LIST = "/api/v1/shows/"


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_list_fields_and_visibility(api, make_performance, make_show, now):
    first = make_performance(starts_at=now + dt.timedelta(days=1), price_cents=1500)
    make_performance(show=first.show, starts_at=now + dt.timedelta(days=2), price_cents=900,
                     currency="EUR")
    make_performance(show=make_show(published=False))                  # unpublished
    make_performance(starts_at=now - dt.timedelta(days=1))             # only past
    make_performance(cancelled=True)                                   # only cancelled
    body = api.get(LIST).json()
    assert body["count"] == 1 and body["previous"] is None
    [item] = body["results"]
    assert item == {
        "slug": first.show.slug, "title": first.show.title, "summary": first.show.summary,
        "poster_url": None, "next_performance_at": item["next_performance_at"],
        "price_from_cents": 900, "currency": "EUR",
    }
    assert dt.datetime.fromisoformat(item["next_performance_at"]) == first.starts_at


def test_list_search_and_date_window(api, make_performance, make_show, now):
    tempest = make_performance(show=make_show(title="The Tempest"),
                               starts_at=now + dt.timedelta(days=3))
    make_performance(show=make_show(title="Jazz Night"), starts_at=now + dt.timedelta(days=10))
    assert [s["slug"] for s in api.get(LIST, {"q": "tempest"}).json()["results"]] == [
        tempest.show.slug]
    day = (now + dt.timedelta(days=3)).date().isoformat()
    window = api.get(LIST, {"from": day, "to": day}).json()["results"]
    assert [s["slug"] for s in window] == [tempest.show.slug]
    assert api.get(LIST, {"q": "é★ü"}).json()["count"] == 0
    assert api.get(LIST, {"from": "2027-01-02", "to": "2027-01-01"}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"from": "yesterday"}, {"to": "2026-13-40"},
                                    {"from": "2027-01-02T10:00:00"}, {"q": ""}, {"to": ""},
                                    {"q": "x" * 101}])
def test_list_invalid_filters_are_problems(api, params):
    response = api.get(LIST, params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid" and response.json()["errors"]


def test_page_size_is_capped(api, make_performance, make_show):
    venue_show = make_show()
    performance = make_performance(show=venue_show)
    shows = Show.objects.bulk_create(
        Show(slug=f"bulk-{i}", title=f"Bulk {i}", duration_minutes=60, published=True)
        for i in range(104))
    Performance.objects.bulk_create(
        Performance(show=s, venue=performance.venue, capacity=10, price_cents=100,
                    starts_at=performance.starts_at + dt.timedelta(minutes=i + 1))
        for i, s in enumerate(shows))
    body = api.get(LIST, {"page_size": 1000}).json()
    assert body["count"] == 105 and len(body["results"]) == 100 and body["next"]
    assert api.get(LIST, {"page": 99}).json()["code"] == "not_found"


def test_query_count_does_not_grow_with_shows(api, make_performance):
    def make(n):
        for _ in range(n):
            make_performance()
        return queries(lambda: api.get(LIST, {"page_size": 100}))

    assert make(5) == make(45)  # 5 shows, then 50


def test_detail_query_count_does_not_grow_with_performances(api, make_performance, make_show):
    show = make_show()
    for _ in range(5):
        make_performance(show=show)
    five = queries(lambda: api.get(f"{LIST}{show.slug}/"))
    for _ in range(45):
        make_performance(show=show)
    assert queries(lambda: api.get(f"{LIST}{show.slug}/")) == five


def test_show_detail(api, make_performance, make_show, make_user, now):
    show = make_show()
    on_sale = make_performance(show=show, capacity=5)
    sold_out = make_performance(show=show, capacity=2)
    cancelled = make_performance(show=show, cancelled=True)
    make_performance(show=show, starts_at=now - dt.timedelta(hours=1))  # started: not listed
    services.order_reserve(user=make_user(), performance_id=sold_out.pk, quantity=2)
    body = api.get(f"{LIST}{show.slug}/").json()
    assert set(body) == {"slug", "title", "summary", "description", "poster_url",
                         "duration_minutes", "performances"}
    statuses = {p["id"]: (p["status"], p["seats_left"]) for p in body["performances"]}
    assert statuses == {on_sale.pk: ("on_sale", 5), sold_out.pk: ("sold_out", 0),
                        cancelled.pk: ("cancelled", 100)}
    first = body["performances"][0]
    assert first["venue"] == {"name": "Main Hall", "city": "Lyon"}
    assert set(first) == {"id", "starts_at", "venue", "capacity", "seats_left", "price_cents",
                          "on_sale_at", "sales_end_at", "categories", "refund_policy",
                          "currency", "status"}


def test_show_detail_unknown_or_unpublished_is_404(api, make_show):
    hidden = make_show(published=False)
    for slug in ("nope", hidden.slug):
        response = api.get(f"{LIST}{slug}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_performance_detail(api, make_performance, now):
    performance = make_performance(starts_at=now - dt.timedelta(minutes=5))
    body = api.get(f"/api/v1/performances/{performance.pk}/").json()
    assert body["show"] == {"slug": performance.show.slug, "title": performance.show.title}
    assert body["status"] == "sales_closed"
    assert api.get("/api/v1/performances/999999/").status_code == 404


def test_cached_list_is_served_without_sql(api, make_performance, locmem_cache):
    make_performance()
    assert queries(lambda: api.get(LIST)) > 0
    assert queries(lambda: api.get(LIST)) == 0
    show = Show.objects.first()
    queries(lambda: api.get(f"{LIST}{show.slug}/"))
    assert queries(lambda: api.get(f"{LIST}{show.slug}/")) == 0


@pytest.mark.redis
def test_cached_list_is_served_from_redis_without_sql(api, make_performance, redis_cache):
    make_performance()
    first = api.get(LIST).json()
    assert queries(lambda: api.get(LIST)) == 0
    assert api.get(LIST).json() == first


def test_admin_edit_is_visible_on_next_read(api, staff_client, make_performance, locmem_cache,
                                            django_capture_on_commit_callbacks):
    performance = make_performance()
    show = performance.show
    api.get(LIST)
    api.get(f"{LIST}{show.slug}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:shows_show_change", args=[show.pk]), {
            "slug": show.slug, "title": "Renamed", "summary": "", "description": "",
            "duration_minutes": 90, "published": "on",
            "performances-TOTAL_FORMS": 0, "performances-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.content[:2000]
    assert api.get(LIST).json()["results"][0]["title"] == "Renamed"
    assert api.get(f"{LIST}{show.slug}/").json()["title"] == "Renamed"


def test_a_reservation_leaves_cached_seat_counts_to_their_ttl(
        api, make_performance, make_user, locmem_cache, django_capture_on_commit_callbacks,
        monkeypatch):
    """With the edge in front (DEPLOY.md, "Public pages at the edge") a reservation no longer
    empties the pages everyone reads: counts refresh within DETAIL_TTL; the reservation
    statement, not the page, decides what is sold."""
    import types

    from django.core.cache.backends import base, locmem

    from shows.cache import DETAIL_TTL

    clock = types.SimpleNamespace(time=lambda: clock.now, now=1_000_000.0)
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(base, "time", clock)
    performance = make_performance(capacity=10)
    detail = f"{LIST}{performance.show.slug}/"
    single = f"/api/v1/performances/{performance.pk}/"
    assert api.get(detail).json()["performances"][0]["seats_left"] == 10
    assert api.get(single).json()["seats_left"] == 10
    with django_capture_on_commit_callbacks(execute=True):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=3)
    assert api.get(detail).json()["performances"][0]["seats_left"] == 10  # still cached
    clock.now += DETAIL_TTL + 1
    assert api.get(detail).json()["performances"][0]["seats_left"] == 7
    assert api.get(single).json()["seats_left"] == 7


def test_redis_down_still_answers_from_the_database(api, make_performance, settings):
    make_performance()
    settings.CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",  # closed port
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    for url in (LIST, f"{LIST}{Show.objects.get().slug}/"):
        response = api.get(url)
        assert response.status_code == 200
    health = api.get("/api/v1/health/")
    assert health.status_code == 200 and health.json()["cache"] == "unavailable"


def test_cached_list_pages_are_per_host(api, make_performance, locmem_cache):
    make_performance(), make_performance()
    first = api.get(LIST, {"page_size": 1}, HTTP_HOST="localhost").json()
    other = api.get(LIST, {"page_size": 1}, HTTP_HOST="127.0.0.1").json()
    assert first["next"].startswith("http://localhost/")
    assert other["next"].startswith("http://127.0.0.1/")
