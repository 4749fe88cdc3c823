"""The SPA while a paused database wakes up (the small deployment, DEPLOY.md "Profiles").

The live server's database is made to behave as a resuming Aurora (it accepts the
connection and says nothing), so the server really answers 503 database_resuming with
Retry-After to the SPA's first requests; the page says "Waking up the box office…", asks
again by itself, and shows the shows once the database answers — no click, no reload.
"""

from __future__ import annotations

import socket
import time

import pytest
from django.db import connection

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_spa_waits_for_the_box_office_to_wake_up(live_server, page, make_show,
                                                     make_performance, settings):
    show = make_show(slug="the-sleeper", title="The Sleeper Wakes")
    make_performance(show=show)
    settings.DATABASE_PAUSES = True
    shared = connection.settings_dict  # every thread's new connections read this dict
    saved = {key: shared.get(key) for key in ("HOST", "PORT", "OPTIONS")}
    answered: list[int] = []
    page.on("response", lambda r: answered.append(r.status) if "/api/v1/shows/" in r.url
            else None)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # accepts, never answers: a database resuming
        shared.update(HOST="127.0.0.1", PORT=str(silent.getsockname()[1]),
                      OPTIONS={**(saved["OPTIONS"] or {}), "connect_timeout": 1})
        try:
            page.goto(f"{live_server.url}/")
            page.get_by_text("Waking up the box office…").wait_for()
            assert 503 in answered
        finally:
            shared.update(saved)  # the database is up
    started = time.monotonic()
    page.get_by_role("link", name="The Sleeper Wakes").wait_for()
    assert time.monotonic() - started < 10  # the next try, after Retry-After (5 s)
    assert page.get_by_text("Waking up the box office…").count() == 0
    assert answered[0] == 503 and answered[-1] == 200
