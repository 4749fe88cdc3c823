"""Shared fixtures. Tests that need a real service carry a marker; outside CI they skip
with a reason when the service is missing, in CI the settings refuse to load instead."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

_counter = itertools.count()


def pytest_collection_modifyitems(config, items):
    missing = {
        "postgres": not settings.POSTGRES_AVAILABLE,
        "redis": not settings.REDIS_AVAILABLE,
        # CI never skips: there a missing Chromium must fail the browser test.
        "browser": not Path("/usr/bin/chromium").exists() and not settings.CI,
    }
    for item in items:
        for marker, is_missing in missing.items():
            if is_missing and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(
                    reason=f"{marker} is not running on 127.0.0.1 (CI=true makes this fail)"))


@pytest.fixture(autouse=True)
def _forget_remembered_users():
    """Process-wide caches keyed by users (known customers, their Stripe ids) must not
    outlive a test's database."""
    from payments.services import forget_customers as forget_stripe_customers
    from project.auth import forget_customers

    forget_customers()
    forget_stripe_customers()
    yield
    forget_customers()
    forget_stripe_customers()


@pytest.fixture
def in_parallel():
    """`in_parallel([call, …])`: every call in its own thread and database connection, all
    released at once by a barrier; their results, in order (the concurrency tests)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run_all(calls):
        barrier = threading.Barrier(len(calls))

        def run(call):
            try:
                barrier.wait(timeout=30)
                return call()
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, calls))
    return run_all


@pytest.fixture
def assert_seats_exact():
    """`assert_seats_exact(performance)`: never oversold, and its seat count is exactly the
    tickets of its confirmed orders plus the seats of its held ones, as are the holdings."""
    from django.db.models import Sum

    from tickets.models import Order, OrderLine, SeatHolding, Ticket

    def check(performance) -> None:
        from shows.models import PerformanceCounter

        performance.refresh_from_db()
        performance.__dict__.pop("counted_sold", None)
        # Split seat counters (shows/counters.py): K rows sharing the capacity, each within
        # its share; the performance row counts nothing then.
        rows = list(PerformanceCounter.objects.filter(performance=performance))
        if performance.counter_rows > 1:
            assert len(rows) == performance.counter_rows
            assert sum(row.capacity for row in rows) == performance.capacity
            assert all(0 <= row.sold <= row.capacity for row in rows)
            assert performance.seats_sold == 0
        else:
            assert not rows
        sold = performance.seats_sold_exact
        assert sold == performance.seats_sold + sum(row.sold for row in rows)
        assert sold <= performance.capacity
        issued = Ticket.objects.filter(order__performance=performance,
                                       order__status="confirmed").count()
        held = Order.objects.filter(performance=performance, status="pending").aggregate(
            n=Sum("quantity"))["n"] or 0
        assert sold == issued + held
        holdings = SeatHolding.objects.filter(performance=performance).aggregate(
            n=Sum("seats"))["n"] or 0
        assert holdings == sold
        # Each price category the same way, within its quota; together, the performance.
        for category in performance.categories.all():
            issued = Ticket.objects.filter(category=category,
                                           order__status="confirmed").count()
            held = OrderLine.objects.filter(category=category,
                                            order__status="pending").aggregate(
                n=Sum("quantity"))["n"] or 0
            assert category.seats_sold == issued + held, category.name
            assert category.quota is None or category.seats_sold <= category.quota
        assert sum(c.seats_sold for c in performance.categories.all()) \
            == sold
    return check


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


@pytest.fixture
def make_user(django_user_model):
    def make(**fields):
        n = next(_counter)
        fields.setdefault("username", f"user-{n}")
        fields.setdefault("email", f"user{n}@example.com")
        return django_user_model.objects.create_user(**fields)
    return make


@pytest.fixture
def make_show():
    from shows.models import Show

    def make(**fields):
        n = next(_counter)
        fields.setdefault("slug", f"show-{n}")
        fields.setdefault("title", f"Show {n}")
        fields.setdefault("summary", "A show.")
        fields.setdefault("duration_minutes", 90)
        fields.setdefault("published", True)
        return Show.objects.create(**fields)
    return make


@pytest.fixture
def make_performance(make_show):
    from shows.models import Performance, Venue
    from shows.services import category_add

    def make(**fields):
        n = next(_counter)
        if "show" not in fields:
            fields["show"] = make_show()
        if "venue" not in fields:
            fields["venue"], _ = Venue.objects.get_or_create(name="Main Hall",
                                                             defaults={"city": "Lyon"})
        fields.setdefault("starts_at", timezone.now() + dt.timedelta(days=7, minutes=n))
        fields.setdefault("capacity", 100)
        # Free by default: a paid performance's reservation is a hold that needs Stripe
        # (the stripe_local fixture); tests of the checkout set a price. It becomes the
        # performance's one category, "Full price"; `categories` (name, price_cents,
        # other fields…) gives it several instead.
        price_cents = fields.pop("price_cents", 0)
        categories = fields.pop("categories", None) or [{"name": "Full price",
                                                         "price_cents": price_cents}]
        performance = Performance.objects.create(**fields)
        for category in categories:
            category_add(performance=performance, **category)
        return performance
    return make


@pytest.fixture
def make_seated(make_performance):
    """`make_seated(grid, zones={"a": ("Stalls", 2500)}, **performance fields)`: a
    performance seated on a layout drawn from a text grid (seating.layouts), each zone
    sold in its own category (default: "Zone <letter>", free)."""
    from seating.layouts import parse_grid
    from seating.services import layout_create, performance_seat

    def make(grid, zones=None, **fields):
        specs = parse_grid(grid)
        zones = zones or {z: (f"Zone {z}", 0) for z in sorted({s.zone for s in specs})}
        performance = make_performance(
            categories=[{"name": name, "price_cents": price} for name, price in zones.values()],
            **fields)
        layout = layout_create(venue=performance.venue, name=f"Layout {next(_counter)}",
                               seats=specs)
        categories = {c.name: c for c in performance.categories.all()}
        performance_seat(performance=performance, layout=layout,
                         zones={z: categories[name] for z, (name, _) in zones.items()})
        performance.refresh_from_db()
        performance.layout = layout
        return performance
    return make


@pytest.fixture
def staff_client(client, django_user_model):
    """The test client signed in to the admin as a superuser ("boss"). The staff tools'
    tests (staff/tests/conftest.py) sign in a plain staff user instead."""
    client.force_login(django_user_model.objects.create_superuser("boss", "boss@example.com",
                                                                  "pw"))
    return client


@pytest.fixture
def make_staff(make_user):
    """make_staff(role) → a staff user in that role's group (staff/roles.py): "Door",
    "Box office", "Manager", or None for staff with no role at all."""
    from django.contrib.auth.models import Group

    from staff.roles import roles_sync

    def make(role: str | None, **fields):
        roles_sync()  # a flushed database (transactional tests) has lost the groups
        user = make_user(is_staff=True, **fields)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user
    return make


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def locmem_cache(settings):
    """A fresh, real (local-memory) cache for tests that exercise caching."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{next(_counter)}"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def redis_cache(settings):
    """The real Redis on 127.0.0.1 (database 15), emptied around the test."""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "project.cache.ResilientRedisCache",
                                   "LOCATION": settings.TEST_REDIS_URL,
                                   "OPTIONS": settings.REDIS_CACHE_OPTIONS}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def rates(settings):
    """`rates(anon="3/min")`: the throttle rates of the test."""
    def set_rates(**rates: str) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}
    return set_rates


