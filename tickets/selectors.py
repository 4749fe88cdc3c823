"""Reads of the tickets app."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from payments.models import Payment

from .models import ACTIVE_WAITLIST, Order, OrderLine, OrderStatus, Ticket, WaitlistEntry


def order_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Order]:
    return (Order.objects.filter(customer=user)
            .select_related("performance__show", "performance__venue", "payment")
            .prefetch_related(Prefetch("lines", OrderLine.objects.select_related("category")),
                              Prefetch("tickets", Ticket.objects.select_related("category")))
            .order_by("-created_at", "id"))


def order_get_for_user(*, user: AbstractBaseUser, order_id: uuid.UUID) -> Order | None:
    """The user's order, or None: another user's order does not exist for them."""
    return order_list_for_user(user=user).filter(pk=order_id).first()


def payment_of_order(*, order_id: uuid.UUID) -> Payment | None:
    return Payment.objects.select_related("order").filter(order_id=order_id).first()


def attendee_list(*, performance_id: int) -> QuerySet[Ticket]:
    """Valid tickets (of confirmed orders) for a performance, for the door list."""
    return (Ticket.objects.filter(order__performance_id=performance_id,
                                  order__status=OrderStatus.CONFIRMED)
            .select_related("order__customer", "category")
            .order_by("order__created_at", "id"))


def performances_with_sales(queryset: QuerySet) -> QuerySet:
    """Annotate performances with their confirmed orders and revenue (minor units)."""
    confirmed = Q(orders__status=OrderStatus.CONFIRMED)
    return queryset.annotate(
        orders_confirmed=Count("orders", filter=confirmed),
        revenue_cents=Sum("orders__total_cents", filter=confirmed, default=0),
    )


def ticket_get_for_user(*, user: AbstractBaseUser, order_id: uuid.UUID,
                        code: str) -> Ticket | None:
    return Ticket.objects.filter(order_id=order_id, order__customer=user,
                                 code=code.upper()).first()


def waitlist_entries_for_user(*, user: AbstractBaseUser) -> QuerySet[WaitlistEntry]:
    """The customer's active waiting-list entries (waiting, or holding an offer)."""
    return (WaitlistEntry.objects.filter(customer=user, status__in=ACTIVE_WAITLIST)
            .select_related("performance__show", "performance__venue", "offer_order")
            .order_by("joined_at", "id"))


def waitlist_entry_for_user(*, user: AbstractBaseUser,
                            performance_id: int) -> WaitlistEntry | None:
    return waitlist_entries_for_user(user=user).filter(performance_id=performance_id).first()
