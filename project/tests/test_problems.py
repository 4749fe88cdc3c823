"""Every error under /api/ is an RFC 9457 problem with a stable code."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"urn:marquee:problem:{code}" and body["title"] and body["detail"]
    return body


def test_unknown_route_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_problem(api.get("/api/v2/shows/"), 404, "not_found")


@pytest.mark.parametrize("method", ["get", "post", "put", "delete", "head", "options"])
def test_unknown_route_is_a_404_problem_with_debug_on(method, settings):
    """`make run` has DEBUG on: Django would answer its HTML debug page, an API client must
    get the problem production gives. CSRF checks on: no 403 page hides the 404."""
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for path in ("/api/v1/no-such-thing/", "/api/v1/no-such-thing", "/api/v2/shows/",
                 "/api/", "/api/v1/shows/x/y/z/"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response["Content-Type"] == PROBLEM, (method, path)
        if method != "head":
            assert_problem(response, 404, "not_found")


def test_api_path_that_matches_with_a_slash_is_redirected_there(settings):
    settings.DEBUG = True
    response = Client().get("/api/v1/shows?page=2")
    assert response.status_code == 301 and response["Location"] == "/api/v1/shows/?page=2"


def test_the_bench_floors_are_not_routed_outside_the_bench():
    """bench/http_site mounts bare views (no auth, no throttle) in its own URLconf only."""
    from django.urls import resolve

    for path in ("/bench/floor/reserve/", "/bench/floor/plain/"):
        assert resolve(path).func.__module__ == "project.spa", path


def test_unknown_route_outside_the_api_is_a_page(client):
    response = client.get("/no-such-page-anywhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed(api):
    body = assert_problem(api.delete("/api/v1/shows/"), 405, "method_not_allowed")
    assert "DELETE" in body["detail"]


def test_body_over_the_limit_is_413_before_anything_reads_it(api, settings):
    big = "x" * (settings.API_MAX_BODY_BYTES + 1)
    assert_problem(api.post("/api/v1/shows/", data=big, content_type="application/json"),
                   413, "too_large")


def test_throttled_reads_get_429_with_retry_after(api, settings, locmem_cache):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}
    for _ in range(3):
        assert api.get("/api/v1/info/").status_code == 200
    response = api.get("/api/v1/info/")
    body = assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1 and body["retry_after"] >= 1


def test_server_error_is_a_problem_without_details(settings):
    settings.ROOT_URLCONF = "project.tests.urls_crash"
    response = Client(raise_request_exception=False).get("/api/v1/crash/")
    body = assert_problem(response, 500, "server_error")
    assert "secret-detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert set(body) == {"type", "title", "status", "detail", "code"}


def test_database_down_is_a_503_problem(api, monkeypatch):
    from django.db import OperationalError, connection

    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = api.get("/api/v1/health/")
    body = assert_problem(response, 503, "unavailable")
    assert body["database"] == "unavailable"
    assert_problem(api.get("/api/v1/info/"), 503, "unavailable")


def test_health(api):
    assert api.get("/api/v1/health/").json() == {"status": "ok", "database": "ok",
                                                 "cache": "ok"}