@pytest.fixture
def redis_commands(settings):
    """The Redis cache, recording every round trip (one send of one or more commands)."""
    from django.core.cache import cache
    from redis.connection import Connection

    sent: list[bytes] = []

    class RecordingConnection(Connection):
        def send_packed_command(self, command, check_health=True):
            chunks = [command] if isinstance(command, bytes | str) else command
            sent.append(b"".join(c.encode() if isinstance(c, str) else bytes(c)
                                 for c in chunks))
            super().send_packed_command(command, check_health)

    settings.CACHES = {"default": {
        "BACKEND": "project.cache.ResilientRedisCache", "LOCATION": settings.TEST_REDIS_URL,
        "OPTIONS": {**settings.REDIS_CACHE_OPTIONS, "connection_class": RecordingConnection}}}
    cache.clear()
    sent.clear()  # the connection's set-up and the FLUSHDB
    yield sent
    cache.clear()


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request):
    """Each test runs on the local-memory fallback and on Redis (one Lua script)."""
    return request.getfixturevalue(f"{request.param}_cache")


@pytest.fixture
def bearer():
    """`bearer("ann@example.com")` → headers for APIClient calls signed by the local issuer."""
    from devauth import keys

    def make(email: str = "ann@example.com", **claims) -> dict[str, str]:
        token = keys.issue_access_token(sub=keys.sub_for_email(email), email=email, **claims)
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return make


@pytest.fixture(scope="session")
def moto_server():
    """A moto server on a free local port (AWS for code in another process or over HTTP:
    Cognito's JWKS, the handler tests on the unzipped package, CloudFormation)."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


# ------------------------------------------------------------------ Stripe (localstripe)
LOCALSTRIPE_KEYS = {"STRIPE_SECRET_KEY": "sk_test_marquee", "STRIPE_PUBLISHABLE_KEY":
                    "pk_test_marquee", "STRIPE_WEBHOOK_SECRET": "whsec_marquee_tests"}


@pytest.fixture(scope="session")
def localstripe_server():
    """A real localstripe server (a stateful fake of Stripe's API) on a free port."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    executable = Path(sys.executable).with_name("localstripe")
    proc = subprocess.Popen([str(executable), "--port", str(port), "--from-scratch"],  # noqa: S603  # nosec B603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            # Our own local server (http://127.0.0.1), never a user-given URL.
            urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310  # nosec B310
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_local(settings, localstripe_server):
    """Settings pointing the stripe library at localstripe; yields its base URL."""
    for name, value in LOCALSTRIPE_KEYS.items():
        setattr(settings, name, value)
    settings.STRIPE_SECRET_ARN = ""
    settings.STRIPE_API_BASE = localstripe_server
    settings.STRIPE_JS_URL = f"{localstripe_server}/js.stripe.com/v3/"
    return localstripe_server
