"""Cache invalidation after staff edits (admin, shell, data migrations).

A side effect, not a business rule: it runs after commit, so a rolled-back edit never
evicts anything (STYLE.md, "Side effects after commit").
"""

from django.db.models.signals import post_delete, post_save

from . import cache
from .models import Performance, PriceCategory, RefundPolicy, Show, Venue


def _invalidate(sender, **kwargs) -> None:
    cache.invalidate_all()


def connect() -> None:
    for model in (Show, Performance, Venue, PriceCategory, RefundPolicy):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"shows-cache-{model}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"shows-cache-del-{model}")
