"""The scheduled jobs open the database only when the state table says work is due
(project/pending_work.py): an idle box office lets a pausing database sleep."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from moto import mock_aws

from project import pending_work
from project.pending_work import StateTable
from tickets import services
from tickets.jobs import purge_idempotency_keys_job, release_expired_holds_job
from tickets.models import Order, OrderStatus

TABLE = "marquee-test-state"


@pytest.fixture
def state_table(monkeypatch):
    """The state table of backend.yaml, on moto, as the jobs' and services' store."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-3")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}])
        table = StateTable(TABLE, client)
        pending_work.use(table)
        yield table
        pending_work.use(None)


def test_with_no_pending_work_the_jobs_open_no_database_connection(state_table):
    # No django_db mark: pytest-django fails any database access in this test.
    connection.close()
    assert release_expired_holds_job() is False
    assert purge_idempotency_keys_job() is False
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_pending_hold_wakes_the_job_when_it_lapses_and_not_before(
        state_table, stripe_local, make_performance, make_user):
    performance = make_performance(capacity=5, price_cents=1500)
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=2)
    assert order.status == OrderStatus.PENDING
    connection.close()
    # Before the hold lapses nothing is due: the job leaves the database alone.
    early = order.expires_at - dt.timedelta(minutes=5)
    assert release_expired_holds_job(now=early) is False
    assert connection.connection is None
    # Once it lapses, the job opens the database and ends it.
    later = order.expires_at + dt.timedelta(seconds=1)
    with CaptureQueriesContext(connection) as queries:
        assert release_expired_holds_job(now=later) is True
    assert len(queries) > 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED
    performance.refresh_from_db()
    assert performance.seats_sold == 0


@pytest.mark.django_db(transaction=True)
def test_the_job_writes_the_next_due_time_it_finds_and_forgets_what_it_handled(
        state_table, make_performance, make_user):
    """Work the database knows of but no entry announced (a hold written by hand) is found
    once the job runs for another reason; the entries it handled are deleted."""
    performance = make_performance(capacity=5, price_cents=0)
    now = timezone.now()
    pending_work.announce((pending_work.HOLDS, now - dt.timedelta(minutes=5)))
    hold = Order.objects.create(customer=make_user(), performance=performance, quantity=1,
                                total_cents=0, currency="EUR", created_at=now,
                                updated_at=now, status=OrderStatus.PENDING,
                                expires_at=now + dt.timedelta(minutes=7))
    assert release_expired_holds_job(now=now) is True
    entries = state_table.due(pending_work.HOLDS, hold.expires_at)
    assert [e.due for e in entries] == [hold.expires_at]  # the old entry is gone
    assert release_expired_holds_job(now=now + dt.timedelta(minutes=1)) is False


def test_a_wake_window_keeps_the_job_connecting_through_it(state_table, monkeypatch):
    doors = timezone.now() + dt.timedelta(days=2)
    pending_work.schedule_wake("performance:1", [doors])
    kept = []
    monkeypatch.setattr(pending_work, "keep_awake", lambda: kept.append(True))
    assert release_expired_holds_job(now=doors - dt.timedelta(minutes=16)) is False
    assert release_expired_holds_job(now=doors - dt.timedelta(minutes=15)) is True
    assert release_expired_holds_job(now=doors + dt.timedelta(minutes=44)) is True
    assert release_expired_holds_job(now=doors + dt.timedelta(minutes=45)) is False
    assert kept == [True, True]


@pytest.mark.django_db(transaction=True)
def test_saving_a_performance_schedules_the_database_awake_before_its_doors(
        state_table, make_performance):
    performance = make_performance()
    start = performance.starts_at - pending_work.WAKE_BEFORE
    assert state_table.awake(start)
    assert not state_table.awake(start - dt.timedelta(seconds=1))
    assert state_table.awake(start + pending_work.WAKE_FOR - dt.timedelta(seconds=1))


def test_wake_windows_take_any_list_of_times():
    """On-sale times (issue 21's Performance.on_sale_at) are just more times."""
    on_sale = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    doors = dt.datetime(2027, 4, 1, 19, tzinfo=dt.UTC)
    assert pending_work.wake_windows([on_sale, doors]) == [
        (on_sale - dt.timedelta(minutes=15), on_sale + dt.timedelta(minutes=45)),
        (doors - dt.timedelta(minutes=15), doors + dt.timedelta(minutes=45))]
