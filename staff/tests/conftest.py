"""Fixtures of the staff tools' tests: staff and other users, orders made through the
tickets services, and (for the browser tests) Chromium with an optional fake camera."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from . import browser as support


@pytest.fixture(autouse=True)
def _forget_walk_ins():
    """The counter remembers each performance's walk-in customer per process: not from
    one test's database into the next."""
    from staff import counter

    counter._walk_ins.clear()
    yield
    counter._walk_ins.clear()


@pytest.fixture
def staff_user(make_staff):
    """A manager: the door and the dashboard are theirs (test_roles.py tests each role)."""
    return make_staff("Manager", username="usher")


@pytest.fixture
def clerk(make_staff):
    """A Box office member: counter sales, phone bookings, refunds of their own day."""
    return make_staff("Box office", username="clerk")


@pytest.fixture
def manager(make_staff):
    return make_staff("Manager", username="boss")


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def customer(make_user):
    return make_user()


@pytest.fixture
def tonight(make_performance):
    """A free performance today, a few hours from now (or just past midnight's side)."""
    now = timezone.localtime()
    last_second = now.replace(hour=23, minute=59, second=59, microsecond=0)
    start = min(now + dt.timedelta(hours=2), max(last_second, now + dt.timedelta(seconds=30)))
    return make_performance(starts_at=start, capacity=50)


@pytest.fixture
def reserve(customer):
    """reserve(performance, quantity) → a confirmed order and its tickets (free: at once)."""
    from tickets.services import order_reserve

    def make(performance, quantity=1, user=None):
        order = order_reserve(user=user or customer, performance_id=performance.pk,
                              quantity=quantity)
        return order, list(order.tickets.order_by("id"))
    return make


# ------------------------------------------------------------------ browser tests
@pytest.fixture
def chromium(monkeypatch):
    """launch(camera=None | path of a .y4m file) → a Chromium, closed after the test."""
    if not support.CHROMIUM.exists():
        if getattr(settings, "CI", False):
            pytest.fail("CI=true needs /usr/bin/chromium (make chromium)")
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make chromium)")
    if not support.AXE.exists():
        pytest.fail("axe-core is missing: run `make spa` (or npm --prefix frontend ci)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    browsers = []
    with sync_playwright() as playwright:
        def launch(camera: Path | None = None):
            browser = playwright.chromium.launch(executable_path=str(support.CHROMIUM),
                                                 args=support.chromium_args(camera))
            browsers.append(browser)
            return browser
        yield launch
        for browser in browsers:
            browser.close()


@pytest.fixture
def staff_page(chromium, live_server, staff_user):
    """open(camera=None, width=360) → a page signed in as staff, watched for JavaScript
    errors, CSP violations and requests to any other origin."""
    watched: list[support.Watch] = []

    def open_page(camera: Path | None = None, width: int = 360, height: int = 740):
        context = chromium(camera).new_context(
            viewport={"width": width, "height": height}, locale="en-GB",
            timezone_id="Europe/Paris", permissions=["camera"], base_url=live_server.url)
        support.sign_in(context, live_server.url, staff_user)
        page = context.new_page()
        page.set_default_timeout(support.TIMEOUT_MS)
        watched.append(support.watch(page, live_server.url))
        return page

    yield open_page
    for watch in watched:
        watch.check()
