"""The order email task in the packaged Lambda, invoked as Zappa invokes an asynchronous task.

The web invocation hands the email over with the event that `zappa.asynchronous` sends
(notifications/tasks.py); here that event goes to the unzipped package's handler, which
routes it through Zappa's `route_lambda_task` to the task, which sends through SES (moto
server) with the production settings. Needs `make package`, PostgreSQL and Redis.
"""

from __future__ import annotations

import boto3
import pytest

from . import events as ev
from .test_handler import invoke, lambda_env  # noqa: F401 — the deploy tests' fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True)]

SENDER = "tickets@marquee.example"


def ses_sent(order_id: str) -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [m for m in ses_backends[DEFAULT_ACCOUNT_ID][ev.REGION].sent_messages
            if f"X-Marquee-Order: {order_id}" in m.raw_data]


def test_the_email_task_sends_once_from_the_package(invoke, lambda_env, moto_server,  # noqa: F811
                                                    settings, make_performance, make_user):
    from notifications.models import OrderEmail
    from notifications.tasks import zappa_message
    from tickets import services

    boto3.session.Session(region_name=ev.REGION).client(
        "sesv2", endpoint_url=moto_server).create_email_identity(EmailIdentity=SENDER)
    lambda_env["EMAIL_FROM"] = f"Marquee <{SENDER}>"
    settings.EMAIL_DISPATCH = "defer"  # the order is made here; the package sends
    order = services.order_reserve(user=make_user(email="lea@example.com"),
                                   performance_id=make_performance().pk, quantity=2)
    email = OrderEmail.objects.get(order=order, kind="confirmation")
    assert email.status == "queued"
    event = zappa_message(email.pk)
    loaded = ("import sys; result = sorted(m for m in ('django_ses', 'notifications.messages',"
              " 'zappa.asynchronous') if m in sys.modules)")

    result = invoke([{"exec": loaded}, {"event": event}, {"exec": loaded}, {"event": event}])

    before, first, after, again = result["steps"]
    assert before == []  # none of it is in the web path's init (nor in a SnapStart snapshot)
    assert (first, again) == ("sent", "not due")  # Lambda may deliver an event twice
    assert after == ["django_ses", "notifications.messages", "zappa.asynchronous"]
    [sent] = ses_sent(str(order.pk))
    assert sent.source.endswith(f"<{SENDER}>") or sent.source == SENDER
    assert "lea@example.com" in sent.destinations
    assert all(t.code in sent.raw_data for t in order.tickets.all())
    assert "Content-Type: image/png" in sent.raw_data
    assert "Content-Type: text/calendar" in sent.raw_data
    email.refresh_from_db()
    assert (email.status, email.attempts, email.message_id) == ("sent", 1, sent.id)
