"""How an order email leaves the request: another Lambda invocation, or this process.

EMAIL_DISPATCH (project/settings/base.py) picks one:
- "lambda" (the default on Lambda): `dispatch` invokes this same function asynchronously
  (InvocationType "Event": Lambda queues it and answers 202 at once) with the message that
  Zappa's `@task` sends, so Zappa's handler routes it as it routes any task:
  `{"command": "zappa.asynchronous.route_lambda_task", "task_path":
  "notifications.tasks.send_order_email", "args": [], "kwargs": {"email_id": …}}`.
- "inline" (the default elsewhere: `make run`, tests): the email is sent here and now.
- "defer": nothing now; the per-minute job sends it (`emails_retry_failed`).

Why not `zappa.asynchronous.task` itself: importing that module builds four boto3 clients
(Lambda, SNS, STS, DynamoDB) at import time — 90 ms measured — with boto3's default 60 s
timeouts, and clients made before a SnapStart snapshot are never replaced; and `@task`
invokes the unqualified function, i.e. `$LATEST`, which after `zappa update` and before
`make release` (or after `make rollback`) is not the code that took the order. Here the
invoke names the running version (AWS_LAMBDA_FUNCTION_VERSION), through project.aws's
lazy client (2 s connect / 5 s read timeouts, reset after a restore). The receiving side is
Zappa's own (`route_lambda_task`), so `@task` could replace `dispatch` without a change on
that side. A lost invoke loses nothing: the row stays queued and the per-minute job sends it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

TASK_PATH = "notifications.tasks.send_order_email"


def send_order_email(email_id: str) -> str:
    """The task: what a Zappa asynchronous invocation runs (JSON arguments only)."""
    from .services import order_email_send

    return order_email_send(email_id=uuid.UUID(str(email_id)))


def zappa_message(email_id: uuid.UUID) -> dict[str, Any]:
    """The event Zappa's `LambdaAsyncResponse.send` builds for `send_order_email`."""
    return {"command": "zappa.asynchronous.route_lambda_task", "task_path": TASK_PATH,
            "capture_response": False, "response_id": None, "args": [],
            "kwargs": {"email_id": str(email_id)}}


def dispatch(*, email_id: uuid.UUID, now: dt.datetime | None = None,
             by_job: bool = False) -> None:
    """Hand the email over; never raises (an email must never fail the purchase).
    `by_job`: the per-minute job is asking, which in "defer" mode sends it itself."""
    mode = settings.EMAIL_DISPATCH
    try:
        if mode == "lambda":
            _invoke(zappa_message(email_id))
        elif mode == "inline" or by_job:
            from .services import order_email_send

            order_email_send(email_id=email_id, now=now)
    except Exception:
        logger.exception("notifications: email %s not handed over; the per-minute job "
                         "will send it", email_id)


def _invoke(message: dict[str, Any]) -> None:
    from project import aws

    target = {"FunctionName": settings.EMAIL_TASK_FUNCTION}
    if settings.EMAIL_TASK_QUALIFIER:
        target["Qualifier"] = settings.EMAIL_TASK_QUALIFIER
    response = aws.client("lambda").invoke(InvocationType="Event",
                                           Payload=json.dumps(message).encode(), **target)
    if response.get("StatusCode") != 202:
        raise RuntimeError(f"Lambda answered {response.get('StatusCode')} to the email task")
