"""Throttles: all of a request's throttles in one Redis round trip (or one conditional
transaction in the state table, without a cache), exact under concurrency.

The views here mirror the project's (an anonymous read; a signed-in view that adds the
reservation throttle to POST, as tickets.views.OrderListApi does); the clock is injected.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from project.throttling import (
    AnonRateThrottle,
    ReservationRateThrottle,
    UserRateThrottle,
    WindowRateThrottle,
)

factory = APIRequestFactory()


class AtomicTransactions:
    """DynamoDB applies a transaction's conditions and writes atomically; moto checks and
    writes without a lock, so two threads can both pass a condition. This gives moto that
    one guarantee (reads still race the writes, as on DynamoDB), nothing more."""

    def __init__(self, client) -> None:
        self._client, self._lock = client, threading.Lock()

    def transact_write_items(self, **kwargs):
        with self._lock:
            return self._client.transact_write_items(**kwargs)

    def __getattr__(self, name):
        return getattr(self._client, name)


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis), "table"])
def shared_cache(request, settings, monkeypatch):
    """Each store the throttles can use: local memory, Redis, and the state table
    (DynamoDB on moto: profile small, no cache deployed)."""
    if request.param != "table":
        return request.getfixturevalue(f"{request.param}_cache")
    import boto3
    from moto import mock_aws

    from project import pending_work

    request.getfixturevalue("locmem_cache")  # the pages a read fetches with its throttles
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    mock = mock_aws()
    mock.start()
    request.addfinalizer(mock.stop)
    client = boto3.client("dynamodb", region_name="eu-west-3")
    client.create_table(
        TableName="state", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    pending_work.use(pending_work.StateTable("state", AtomicTransactions(client)))
    request.addfinalizer(lambda: pending_work.use(None))
    settings.THROTTLE_STORE = "state-table"
    return "table"


class ReadApi(APIView):
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({"ok": True})


class OrdersApi(APIView):
    throttle_classes = [UserRateThrottle]

    def get_throttles(self):
        if self.request.method == "POST":
            return [ReservationRateThrottle(), *super().get_throttles()]
        return super().get_throttles()

    def get(self, request):
        return Response([])

    def post(self, request):
        return Response({}, status=201)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(1_000_000.0)
    monkeypatch.setattr(WindowRateThrottle, "timer", clock)
    return clock


def read(ip: str = "192.0.2.1"):
    return ReadApi.as_view()(factory.get("/", REMOTE_ADDR=ip))


def orders(method: str, user_id: int = 7):
    request = getattr(factory, method)("/")
    force_authenticate(request, user=User(pk=user_id, username=f"u{user_id}"))
    return OrdersApi.as_view()(request)


def statuses(responses) -> list[int]:
    return [r.status_code for r in responses]


# ---------------------------------------------------------------- the window
def test_refuses_over_the_limit_with_the_exact_retry_after(shared_cache, clock, rates):
    rates(anon="3/min")
    for offset in (0, 10, 20):
        clock.now = 1_000_000 + offset
        assert read().status_code == 200
    clock.now = 1_000_030
    refused = read()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"  # when the first of the three leaves the window
    assert refused.data["code"] == "throttled" and refused.data["retry_after"] == 30
    assert read(ip="192.0.2.2").status_code == 200  # per client address


def test_the_window_slides(shared_cache, clock, rates):
    rates(anon="3/min")
    for offset in (0, 10, 20):
        clock.now = 1_000_000 + offset
        read()
    clock.now = 1_000_060.5  # the request at 0 has left the window, those at 10 and 20 not
    assert read().status_code == 200
    clock.now = 1_000_061
    refused = read()
    assert refused.status_code == 429 and refused["Retry-After"] == "9"  # 10 + 60 - 61


def test_a_request_is_admitted_by_all_throttles_or_recorded_by_none(shared_cache, clock,
                                                                     rates):
    rates(user="3/min", reservations="2/min")
    assert statuses([orders("post"), orders("post"), orders("post")]) == [201, 201, 429]
    # The refused POST did not use the user's allowance: two of three are used.
    assert statuses([orders("get"), orders("get")]) == [200, 429]
    assert orders("post", user_id=8).status_code == 201  # per user


def test_rates_are_read_when_used(shared_cache, clock, rates):
    rates(anon="1/min")
    assert statuses([read(), read()]) == [200, 429]
    rates(anon="3/min")  # the one admitted request counts, the refused one does not
    assert statuses([read(), read(), read()]) == [200, 200, 429]


def test_no_rate_no_throttle(shared_cache, clock, rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    assert statuses(read() for _ in range(5)) == [200] * 5


def test_the_dummy_cache_of_the_tests_never_throttles(clock, rates):
    rates(anon="1/min")
    assert statuses(read() for _ in range(5)) == [200] * 5


def test_redis_down_admits_the_request_and_says_so(settings, clock, rates, caplog):
    """Fail open, as project.cache does: no invariant rests on a throttle (the database
    never oversells), and a cache outage must not take the box office down with it."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    rates(anon="1/min", user="1/min", reservations="1/min")
    with caplog.at_level(logging.WARNING, logger="project.throttling"):
        assert statuses([read(), read(), orders("post"), orders("post")]) == [
            200, 200, 201, 201]
    assert "throttles unavailable, request admitted" in caplog.text
    assert cache.get("anything") is None


