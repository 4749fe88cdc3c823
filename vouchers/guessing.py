"""Code guessing is an attack: lookups of voucher and gift-card codes are throttled.

Two exact windows (project/throttling.py, one Redis round trip, atomic) per request: the
client address (`codes_address`) and the signed-in customer (`codes_user`). A preview or
a balance costs one lookup from both; at checkout only a failed code does (a customer
with a good code is not slowed down), but while either window is full every code is
refused, a valid one too, with 429 and Retry-After. Failures are logged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.core.cache import caches
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.settings import api_settings

from project.throttling import AnonRateThrottle, Window, WindowRateThrottle, admit

from . import errors

logger = logging.getLogger("vouchers.guessing")

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Never admits: added to the windows, it makes admit() report theirs without recording.
_PEEK = Window("throttle:codes:peek", 0, 1)
# Codes that were not found (or not usable at all): what guessing produces.
GUESS_ERRORS = (errors.VoucherInvalid, errors.GiftCardInvalid, errors.GiftCardNotFound,
                errors.VoucherNotFound)


def _windows(request: Request) -> list[Window]:
    rates = api_settings.DEFAULT_THROTTLE_RATES
    user = getattr(request, "user", None)
    idents = [("codes_address", AnonRateThrottle().get_ident(request))]
    if user is not None and user.is_authenticated:
        idents.append(("codes_user", str(user.pk)))
    windows = []
    for scope, ident in idents:
        rate = rates.get(scope)
        if rate:
            count, period = rate.split("/")
            windows.append(Window(f"throttle:{scope}:{ident}", int(count),
                                  _PERIODS[period[0]]))
    return windows


def _admit(windows: list[Window]) -> None:
    if not windows:
        return
    waits, _ = admit(windows, now=WindowRateThrottle.timer(),
                     cache=caches[WindowRateThrottle.cache_alias])
    waits.pop(_PEEK.key, None)
    if waits:
        raise Throttled(wait=max(waits.values()))


def code_lookup(request: Request) -> None:
    """A preview or balance lookup: counted, or 429 when a window is full."""
    _admit(_windows(request))


def code_guard(request: Request) -> None:
    """Before a checkout's codes are looked up: 429 while a window is full; not counted."""
    windows = _windows(request)
    if windows:
        _admit([*windows, _PEEK])


def code_failed(request: Request, exc: Exception, *, count: bool = True) -> None:
    """Log a failed code and count it (the count itself may refuse: it does not matter,
    the request failed already)."""
    user = getattr(request, "user", None)
    logger.warning("vouchers: failed code (%s) from %s, customer %s", getattr(exc, "code", exc),
                   AnonRateThrottle().get_ident(request),
                   user.pk if user is not None and user.is_authenticated else "-")
    if count:
        with contextlib.suppress(Throttled):
            _admit(_windows(request))


@contextlib.contextmanager
def codes_watched(request: Request, *, count: bool = True) -> Iterator[None]:
    """Around a lookup: a code that does not exist (or is not usable) is a failure, logged,
    and counted unless the lookup was counted already (`count=False`: previews)."""
    try:
        yield
    except GUESS_ERRORS as exc:
        code_failed(request, exc, count=count)
        raise
