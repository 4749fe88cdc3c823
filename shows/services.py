"""Writes of the shows app that staff make: prices of a performance's categories."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Min, ProtectedError
from django.utils import timezone

from .models import Performance, PriceCategory

# A performance has 1 to 20 price categories.
MAX_CATEGORIES = 20
_COPIED = ["description", "price_cents", "quota", "max_per_order", "sort_order", "hidden"]


def performance_price_refresh(*, performance_id: int) -> None:
    """Keep `Performance.price_cents` the lowest price of its visible categories (what the
    lists show as "from"); 0 when it has none visible."""
    lowest = (PriceCategory.objects.filter(performance_id=performance_id, hidden=False)
              .aggregate(low=Min("price_cents"))["low"])
    Performance.objects.filter(pk=performance_id).update(price_cents=lowest or 0)


def categories_copy_to_show(*, performance_id: int) -> int:
    """Give the show's other upcoming, not cancelled performances this one's categories:
    same names get its price, quota and rules; missing ones are added; a category it does
    not have is removed where nothing of it was sold (a sold one stays, as it is).
    Returns how many performances changed."""
    source = Performance.objects.get(pk=performance_id)
    template = list(PriceCategory.objects.filter(performance=source))
    names = {c.name for c in template}
    targets = Performance.objects.filter(show_id=source.show_id, cancelled=False,
                                         starts_at__gt=timezone.now()).exclude(pk=source.pk)
    count = 0
    with transaction.atomic():
        for target in targets.select_for_update():
            for category in template:
                PriceCategory.objects.update_or_create(
                    performance=target, name=category.name,
                    defaults={f: getattr(category, f) for f in _COPIED})
            for extra in (PriceCategory.objects.filter(performance=target, seats_sold=0)
                          .exclude(name__in=names)):
                try:
                    with transaction.atomic():
                        extra.delete()
                except ProtectedError:  # lines of past orders name it: it stays
                    pass
            performance_price_refresh(performance_id=target.pk)
            count += 1
    return count


def category_add(*, performance: Performance, name: str, price_cents: int,
                 **fields: object) -> PriceCategory:
    """Add a category to a performance (scripts, demo data, tests) and refresh its price."""
    category = PriceCategory.objects.create(performance=performance, name=name,
                                            price_cents=price_cents, **fields)
    performance_price_refresh(performance_id=performance.pk)
    performance.refresh_from_db(fields=["price_cents"])
    return category


def performance_create(*, price_cents: int = 0, category_name: str = "Full price",
                       **fields: object) -> Performance:
    """A performance with one price category (scripts, benchmarks): what the admin makes
    with one line in its categories."""
    performance = Performance.objects.create(**fields)
    category_add(performance=performance, name=category_name, price_cents=price_cents)
    return performance
