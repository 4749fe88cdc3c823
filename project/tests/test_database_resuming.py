"""A paused database being woken (Aurora Serverless v2 at 0 ACU, profile small): requests
answer 503 database_resuming with Retry-After at once, never hang into API Gateway's 29 s.

While Aurora resumes it accepts the TCP connection and says nothing until it is up (15 to
30 s). Here a socket that listens and never answers stands in for it.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from werkzeug.test import Client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def resuming_database(settings):
    """The default connection pointed at a server that never answers, 2 s connect timeout."""
    settings.DATABASE_PAUSES = True
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel completes handshakes; nobody ever answers
        saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(
            HOST="127.0.0.1", PORT=str(silent.getsockname()[1]),
            OPTIONS={**saved.get("OPTIONS", {}), "connect_timeout": 2})
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)


@pytest.fixture
def wsgi():
    return Client(get_wsgi_application())


def timed(wsgi, method, path, **kwargs):
    started = time.monotonic()
    response = getattr(wsgi, method)(path, **kwargs)
    body = response.get_data()
    response.close()
    return time.monotonic() - started, response, body


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("get", "/api/v1/shows/", {}),
    ("get", "/api/v1/shows/hamlet/", {}),
    ("post", "/api/v1/tickets/", {"json": {"performance": 1, "quantity": 1}}),
])
def test_a_request_while_the_database_resumes_is_a_quick_503_to_retry(
        resuming_database, wsgi, bearer, method, path, kwargs):
    headers = {"Authorization": bearer()["HTTP_AUTHORIZATION"]} if method == "post" else {}
    elapsed, response, body = timed(wsgi, method, path, headers=headers, **kwargs)
    assert elapsed < 5, elapsed
    assert response.status_code == 503, body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert "private" in response.headers["Cache-Control"]  # the edge never keeps it
    problem = json.loads(body)
    assert problem["code"] == "database_resuming" and problem["retry_after"] == 5


def test_health_says_resuming_and_a_probe_that_must_not_wake_it_says_paused(
        resuming_database, wsgi):
    elapsed, response, body = timed(wsgi, "get", "/api/v1/health/")
    assert elapsed < 5 and response.status_code == 503
    assert json.loads(body)["database"] == "resuming"
    assert response.headers["Retry-After"] == "5"
    connection.close()
    _, response, body = timed(wsgi, "get", "/api/v1/health/?wake=false")
    assert response.status_code == 200 and json.loads(body)["database"] == "paused"
    assert connection.connection is None  # not woken to answer


def test_the_admin_while_the_database_resumes_reloads_itself(resuming_database, wsgi):
    wsgi.set_cookie("sessionid", "a-staff-session")  # reading it needs the database
    elapsed, response, body = timed(wsgi, "get", "/admin/")
    assert elapsed < 5, elapsed
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert b"Waking up the box office" in body and b'http-equiv="refresh"' in body


def test_not_a_pausing_database_stays_unavailable(resuming_database, wsgi, settings):
    settings.DATABASE_PAUSES = False
    _, response, body = timed(wsgi, "get", "/api/v1/shows/")
    assert response.status_code == 503 and json.loads(body)["code"] == "unavailable"
