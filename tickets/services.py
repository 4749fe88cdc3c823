"""Writes of the tickets app: reserve, pay, cancel, check in. One transaction each.

Lock order, the same in every service so that no two can deadlock: order → performance →
seat holding. A reservation writes in one statement (reservation_sql.py), so the hot
performance row is locked only while that statement runs. A paid performance's
reservation is a hold (a pending order) until its payment confirms it (holds.py); Stripe
is called only at the payment step, with no lock held, never by the reservation.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from notifications.services import QUEUED_GRACE, EmailKind, order_email_written, order_notify
from payments import services as payments
from project import pending_work
from shows.models import Performance, PerformanceStatus
from shows.selectors import performance_for_sale
from vouchers.errors import VouchersError
from vouchers.selectors import voucher_read
from waitingroom.errors import WaitingRoomError
from waitingroom.services import admission_check

from . import errors, seating
from .best_available import SeatChoice
from .holds import (
    order_expire,
    order_payment_prepare,
    order_payment_succeeded,
    orders_locked,
)
from .idempotency import RETENTION, idempotency_exists, replay_or_reused
from .lines import LineRequest, default_category, lines_build, lines_short, tickets_for
from .models import (
    MAX_SEATS_PER_PERSON,
    Order,
    OrderLine,
    OrderStatus,
    Ticket,
    WaitlistStatus,
)
from .refunds import RefundQuote, refund_quote, refund_split
from .reservation_sql import SINGLE_STATEMENT_VENDORS, CounterRow, Failure, write_reservation
from .vouchers import CodesRequest, codes_decide, codes_failure

__all__ = ["CodesRequest", "LineRequest"]  # the view builds them
from .waitlist import offer_ended, seats_released, someone_waits


@dataclass(frozen=True)
class Idempotency:
    """What the reservation needs to make a request safe to retry."""

    key: str
    fingerprint: str
    # Renders the response (status, body) of a successful reservation; it is stored with
    # the key in the same transaction as the order and replayed for a retry.
    render: Callable[[Order, list[Ticket]], tuple[int, Any]]


def order_reserve(
    *,
    user: AbstractBaseUser,
    performance_id: int,
    lines: list[LineRequest] | None = None,
    quantity: int | None = None,
    idempotency: Idempotency | None = None,
    paid_at_box_office: bool = False,
    admission: str | None = None,
    now: dt.datetime | None = None,
    hold_until: dt.datetime | None = None,
    seats: list[int] | None = None,
    best_available: bool = False,
    split: bool = False,
    wheelchair: bool = False,
    attempt: int = 1,
    codes: CodesRequest | None = None,
    counter: Callable[[Order], CounterRow] | None = None,
    choose_in_python: bool = False,
) -> Order:
    """Reserve seats of one or more price categories (`lines`), or `quantity` seats of the
    lowest-priced visible one; or raise a TicketsError.

    The total is the categories' prices now, stored per line. A free order is confirmed at
    once, with its tickets, as is one that staff sold and were paid for at the box office.
    A paid one's is a hold (pending until `expires_at`), answered from the database alone:
    its Stripe payment is made when the customer reaches the payment step
    (holds.order_payment_prepare), for what a gift card does not pay. With `idempotency`, a
    retry gets the stored first response (raises Replay). While the performance's waiting
    room is on, `admission` must be the customer's (waitingroom/). `hold_until`: a paid
    order's hold lapses then rather than HOLD_MINUTES from now (a phone booking staff took,
    staff/counter.py).

    A seated performance sells `seats` (ids; each in its zone's category), or, with
    `best_available`, seats the server chooses for `lines` (or `quantity` in any zone):
    see tickets.seating.seats_best for `split` and `wheelchair`. On PostgreSQL the
    reservation statement chooses them itself (tickets/best_available.py: no query of its
    own); the Python chooser reads the layout first elsewhere (`make run`'s SQLite), for a
    request in any zone of several categories, and (`choose_in_python`) to say why the
    statement found no seats. A seat taken meanwhile: 409 seat_taken listing which (best
    available chooses again first).

    `codes`: a voucher (discounts, reveals hidden categories) and a gift card (pays part or
    all), taken in the same statement as the seats (tickets/vouchers.py); raises a
    VouchersError when one cannot be used.

    `counter`: a box-office sale (staff/counter.py): given the order built (its total and
    status), it returns the sale's CounterRow, written by the same statement, or raises a
    DomainError and nothing is written.
    """
    now = now or timezone.now()
    if lines is None and seats is None and not 1 <= (quantity or 0) <= MAX_SEATS_PER_PERSON:
        raise errors.InvalidQuantity()
    # A voucher's code is read in the performance's query (one round trip for both).
    performance = performance_for_sale(
        performance_id=performance_id,
        also=voucher_read(code=codes.voucher) if codes and codes.voucher else None)
    if performance is None:
        raise errors.PerformanceNotFound()
    if not performance.show.published:  # never for sale, key or no key (the statement
        raise errors.SalesClosed()       # does not look at the show)
    if not paid_at_box_office and hold_until is None:  # an announced on-sale's waiting room
        try:
            admission_check(performance=performance, user=user, admission=admission, now=now)
        except WaitingRoomError:
            # A retry whose admission lapsed since its first request was answered gets its
            # replay (it sells nothing new); without a stored key, the 403 stands.
            if _key_stored(user, idempotency):
                raise _replay(user, idempotency) from None
            raise
    picks, asked, best = None, (lines, quantity), None
    if best_available and seats is None and not choose_in_python:
        best, lines = _best_in_statement(performance, lines, quantity, wheelchair, split)
    if (seats is not None or best_available) and best is None:
        picks, lines = seating.seats_wanted(
            performance_id=performance.pk, seats=seats, best_available=best_available,
            lines=lines, quantity=quantity, split=split, wheelchair=wheelchair)
    if lines is None:
        category = default_category(performance)
        if category is None:
            raise errors.SalesClosed("This performance has no tickets on sale.")
        lines = [LineRequest(category_id=category.pk, quantity=quantity or 0)]
    try:
        decided = codes_decide(codes, performance=performance, lines=lines, now=now)
    except VouchersError:
        # A retry whose first request took the voucher's last use (or drained the card)
        # gets its replay, as one that took the last seats does.
        if _key_stored(user, idempotency):
            raise _replay(user, idempotency) from None
        raise
    order_lines = decided.lines if decided else lines_build(performance, lines)
    quantity = sum(line.quantity for line in order_lines)
    if idempotency is None:
        # Fail fast, before any lock. Not with a key: a retry must get its replay even when
        # the first request took the last seats; the conditional UPDATE decides then.
        _raise_unless_on_sale(performance, order_lines, now)
    total = sum(line.quantity * line.unit_price_cents - line.discount_cents
                for line in order_lines)
    for _ in range(5):  # again only when a parallel checkout drained the gift card
        order, failure = _reserve_once(user, performance, order_lines, quantity, total,
                                       idempotency, paid_at_box_office, now, decided,
                                       hold_until, picks, counter, best)
        if failure is not Failure.GIFT_CARD_SHORT:
            break
        decided = decided.with_fresh_gift_card(total=total, now=now)
    def again(**changed: Any) -> Order:
        """The same request reserved again (the lines as asked), with `changed`."""
        return order_reserve(user=user, performance_id=performance_id, lines=asked[0],
                             quantity=asked[1], idempotency=idempotency,
                             paid_at_box_office=paid_at_box_office, admission=admission,
                             hold_until=hold_until, now=now, split=split,
                             wheelchair=wheelchair, codes=codes, counter=counter, **changed)

    if failure is Failure.SEAT_TAKEN and best_available and not _key_stored(user, idempotency) \
            and attempt < seating.BEST_AVAILABLE_ATTEMPTS:
        # Chosen from a read that someone's sale overtook: choose again from a fresh one.
        return again(best_available=True, attempt=attempt + 1)
    if failure is Failure.VOUCHER_CHANGED and attempt == 1 and decided is not None \
            and not decided.codes.voucher_counted:
        # Staff set a use limit on the voucher meanwhile (or ended it): decide again from a
        # fresh read, which counts its use now (or says why it is no longer valid).
        return again(best_available=best_available, seats=seats, attempt=attempt + 1)
    if failure is Failure.SEATS_REQUIRED and best is not None:
        # The statement found no seats as asked: the Python chooser says why (sold out, no
        # seats together), or takes those freed since.
        return again(best_available=True, attempt=attempt, choose_in_python=True)
    if failure is Failure.LIMIT:
        raise errors.LimitExceeded()
    if failure is Failure.BUSY:
        raise errors.IdempotencyInProgress() if idempotency else errors.Busy()
    if failure is Failure.KEY_TAKEN or (failure is not None and _key_stored(user, idempotency)):
        # A retry: even when the first request took the last seats, it gets its replay.
        raise _replay(user, idempotency)
    if failure is Failure.SEAT_TAKEN:
        raise errors.SeatTaken(seats=seating.seats_taken_among(
            performance_id=performance.pk, seat_ids=[pick.seat.pk for pick in picks or []]
            + (best.refused if best else [])))
    if failure is Failure.SEATS_REQUIRED:
        raise errors.SeatsRequired()
    if failure is not None:
        raise codes_failure(failure) or _why_not_sold(performance.pk, lines, failure, now)
    paid = order.status == OrderStatus.PENDING
    # Known to have no payment: rendering must not query to find out (assigning None to a
    # reverse one-to-one would clear the cache instead of filling it). A hold's payment is
    # made at the payment step (holds.order_payment_prepare): no Stripe call here.
    Order.payment.related.set_cached_value(order, None)
    if not paid:
        order_email_written(email_id=order.email_id)
    return order


def _reserve_once(user: AbstractBaseUser, performance: Performance,
                  order_lines: list[OrderLine], quantity: int, total: int,
                  idempotency: Idempotency | None, paid_at_box_office: bool,
                  now: dt.datetime, decided: Any, hold_until: dt.datetime | None,
                  picks: list | None,
                  counter: Callable[[Order], CounterRow] | None = None,
                  best: SeatChoice | None = None
                  ) -> tuple[Order, Failure | None]:
    """Build the order and write it (one statement): the order, and why not if it was not."""
    gift = decided.gift_amount if decided else 0
    paid = total - gift > 0 and not paid_at_box_office
    order = Order(id=uuid.uuid4(), customer=user, performance=performance, quantity=quantity,
                  total_cents=total, currency=performance.currency, created_at=now,
                  updated_at=now,
                  status=OrderStatus.PENDING if paid else OrderStatus.CONFIRMED,
                  expires_at=(hold_until or now + dt.timedelta(minutes=settings.HOLD_MINUTES))
                  if paid else None, confirmed_at=None if paid else now,
                  paid_by_gift_card_cents=gift)
    for line in order_lines:
        line.order = order
    # Built whole before anything is written, so that its response can be rendered (and
    # stored with the idempotency key) without reading it back. A hold has no tickets yet.
    tickets = [] if paid else tickets_for(order, order_lines, picks)
    order.issued_tickets, order.issued_lines = tickets, order_lines
    order.issued_seats = [pick.seat for pick in picks or []]
    if best is not None:  # chosen by the statement: rendered as nulls until it answers
        best.categories = [line.category_id for line in order_lines]
        best.counts = [line.quantity for line in order_lines]
        order.issued_seats = [None] * quantity

    response = idempotency.render(order, tickets) if idempotency else None
    key = (idempotency.key, idempotency.fingerprint, response) if idempotency else None
    email_id = None if paid else uuid.uuid4()  # its confirmation, written with the order
    order.email_id = email_id
    counter_row = counter(order) if counter else None  # may refuse: nothing written yet

    _announce_work(order, email=email_id is not None, keyed=idempotency is not None)
    failure = write_reservation(order=order, lines=order_lines, tickets=tickets, now=now,
                                key=key, email_id=email_id,
                                reveal=bool(decided and decided.reveal),
                                codes=decided.codes if decided else None,
                                seats=[pick.seat.pk for pick in picks] if picks else None,
                                counter=counter_row, best=best)
    if best is not None and failure is None:
        order.issued_seats = best.chosen
        for ticket, seat in zip(tickets, best.chosen, strict=False):
            ticket.seat = seat
    return order, failure


def _key_stored(user: AbstractBaseUser, idempotency: Idempotency | None) -> bool:
    """A keyed request whose key a first request already stored: a retry."""
    return idempotency is not None and idempotency_exists(user=user, key=idempotency.key)


def _replay(user: AbstractBaseUser, idempotency: Idempotency) -> Exception:
    """The retry's answer: the first response replayed (or the key's reuse refused)."""
    return replay_or_reused(user=user, key=idempotency.key, fingerprint=idempotency.fingerprint)


def _best_in_statement(performance: Performance, lines: list[LineRequest] | None,
                       quantity: int | None, wheelchair: bool, split: bool
                       ) -> tuple[SeatChoice | None, list[LineRequest] | None]:
    """Best available for the reservation statement to choose (PostgreSQL), with the lines
    it sells; None (and the lines as asked) where the Python chooser must read the layout
    first: another database, or seats in any zone of a performance with several
    categories (which category each seat is, and so the total, is known only once
    chosen)."""
    if connection.vendor not in SINGLE_STATEMENT_VENDORS:
        return None, lines
    if lines is None:
        categories = getattr(performance, "sale_categories", [])
        if len(categories) != 1:
            return None, lines
        lines = [LineRequest(category_id=categories[0].pk, quantity=quantity or 0)]
    # Filled with the lines as built (a category asked twice counted once): _reserve_once.
    return SeatChoice(categories=[], counts=[], wheelchair=wheelchair, split=split), lines


def order_pay(*, user: AbstractBaseUser, order_id: uuid.UUID, payment_method: str,
              now: dt.datetime | None = None) -> Order:
    """Pay a held order with the card the browser set up (`pm_…`, never card numbers).

    Confirms at once when Stripe says succeeded; 3-D Secure leaves it pending with the
    payment `requires_action` (the browser completes it, the webhook confirms). A decline
    raises CardDeclined and keeps the hold for another card.
    """
    now = now or timezone.now()
    order = _own_order(user, order_id)
    if order.status == OrderStatus.PENDING and order.due_cents and \
            not hasattr(order, "payment"):  # the payment step was skipped (or failed)
        order_payment_prepare(user=user, order_id=order.pk, now=now)
        order = _own_order(user, order_id)
    if order.status != OrderStatus.PENDING or not hasattr(order, "payment"):
        if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
            raise errors.HoldExpired()
        raise errors.OrderNotPending()
    if order.expires_at <= now:
        order_expire(order_id=order.pk, now=now)
        raise errors.HoldExpired()
    if payments.payment_pay(order_id=order.pk, payment_method=payment_method) == "succeeded":
        order_payment_succeeded(order_id=order.pk, now=now)
    return _own_order(user, order_id)


def order_cancel(*, order_id: uuid.UUID, user: AbstractBaseUser | None = None,
                 reason: str = "cancelled by the customer",
                 email: EmailKind | None = EmailKind.CANCELLATION,
                 now: dt.datetime | None = None) -> Order:
    """Cancel an order and release its seats once: a paid confirmed order is refunded, a
    held one's PaymentIntent cancelled. A customer (`user`) may cancel only their own, a
    confirmed one under its refund rule (tickets/refunds.py: until a deadline, less a
    fee), a hold until the start; staff (`user=None`) may cancel any, with a full refund.
    `email`: what the customer is sent (None: nothing)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        order = orders_locked().filter(pk=order_id,
                                       **({"customer": user} if user else {})).first()
        if order is None:
            raise errors.OrderNotFound()
        was = order.status
        if was in (OrderStatus.CANCELLED, OrderStatus.EXPIRED):
            return order
        if user is not None and order.performance.starts_at <= now:
            raise errors.SalesClosed()
        quote = RefundQuote(refund_cents=0, fee_cents=0)
        if was == OrderStatus.CONFIRMED:
            quote = refund_quote(performance=order.performance, total_cents=order.total_cents,
                                 by_staff=user is None, now=now)
        Order.objects.filter(pk=order.pk, status=was).update(
            status=OrderStatus.CANCELLED, cancelled_at=now, updated_at=now,
            refund_cents=quote.refund_cents, fee_cents=quote.fee_cents)
        # The fee is kept from the card payment first, then from the gift card's part.
        split = refund_split(total_cents=order.total_cents,
                             paid_by_gift_card_cents=order.paid_by_gift_card_cents,
                             fee_cents=quote.fee_cents)
        offer_ended(order=order, outcome=WaitlistStatus.DECLINED)
        seats_released(order=order, now=now, gift_card_kept_cents=split.gift_card_kept_cents)
        card_fee = quote.fee_cents - split.gift_card_kept_cents
        refund = was == OrderStatus.CONFIRMED and payments.payment_owe_refund(
            order_id=order.pk, reason=reason,
            amount_cents=split.card_cents if card_fee else None)
        if email is not None:
            order_notify(order_id=order.pk, kind=email)
    if refund:
        payments.payment_send_refund(order_id=order.pk, now=now)
    elif was == OrderStatus.PENDING and payments.payment_cancel_intent(
            order_id=order.pk) == "succeeded":
        # Paid while we cancelled it: the payment finds the order cancelled and refunds.
        order_payment_succeeded(order_id=order.pk, now=now)
    order.refresh_from_db(fields=["status", "cancelled_at", "updated_at", "refund_cents",
                                  "fee_cents"])
    return order


def order_refunded_in_stripe(*, order_id: uuid.UUID, now: dt.datetime | None = None) -> bool:
    """A full refund made outside Marquee (Stripe's dashboard): the tickets are void, so
    the order is cancelled and its seats released, once."""
    now = now or timezone.now()
    with transaction.atomic():
        order = orders_locked().filter(pk=order_id).first()
        if order is None or order.status != OrderStatus.CONFIRMED:
            return False
        Order.objects.filter(pk=order.pk, status=OrderStatus.CONFIRMED).update(
            status=OrderStatus.CANCELLED, cancelled_at=now, updated_at=now)
        seats_released(order=order, now=now)
        order_notify(order_id=order.pk, kind=EmailKind.REFUND)
    return True


def ticket_check_in(*, code: str, performance_id: int | None = None,
                    now: dt.datetime | None = None) -> Ticket:
    """Mark a ticket as used at the door. A second check-in is refused, never repeated.

    With `performance_id` (door mode: the performance being let in), a ticket for another
    performance is refused and nothing changes.
    """
    now = now or timezone.now()
    code = code.strip().upper()
    # The order's conditions as a subquery of ids, never a join: Django writes a filter
    # through the order as `WHERE id IN (SELECT … checked_in_at IS NULL …)`, and PostgreSQL
    # re-checks only `id IN` after waiting for a parallel check-in, so both would pass.
    # Here `checked_in_at IS NULL` is on the row being updated, and re-checked.
    confirmed = Order.objects.filter(status=OrderStatus.CONFIRMED)
    if performance_id is not None:
        confirmed = confirmed.filter(performance_id=performance_id)
    valid = Ticket.objects.filter(code=code, checked_in_at__isnull=True,
                                  order_id__in=confirmed.values("pk"))
    with transaction.atomic(durable=True):
        updated = valid.update(checked_in_at=now)
        ticket = (Ticket.objects.select_related("order__performance__show", "category")
                  .filter(code=code).first())
    if ticket is None:
        raise errors.TicketNotFound()
    if not updated:
        if performance_id is not None and ticket.order.performance_id != performance_id:
            raise errors.WrongPerformance(
                f"Ticket {ticket.code} is for {ticket.order.performance}.")
        if ticket.order.status == OrderStatus.CANCELLED:
            raise errors.TicketCancelled()
        if ticket.order.status != OrderStatus.CONFIRMED:
            raise errors.TicketNotValid(
                f"Ticket {ticket.code} belongs to an order that is {ticket.order.status}, "
                "not confirmed.")
        raise errors.AlreadyCheckedIn(
            f"Ticket {ticket.code} was already checked in at "
            f"{timezone.localtime(ticket.checked_in_at):%Y-%m-%d %H:%M}.",
            checked_in_at=ticket.checked_in_at.isoformat())
    return ticket


def _own_order(user: AbstractBaseUser, order_id: uuid.UUID) -> Order:
    order = (Order.objects.select_related("performance__show", "performance__venue",
                                          "payment")
             .filter(pk=order_id, customer=user).first())
    if order is None:
        raise errors.OrderNotFound()
    return order


def _announce_work(order: Order, *, email: bool, keyed: bool) -> None:
    """Before the reservation is written: tell the scheduled jobs when they will have work
    (project/pending_work.py), so that a paused database is woken then and only then."""
    work = []
    if order.expires_at is not None:
        work.append((pending_work.HOLDS, order.expires_at))
    if email:
        work.append((pending_work.HOLDS, order.created_at + QUEUED_GRACE))
    if keyed:
        work.append((pending_work.PURGE, order.created_at + RETENTION))
    pending_work.announce(*work)


def _raise_unless_on_sale(performance: Performance, lines: list[OrderLine],
                          now: dt.datetime) -> None:
    status = performance.status(now)
    if status == PerformanceStatus.NOT_YET_ON_SALE:
        raise errors.SalesNotOpen(on_sale_at=_iso(performance.on_sale_at))
    if status in (PerformanceStatus.CANCELLED, PerformanceStatus.SALES_CLOSED):
        raise errors.SalesClosed()
    quantity = sum(line.quantity for line in lines)
    if performance.seats_left < quantity:
        raise errors.SoldOut(seats_left=performance.seats_left)
    short = lines_short(performance, lines, performance.seats_left)
    if short is not None:
        raise short


def _why_not_sold(performance_id: int, requested: list[LineRequest], failure: Failure,
                  now: dt.datetime) -> errors.TicketsError:
    """Why the statement sold nothing, read again after it: the first reason that holds."""
    performance = performance_for_sale(performance_id=performance_id)
    if performance is None:
        return errors.PerformanceNotFound()
    try:
        lines = lines_build(performance, requested)
        _raise_unless_on_sale(performance, lines, now)
    except errors.TicketsError as exc:
        return exc
    if performance.waitlist_enabled and someone_waits(performance.pk):
        return errors.SoldOut("The seats that come free are offered to the waiting list "
                              "first: join it to get one.", seats_left=0)
    if failure is Failure.CATEGORY_SOLD_OUT:  # seats came free since: try again
        return errors.CategorySoldOut()
    if failure is Failure.NOT_SOLD:
        return errors.SoldOut(seats_left=performance.seats_left)
    # Everything is on sale as asked, yet the statement refused: a category changed
    # between the read and the write (its price, its rules).
    return errors.PriceChanged()


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None
