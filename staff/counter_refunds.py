"""Refunds at the counter: the money of a counter sale given back, its seats released once.

Box office (roles.REFUND_OWN_CASH_SALES) refunds its own sales of the day: those paid to
them (`CounterSale.paid_by`: the drawer that took the money, so a phone booking is the
clerk's who took its payment) on today's date in the venue's zone. Manager
(roles.REFUND_ANY_ORDER) refunds any counter sale. Only what was paid at the counter (cash
or card terminal) is refunded here: a comp gave nothing, a pending booking took nothing.

The refund is tickets.services.order_cancel by staff (a full refund): it locks the order,
cancels it with a conditional UPDATE and releases its seats in the same transaction, so two
refunds of one sale at the same moment refund it once; the second is told so. The
end-of-day report counts the refund for whoever took the money, and how (the cash expected
in their drawer goes down).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from notifications.models import EmailKind
from tickets import errors as ticket_errors
from tickets.models import Order, OrderStatus
from tickets.services import order_cancel

from . import errors, roles
from .models import CounterMethod, CounterSale

REFUNDABLE_METHODS = (CounterMethod.CASH, CounterMethod.CARD)


def may_refund(user: AbstractBaseUser, record: CounterSale, *, now: dt.datetime) -> bool:
    """Whether `user`'s role lets them refund this counter sale (paid or not)."""
    if user.has_perm(roles.REFUND_ANY_ORDER):
        return True
    return (user.has_perm(roles.REFUND_OWN_CASH_SALES) and record.paid_by_id == user.pk
            and record.paid_at is not None
            and timezone.localdate(record.paid_at) == timezone.localdate(now))


def counter_refund(*, staff: AbstractBaseUser, order_id: uuid.UUID,
                   now: dt.datetime | None = None) -> Order:
    """Refund a counter sale in full and release its seats, once; or raise: Forbidden
    (not the role's), NotRefundable (nothing was paid at the counter), AlreadyRefunded
    (cancelled before, or by a parallel refund)."""
    now = now or timezone.now()
    record = CounterSale.objects.select_related("order").filter(pk=order_id).first()
    if record is None:
        raise ticket_errors.OrderNotFound()
    if not may_refund(staff, record, now=now):
        raise errors.Forbidden()
    if record.paid_method not in REFUNDABLE_METHODS:
        raise errors.NotRefundable()
    if record.order.status != OrderStatus.CONFIRMED:
        raise errors.AlreadyRefunded()
    order = order_cancel(order_id=record.pk, email=EmailKind.CANCELLATION, now=now,
                         reason=f"refunded at the box office by {staff.get_username()}")
    if order.status != OrderStatus.CANCELLED or order.cancelled_at != now:
        raise errors.AlreadyRefunded()  # a parallel refund was first: it gave the money
    return order
