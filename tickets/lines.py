"""An order's lines: which price categories, how many seats of each, at what price.

Built from the request and the categories read with the performance (one query), before
anything is written: the reservation statement then re-checks every line against its
category row (reservation_sql._SELL_LINES), so what was read can be stale but never sold.
"""

from __future__ import annotations

from dataclasses import dataclass

from shows.models import Performance, PriceCategory

from . import errors
from .models import MAX_SEATS_PER_PERSON, Order, OrderLine, Ticket


@dataclass(frozen=True)
class LineRequest:
    category_id: int
    quantity: int


def default_category(performance: Performance, *, seats: int = 0) -> PriceCategory | None:
    """What an order without lines buys (the old `{"performance", "quantity"}` body, a
    waiting-list offer): the lowest-priced visible category, with `seats` left in it."""
    visible = [c for c in _categories(performance) if not c.hidden
               and c.seats_left(performance.capacity) >= seats]
    return min(visible, key=lambda c: (c.price_cents, c.sort_order, c.pk), default=None)


def lines_build(performance: Performance, requested: list[LineRequest], *,
                reveal: bool = False) -> list[OrderLine]:
    """The order's lines at today's prices, a category listed twice counted once, or raise:
    unknown or hidden category (404), a per-order maximum or the per-person limit passed
    (409 limit_exceeded)."""
    by_id = {c.pk: c for c in _categories(performance)}
    wanted: dict[int, int] = {}
    for line in requested:
        wanted[line.category_id] = wanted.get(line.category_id, 0) + line.quantity
    if not wanted or min(wanted.values()) < 1:
        raise errors.InvalidQuantity()
    if sum(wanted.values()) > MAX_SEATS_PER_PERSON:
        raise errors.LimitExceeded()
    lines = []
    for category_id, quantity in wanted.items():
        category = by_id.get(category_id)
        if category is None or (category.hidden and not reveal):
            raise errors.CategoryNotFound(category=category_id)
        if category.max_per_order is not None and quantity > category.max_per_order:
            raise errors.LimitExceeded(
                f"At most {category.max_per_order} “{category.name}” per order.",
                category={"id": category.pk, "name": category.name})
        lines.append(OrderLine(category=category, quantity=quantity,
                               unit_price_cents=category.price_cents))
    return lines


def lines_short(performance: Performance, lines: list[OrderLine],
                seats_left: int) -> errors.CategorySoldOut | None:
    """The first line whose category has fewer seats left than it asks for, as a 409."""
    for line in lines:
        left = line.category.seats_left(seats_left)
        if left < line.quantity:
            return errors.CategorySoldOut(
                f"Only {left} “{line.category.name}” seat(s) left.",
                category={"id": line.category.pk, "name": line.category.name},
                seats_left=left)
    return None


def tickets_for(order: Order, lines: list[OrderLine], seats: list | None = None
                ) -> list[Ticket]:
    """One ticket per seat, each knowing its category; at a seated performance (`seats`:
    tickets.seating.Pick), each its seat too."""
    if seats:
        return [Ticket(order=order, category_id=pick.category_id, seat=pick.seat)
                for pick in seats]
    return [Ticket(order=order, category_id=line.category_id)
            for line in lines for _ in range(line.quantity)]


def _categories(performance: Performance) -> list[PriceCategory]:
    found = getattr(performance, "sale_categories", None)
    if found is None:  # not read with the performance (shows.selectors.performance_for_sale)
        found = list(performance.categories.all())
    return found
