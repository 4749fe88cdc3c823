"""Cache invalidation and wake-up schedules after staff edits (admin, shell, migrations).

A side effect, not a business rule: it runs after commit, so a rolled-back edit never
evicts anything (STYLE.md, "Side effects after commit").
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import cache
from .models import Performance, PriceCategory, RefundPolicy, Show, Venue
from .wake import performance_wake_schedule


def _invalidate(sender, **kwargs) -> None:
    cache.invalidate_all()


def _schedule_wake(sender, instance: Performance, **kwargs) -> None:
    transaction.on_commit(partial(performance_wake_schedule, performance=instance))


def connect() -> None:
    for model in (Show, Performance, Venue, PriceCategory, RefundPolicy):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"shows-cache-{model}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"shows-cache-del-{model}")
    post_save.connect(_schedule_wake, sender=Performance, dispatch_uid="shows-wake")
