"""Throttles through the shared cache (Redis in production).

DRF's throttles read their rates once at import time; these read them when used, so a
rate is configuration (THROTTLE_*_RATE) rather than code, and tests can change it.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings


class RateFromSettingsMixin:
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(RateFromSettingsMixin, throttling.AnonRateThrottle):
    """Anonymous reads, per client address."""


class UserRateThrottle(RateFromSettingsMixin, throttling.UserRateThrottle):
    """Signed-in requests, per user."""


class ReservationRateThrottle(RateFromSettingsMixin, throttling.UserRateThrottle):
    """Reservations per user: a scalper's bot cannot hammer the box office."""

    scope = "reservations"
