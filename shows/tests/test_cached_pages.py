"""The cached public pages (shows.views.CachedPageApi): a hit is one Redis round trip and no
SQL, answered before DRF with the bytes and headers DRF would answer; everything else goes
through DRF, and every request is counted once by the throttle."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.views import APIView

from shows import cache

pytestmark = pytest.mark.django_db

LIST = "/api/v1/shows/"
# A quality value: the fast path leaves it to DRF's content negotiation, which accepts it.
TO_DRF = {"HTTP_ACCEPT": "application/json; q=1.0"}


@pytest.fixture
def pages(make_performance) -> list[str]:
    performance = make_performance()
    make_performance()
    return [LIST, f"{LIST}?page_size=1", f"{LIST}{performance.show.slug}/",
            f"/api/v1/performances/{performance.pk}/"]


@pytest.fixture
def drf_runs(monkeypatch) -> list[str]:
    """The paths of the requests DRF handled (its `initial()` ran)."""
    runs: list[str] = []
    initial = APIView.initial

    def recording(self, request, *args, **kwargs):
        runs.append(request.get_full_path())
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", recording)
    return runs


def test_a_cached_page_is_answered_before_drf_with_drfs_own_answer(api, pages, shared_cache,
                                                                    drf_runs):
    for page in pages:
        computed = api.get(page)  # a miss: DRF computes and stores the page
        with CaptureQueriesContext(connection) as sql:
            fast = api.get(page)
        by_drf = api.get(page, **TO_DRF)
        assert drf_runs == [page, page]  # the miss and the quality value, not the hit
        drf_runs.clear()
        assert len(sql) == 0
        assert fast.status_code == by_drf.status_code == computed.status_code == 200
        assert fast.content == by_drf.content == computed.content
        assert dict(fast.headers) == dict(by_drf.headers) == dict(computed.headers)
        assert fast["Content-Type"] == "application/json"


@pytest.mark.redis
def test_a_hit_is_one_round_trip_and_a_miss_two(api, pages, redis_commands, rates):
    rates(anon="100/min")
    api.get("/api/v1/performances/0/")  # a first page: the cache's generation now exists
    for page in pages:
        redis_commands.clear()
        api.get(page)  # a miss: the script's read serves DRF's way too, then the page's SET
        assert [c.split(b"\r\n")[2] for c in redis_commands] == [b"EVALSHA", b"SET"]
        redis_commands.clear()
        assert api.get(page).status_code == 200
        assert len(redis_commands) == 1, redis_commands
        assert b"EVALSHA" in redis_commands[0]
        for part in (b"throttle:anon:", b"shows:generation", b"shows:json:"):
            assert part in redis_commands[0]


def test_every_request_is_counted_once_hit_or_miss(api, pages, shared_cache, rates):
    rates(anon="3/min")
    assert api.get(LIST).status_code == 200  # a miss: decided before DRF, handed on to it
    assert api.get(LIST).status_code == 200  # a hit
    assert api.get(LIST, **TO_DRF).status_code == 200  # through DRF
    refused = api.get(LIST)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert api.get(LIST, REMOTE_ADDR="192.0.2.9").status_code == 200  # per client address


def test_a_page_of_an_older_generation_is_not_served(api, make_performance, shared_cache,
                                                     django_capture_on_commit_callbacks):
    show = make_performance().show
    assert api.get(LIST).json()["results"][0]["title"] == show.title
    show.title = "Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        show.save()  # shows.signals: invalidate_all after commit
    assert api.get(LIST).json()["results"][0]["title"] == "Renamed"


def test_a_cached_not_found_is_still_a_problem(api, shared_cache):
    for _ in range(2):  # computed, then read from the cache
        response = api.get(f"{LIST}no-such-show/")
        assert response.status_code == 404
        assert response.json()["detail"] == "No such show."
    assert shared_cache.get(cache.show_key("no-such-show"))[1] is None


@pytest.mark.parametrize(("headers", "status"), [
    ({"HTTP_ACCEPT": "text/html"}, 406),
    ({"HTTP_ACCEPT": "application/json, text/plain"}, 200),
    ({"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}, 200),
    ({}, 200),
])
def test_content_negotiation_is_drfs(api, pages, shared_cache, headers, status):
    api.get(LIST)
    assert api.get(LIST, **headers).status_code == status
    assert api.get(f"{LIST}?format=json").status_code == 200


@pytest.mark.redis
def test_parallel_hits_let_exactly_the_limit_through(pages, redis_cache, rates, in_parallel,
                                                     drf_runs):
    """24 clients from one address, released at once on a cached page, against 7/min: the
    fast path's one script decides each atomically."""
    from django.test import Client

    rates(anon="7/min")
    assert Client().get(LIST, REMOTE_ADDR="192.0.2.200").status_code == 200  # cached now
    for round_ in range(3):
        address = f"198.51.100.{round_}"
        got = in_parallel([lambda a=address: Client().get(LIST, REMOTE_ADDR=a).status_code] * 24)
        assert sorted(got) == [200] * 7 + [429] * 17, got
    assert drf_runs.count(LIST) == 1 + 3 * 17  # the miss, then only the refusals
