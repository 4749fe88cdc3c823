"""The Lambda entry point (zappa_settings.json `lambda_handler`): Zappa's handler, fixed.

Import time is Lambda's init phase, which SnapStart snapshots: Zappa's handler is created
here (settings, remote env, Django setup, URL resolver), not on the first request.

Around each invocation this module:
- records the request id for the JSON logs (project/logging.py);
- picks the script prefix: on the API Gateway stage URL (`https://…execute-api…/production/`)
  Django must prefix links with `/production`; behind CloudFront (which sends the viewer's
  host as `X-Forwarded-Host`, deploy/templates/frontend.yaml) it must not. Zappa decides by
  the Host header, so the event's Host becomes the forwarded host;
- sends each Set-Cookie exactly once: Zappa's WSGI middleware repeats every Set-Cookie
  (it keeps the originals and appends lower-cased copies), puts the last cookie in
  `headers` and all of them in `multiValueHeaders` (API Gateway and ALB merge both), and
  with single-value headers only the last cookie survives. Django's app is therefore called
  without Zappa's middleware and the cookies are written back from what Django sent.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import time
from typing import Any

from zappa.handler import LambdaHandler

from project import snapstart
from project.logging import request_id

logger = logging.getLogger("marquee.lambda")

_cookies: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "marquee_set_cookies", default=None)


class _CookieRecorder:
    """WSGI middleware: remember the response's Set-Cookie values for the response fix."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            recorded = _cookies.get()
            if recorded is not None:
                recorded[:] = [value.strip() for name, value in headers
                               if name.lower() == "set-cookie"]
            return start_response(status, headers, exc_info)

        return self.app(environ, recording_start_response)


def _init() -> LambdaHandler:
    handler = LambdaHandler()  # reads zappa_settings.py, the remote env, sets up Django
    if handler.wsgi_app is not None:
        django_app = getattr(handler.wsgi_app, "application", handler.wsgi_app)
        handler.wsgi_app = _CookieRecorder(django_app)  # instead of ZappaWSGIMiddleware
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — import every URLconf and view now, at init
    _prepare_first_request()
    snapstart.register()
    return handler


def _prepare_first_request() -> None:
    """Do at init what the first request would otherwise do (no network, no sockets):
    with SnapStart it is then in the snapshot. Measured (bench/RESULTS.md): the first
    request after a restore went from 50 ms to 4 ms."""
    import jwt
    from django.core.cache import cache

    from project.cache import prepare

    prepare(cache)  # imports redis and builds the client; connects on first use
    jwt.get_algorithm_by_name("RS256")  # loads cryptography's RSA backend


handler = _init()


# ---------------------------------------------------------------- request fixes

def _header(headers: dict | None, name: str) -> tuple[str, Any] | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return key, value
    return None


def _forwarded_host(event: dict) -> str | None:
    found = _header(event.get("headers"), "x-forwarded-host")
    if found:
        return str(found[1]).split(",")[0].strip() or None
    found = _header(event.get("multiValueHeaders"), "x-forwarded-host")
    if found and found[1]:
        return str(found[1][0]).split(",")[0].strip() or None
    return None


def fix_request(event: dict) -> dict:
    """Make the Host the viewer's host when CloudFront forwarded it (no stage prefix)."""
    host = _forwarded_host(event)
    if not host:
        return event
    event = dict(event)
    is_v2 = event.get("version") == "2.0"
    for field, value in (("headers", host), ("multiValueHeaders", [host])):
        if event.get(field) is None:
            continue
        headers = {k: v for k, v in event[field].items() if k.lower() != "host"}
        # Zappa reads "Host" from REST events and "host" from ALB and v2 events.
        elb = "elb" in (event.get("requestContext") or {})
        headers["host" if (is_v2 or elb) else "Host"] = value
        event[field] = headers
    return event


def _casings(name: str) -> Any:
    """Distinct spellings of a header name: single-value headers keep one value per key."""
    options = [(c.lower(), c.upper()) if c.isalpha() else (c,) for c in name]
    return ("".join(p) for p in itertools.product(*options))


def fix_response(event: dict, response: Any, cookies: list[str]) -> Any:
    if not isinstance(response, dict) or "statusCode" not in response:
        return response
    if event.get("version") == "2.0":
        response["cookies"] = list(cookies)
        return response
    headers = {k: v for k, v in (response.get("headers") or {}).items()
               if k.lower() != "set-cookie"}
    if "multiValueHeaders" in response:
        multi = {k: v for k, v in response["multiValueHeaders"].items()
                 if k.lower() != "set-cookie"}
        if cookies:
            multi["Set-Cookie"] = list(cookies)
        response["multiValueHeaders"] = multi
        # Everything is in multiValueHeaders; keeping single values too makes API Gateway
        # and ALB merge (and repeat) them.
        response["headers"] = {k: v for k, v in headers.items()
                               if k.lower() not in {m.lower() for m in multi}}
    elif "headers" in response:
        for name, value in zip(_casings("set-cookie"), cookies, strict=False):
            headers[name] = value
        response["headers"] = headers
    return response


def _scheduled_function(event: Any) -> str | None:
    """The function an EventBridge rule of zappa_settings.json `events` names (Zappa finds
    it after the last "-" of the rule name), for the log line."""
    if not isinstance(event, dict) or event.get("detail-type") != "Scheduled Event":
        return None
    resources = event.get("resources") or [""]
    return str(resources[0]).rsplit("/", 1)[-1].rsplit("-", 1)[-1] or None


def lambda_handler(event: dict, context: Any) -> Any:
    token = request_id.set(getattr(context, "aws_request_id", None))
    recorded: list[str] = []
    cookie_token = _cookies.set(recorded)
    started = time.perf_counter()
    try:
        is_http = isinstance(event, dict) and ("httpMethod" in event or "rawPath" in event)
        if is_http:
            event = fix_request(event)
        response = LambdaHandler.lambda_handler(event, context)
        if _scheduled_function(event):
            logger.info("scheduled", extra={
                "function": _scheduled_function(event),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
        if is_http:
            response = fix_response(event, response, recorded)
            logger.info("request", extra={
                "method": event.get("httpMethod") or event.get("requestContext", {})
                .get("http", {}).get("method"),
                "path": event.get("path") or event.get("rawPath"),
                "status": response.get("statusCode") if isinstance(response, dict) else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            })
        return response
    finally:
        _cookies.reset(cookie_token)
        request_id.reset(token)


def purge_idempotency_keys(event: dict | None = None, context: Any = None) -> None:
    """The hourly scheduled event (zappa_settings.json `events`): only when a key is due
    (tickets/jobs.py), so that it never wakes a paused database for nothing."""
    from tickets.jobs import purge_idempotency_keys_job

    purge_idempotency_keys_job()


def release_expired_holds(event: dict | None = None, context: Any = None) -> None:
    """The per-minute scheduled event (zappa_settings.json `events`): release the seats of
    pending orders whose hold has lapsed and cancel their PaymentIntents (a paid one is
    confirmed instead), send owed refunds and emails. Opens the database only when the
    state table says something is due (tickets/jobs.py, project/pending_work.py). Safe
    when two runs overlap: each hold is released once."""
    from tickets.jobs import release_expired_holds_job

    release_expired_holds_job()


def expire_gift_cards(event: dict | None = None, context: Any = None) -> None:
    """The daily scheduled event (zappa_settings.json `events`): write off what is left on
    gift cards past their expiry, only when one is due (vouchers/jobs.py)."""
    from vouchers.jobs import expire_gift_cards_job

    expire_gift_cards_job()
