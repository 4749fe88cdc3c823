"""Keep a pausing database awake when a performance's buyers come (project/pending_work.py):
WAKE_BEFORE its on-sale and its doors, for WAKE_FOR. Marquee schedules it whenever staff
save a performance; nothing to do without a state table."""

from __future__ import annotations

import datetime as dt

from project import pending_work

from .models import Performance


def performance_wake_times(performance: Performance) -> list[dt.datetime]:
    """The moments its buyers arrive: the doors (its start) and its on-sale, when it has
    one (`on_sale_at`, issue 21)."""
    times = [performance.starts_at]
    on_sale = getattr(performance, "on_sale_at", None)
    if on_sale is not None:
        times.append(on_sale)
    return times


def performance_wake_schedule(*, performance: Performance) -> None:
    if not performance.cancelled:
        pending_work.schedule_wake(f"performance:{performance.pk}",
                                   performance_wake_times(performance))