# ---------------------------------------------------------------- Redis round trips
def throttle_trips(sent: list[bytes]) -> list[bytes]:
    return [command for command in sent if b"throttle:" in command]


@pytest.mark.redis
def test_the_kept_connection_recovers_from_a_drop_and_from_a_snapshot(redis_cache, clock,
                                                                       rates, caplog):
    """project.cache keeps one connection per thread for the script: a connection the
    server dropped costs one admitted request (logged), and the SnapStart hook closes it."""
    import redis

    from project import snapstart

    rates(anon="3/min")
    log = redis_cache.make_key("throttle:anon:192.0.2.1")
    assert read().status_code == 200
    pool, kept = redis_cache._cache._pinned.connection
    host, port = kept._sock.getsockname()[:2]
    redis.Redis(connection_pool=pool).client_kill(f"{host}:{port}")
    with caplog.at_level(logging.WARNING, logger="project.throttling"):
        assert read().status_code == 200  # the dead socket: admitted, not recorded
    assert "throttles unavailable, request admitted" in caplog.text
    assert read().status_code == 200  # reconnected, recorded
    server = redis.Redis.from_url(redis_cache._cache._servers[0])
    assert server.zcard(log) == 2
    snapstart.before_snapshot()
    assert kept._sock is None  # closed with the pool
    assert read().status_code == 200
    assert statuses([read()]) == [429]  # the 3rd request of the window was recorded
    assert server.zcard(log) == 3


@pytest.mark.redis
def test_all_throttles_of_a_request_in_one_round_trip(redis_commands, clock, rates):
    """Before: DRF's get and set per throttle, 2 round trips for a read, 4 for a POST."""
    rates(anon="100/min", user="100/min", reservations="100/min")
    read()  # the connection's set-up (CLIENT SETINFO) is not the request's
    for request, scopes in ((read, [b"throttle:anon:"]),
                            (lambda: orders("post"), [b"throttle:reservations:",
                                                      b"throttle:user:"]),
                            (lambda: orders("get"), [b"throttle:user:"])):
        redis_commands.clear()
        assert request().status_code in (200, 201)
        assert len(redis_commands) == 1, redis_commands
        assert redis_commands[0].count(b"throttle:") == len(scopes)
        assert all(scope in redis_commands[0] for scope in scopes)


@pytest.mark.redis
def test_a_flushed_script_cache_costs_one_more_round_trip_once(redis_commands, clock,
                                                                rates):
    from django.core.cache import cache

    rates(anon="100/min")
    read()
    cache._cache.get_client(write=True).script_flush()
    redis_commands.clear()
    read()  # EVALSHA answers NOSCRIPT, then EVAL sends the script
    assert [c.split(b"\r\n")[2] for c in redis_commands] == [b"EVALSHA", b"EVAL"]
    redis_commands.clear()
    read()
    assert [c.split(b"\r\n")[2] for c in redis_commands] == [b"EVALSHA"]


@pytest.mark.redis
@pytest.mark.django_db
def test_the_ticket_api_checks_its_throttles_in_one_round_trip(redis_commands, rates, api,
                                                               bearer, make_performance):
    """Through the real URLconf and views (tickets.views.OrderListApi adds the reservation
    throttle to POST). An invalid quantity: the throttles run, the reservation does not."""
    rates(user="100/min", reservations="100/min")
    headers = bearer("ann@example.com")
    performance = make_performance()
    body = {"performance": performance.pk, "quantity": 0}
    api.post("/api/v1/tickets/", body, format="json", **headers)  # creates the customer
    redis_commands.clear()
    assert api.post("/api/v1/tickets/", body, format="json", **headers).status_code == 422
    trips = throttle_trips(redis_commands)
    assert len(trips) == 1 and b"throttle:reservations:" in trips[0] \
        and b"throttle:user:" in trips[0]

    redis_commands.clear()
    assert api.get("/api/v1/shows/").status_code == 200
    trips = throttle_trips(redis_commands)
    assert len(trips) == 1 and b"throttle:anon:" in trips[0]


# ---------------------------------------------------------------- exact under concurrency
def in_parallel(n: int, call) -> list[int]:
    """`n` threads, released together, each with its own cache client and connection."""
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait()
        return call().status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize(("n", "limit"), [(24, 7), (16, 1)])
def test_parallel_requests_let_exactly_the_limit_through(shared_cache, rates, n, limit):
    rates(anon=f"{limit}/min")
    for round_ in range(3):
        ip = f"198.51.100.{round_}"
        got = in_parallel(n, lambda ip=ip: read(ip))
        assert sorted(got) == [200] * limit + [429] * (n - limit), got


def test_parallel_reservations_let_exactly_the_limit_through(shared_cache, rates):
    rates(user="100/min", reservations="5/min")
    got = in_parallel(16, lambda: orders("post"))
    assert sorted(got) == [201] * 5 + [429] * 11, got
    # The 11 refused were recorded nowhere: the user window holds 5 requests.
    rates(user="6/min")
    assert statuses([orders("get"), orders("get")]) == [200, 429]


def test_a_throttle_called_without_a_view_decides_on_its_own(locmem_cache, rates):
    rates(anon="1/min")
    verdicts = [AnonRateThrottle().allow_request(Request(factory.get("/")), None)
                for _ in range(2)]
    assert verdicts == [True, False]
