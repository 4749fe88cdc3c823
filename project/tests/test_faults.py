"""Faults: the database connection dies mid-reservation, Redis or AWS is unreachable.

The reservation tests go through the real WSGI application (werkzeug's test client), so
Django's per-request connection handling runs as in production: a dead connection is
dropped at the start of the next request.
"""

from __future__ import annotations

import json

import psycopg2
import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection
from werkzeug.test import Client

from shows.models import Performance
from tickets import reservation_sql
from tickets.models import Order, SeatHolding, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def terminate_when(marker: str):
    """An execute wrapper that kills this connection's backend from another connection
    just before a statement containing `marker` runs (as a failover or a crash would)."""
    def wrapper(execute, sql, params, many, context):
        if marker in sql:
            pid = context["connection"].connection.get_backend_pid()
            db = settings.DATABASES["default"]
            killer = psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                                      dbname=db["NAME"])
            killer.autocommit = True
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            killer.close()
        return execute(sql, params, many, context)
    return wrapper


def reserve(client, headers, performance, quantity=2):
    response = client.post("/api/v1/tickets/", json={"performance": performance.pk,
                                                     "quantity": quantity}, headers=headers)
    body = json.loads(response.get_data())
    response.close()  # fires request_finished, where Django drops a dead connection
    return response.status_code, response.headers, body


@pytest.fixture
def wsgi():
    return Client(get_wsgi_application())


@pytest.mark.parametrize(("writer", "marker"), [
    ("one statement", "WITH p1 AS"),                 # the single reservation statement
    ("steps", "INSERT INTO tickets_seatholding"),    # after the seat UPDATE, mid-transaction
])
def test_connection_killed_mid_reservation(wsgi, bearer, make_performance, monkeypatch,
                                           writer, marker):
    if writer == "steps":
        monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    performance = make_performance(capacity=10)
    headers = {"Authorization": bearer("victim@example.com")["HTTP_AUTHORIZATION"]}
    connection.close()
    with connection.execute_wrapper(terminate_when(marker)):
        status, response_headers, body = reserve(wsgi, headers, performance)
    assert status == 503 and body["code"] == "unavailable", body
    assert response_headers["Content-Type"] == "application/problem+json"
    assert "Retry-After" in response_headers
    assert "pg_terminate" not in json.dumps(body) and "Traceback" not in json.dumps(body)
    # Nothing half-written.
    assert Performance.objects.get(pk=performance.pk).seats_sold == 0
    assert Order.objects.count() == Ticket.objects.count() == 0
    assert not SeatHolding.objects.filter(seats__gt=0).exists()
    # The next request gets a fresh connection and succeeds.
    status, _, body = reserve(wsgi, headers, performance)
    assert status == 201, body
    assert Performance.objects.get(pk=performance.pk).seats_sold == 2


def test_health_reports_a_dead_database_and_recovers(wsgi):
    connection.close()
    with connection.execute_wrapper(terminate_when("SELECT 1")):
        response = wsgi.get("/api/v1/health/")
        response.close()
    assert response.status_code == 503
    assert wsgi.get("/api/v1/health/").status_code == 200


CLOSED = "http://127.0.0.1:1"  # nothing listens there: connection refused at once


@pytest.fixture
def aws_down(settings, monkeypatch):
    from project import aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    settings.AWS_ENDPOINT_URL = CLOSED
    aws.reset()
    yield aws
    aws.reset()


@pytest.mark.django_db
def test_secrets_manager_down_is_a_clear_error_after_bounded_retries(aws_down):
    from botocore.exceptions import EndpointConnectionError

    config = aws_down.client("secretsmanager").meta.config
    assert (config.connect_timeout, config.read_timeout) == (aws_down.CONNECT_TIMEOUT,
                                                             aws_down.READ_TIMEOUT)
    assert config.retries["total_max_attempts"] == aws_down.MAX_ATTEMPTS <= 3
    with pytest.raises(EndpointConnectionError, match=r"127\.0\.0\.1:1"):
        aws_down.secret_json("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db")


@pytest.mark.django_db
def test_s3_down_does_not_break_reading_info_pages(api, aws_down, settings):
    """Attachment URLs are presigned locally: reading a page needs no S3 round trip."""
    from info.models import Attachment, InfoPage

    page = InfoPage.objects.create(slug="visit", title="Visit", published=True)
    Attachment.objects.bulk_create([Attachment(page=page, file="attachments/map.pdf",
                                               name="map.pdf", size=10)])
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "project.aws.S3Storage",
        "OPTIONS": {"bucket_name": "media", "endpoint_url": CLOSED,
                    "querystring_auth": True}}}
    response = api.get("/api/v1/info/visit/")
    assert response.status_code == 200
    assert "Signature=" in response.json()["attachments"][0]["url"]
